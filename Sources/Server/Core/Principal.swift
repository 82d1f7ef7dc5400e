import Crypto
import Domain
import Foundation

/// A staff member as a session carries them: who, in which role, in which unit.
struct StaffMember: Sendable, Equatable {
    var usuario: String
    var role: StaffRole
    var unit: String
}

/// Who is calling, established by `AuthMiddleware` from the bearer token and read by the
/// handlers (the generated handlers do not see the request context, hence a task-local).
enum Principal: Sendable {
    /// A kiosk customer: the property logged in with and, when the policy asked for it, the
    /// CPF/CNPJ that was authenticated (which opens the properties linked to it).
    case customer(matricula: String, documento: String?, tokenHash: String)
    case staff(StaffMember, tokenHash: String)
    /// A source system by its API key (`IntegrationKeys`): the key's name.
    case integration(name: String, tokenHash: String)

    var tokenHash: String {
        switch self {
        case .customer(_, _, let h), .staff(_, let h), .integration(_, let h): return h
        }
    }

    /// The staff member acting, if any (recorded with what they create and audited).
    var staff: StaffMember? {
        if case .staff(let s, _) = self { return s }
        return nil
    }

    @TaskLocal static var current: Principal?
    /// Where the request comes from (`OriginMiddleware`): attempt limits and the audit trail.
    @TaskLocal static var origin: Origin = .unknown
}

/// Session tokens: 32 random bytes, base64url; only their SHA-256 is stored, so a database
/// leak does not hand out live sessions.
enum SessionToken {
    static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }
}
