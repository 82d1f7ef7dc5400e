import HummingbirdBcrypt
import NIOPosix

/// Staff passwords: bcrypt, verified on NIO's thread pool (never on the cooperative pool).
enum Passwords {
    /// A hash that matches nothing anyone types, verified when a staff user does not exist so
    /// that the answer takes as long as for a real one.
    static let timingDummyHash = Bcrypt.hash(SessionToken.make(), cost: 10)

    /// Whether `senha` matches `hash`; with no hash (unknown user) it still spends the time.
    static func verify(_ senha: String, hash: String?) async throws -> Bool {
        let h = hash ?? timingDummyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(senha, hash: h) }
        return hash != nil && matches
    }

    static func hash(_ senha: String, cost: UInt8 = 12) -> String { Bcrypt.hash(senha, cost: cost) }
}
