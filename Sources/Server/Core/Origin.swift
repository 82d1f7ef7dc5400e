import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Where a request comes from: the client's address (the real one when it arrived through a
/// trusted proxy) and, when the terminal presented its credential, the terminal. Limits count
/// per terminal when there is one (kiosks of a service point often share one NAT address) and
/// per address otherwise; the audit trail records both.
struct Origin: Sendable, Equatable {
    var address: String
    var terminal: String?
    /// The mode its credential was made for (`kiosk`, `counter`, `staff`).
    var terminalMode: String? = nil

    /// The key attempt limits count under.
    var limitKey: String { terminal.map { "t:\($0)" } ?? "ip:\(address)" }

    static let unknown = Origin(address: "desconhecido", terminal: nil)
}

/// A terminal's credential: a random secret for the terminal, its SHA-256 for the server.
public enum TerminalCredential {
    public static func make() -> (secret: String, hash: String) {
        let secret = SessionToken.make()
        return (secret, SessionToken.hash(secret))
    }

    /// The modes a terminal is made for.
    public static let modes = ["kiosk", "counter", "staff"]
}

/// A terminal as the server knows it (`terminals` in the configuration): the SHA-256 of its
/// secret and the mode it was made for (issue 27: a kiosk's credential opens no staff session).
/// The older form, the hash alone, is a kiosk.
public struct TerminalEntry: Codable, Sendable, Equatable {
    public var secretHash: String
    public var mode: String

    public init(secretHash: String, mode: String) {
        self.secretHash = secretHash
        self.mode = mode
    }

    public init(from decoder: any Decoder) throws {
        if let hash = try? decoder.singleValueContainer().decode(String.self) {
            self.init(secretHash: hash, mode: "kiosk")
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(secretHash: try c.decode(String.self, forKey: .secretHash), mode: try c.decode(String.self, forKey: .mode))
    }
}

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `::1/128`, or one address).
struct CIDR: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let b = CIDR.bytes(of: first) else { return nil }
        let p = parts.count == 2 ? Int(parts[1]) : b.count * 8
        guard let p, (0...(b.count * 8)).contains(p) else { return nil }
        bytes = b
        prefix = p
    }

    func contains(_ address: String) -> Bool {
        guard let b = CIDR.bytes(of: address), b.count == bytes.count else { return false }
        var left = prefix
        for (x, y) in zip(b, bytes) where left > 0 {
            let n = min(8, left)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - n))
            if x & mask != y & mask { return false }
            left -= n
        }
        return true
    }

    /// The address's bytes (4 or 16), through NIO's parser; an IPv4-mapped IPv6 address counts
    /// as its IPv4 one.
    static func bytes(of address: String) -> [UInt8]? {
        guard let a = try? SocketAddress(ipAddress: address, port: 0) else { return nil }
        switch a {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            let b = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF { return Array(b[12...]) }
            return b
        default:
            return nil
        }
    }
}

/// Sets `Principal.origin` for the rest of the chain. Behind a trusted proxy the client is the
/// right-most `X-Forwarded-For` address that is not itself a trusted proxy (a forged header
/// from a client cannot move it, DECISIONS 62). A terminal credential (`Agencia-Terminal:
/// id:secret`) that does not match the configuration is refused, never ignored.
/// Outermost, so that the access log sees the origin; a refusal here is answered here.
struct OriginMiddleware<Context: RequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    let trustedProxies: [CIDR]
    /// Terminal id → its secret's SHA-256 (hex) and its mode.
    let terminals: [String: TerminalEntry]

    static var terminalHeader: HTTPField.Name { HTTPField.Name("Agencia-Terminal")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var origin = Origin(address: context.remoteAddress?.ipAddress ?? Origin.unknown.address, terminal: nil)
        if trustedProxies.contains(where: { $0.contains(origin.address) }) {
            let chain = request.headers[values: .init("X-Forwarded-For")!]
                .flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if let client = chain.reversed().first(where: { a in !trustedProxies.contains { $0.contains(a) } }),
                CIDR.bytes(of: client) != nil
            {
                origin.address = client
            }
        }
        if let credential = request.headers[Self.terminalHeader] {
            guard let id = verify(credential) else {
                context.logger.notice(
                    "terminal credential refused",
                    metadata: ["client": "\(origin.address)", "terminal": "\(String(credential.prefix { $0 != ":" }.prefix(60)))"])
                return APIError(
                    status: .unauthorized, code: "terminal_unknown",
                    message:
                        "Este terminal não foi reconhecido pelo servidor: confira terminalId e terminalSecret na configuração do terminal."
                ).response()
            }
            origin.terminal = id
            origin.terminalMode = terminals[id]?.mode
        }
        return try await Principal.$origin.withValue(origin) {
            try await next(request, context)
        }
    }

    private func verify(_ credential: String) -> String? {
        let parts = credential.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let expected = terminals[parts[0]], SessionToken.hash(parts[1]) == expected.secretHash.lowercased() else {
            return nil
        }
        return parts[0]
    }
}
