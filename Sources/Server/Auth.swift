import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Who is calling, established by `AuthMiddleware` from the bearer token and read by the
/// handlers (the generated handlers do not see the request context, hence a task-local).
enum Principal: Sendable {
    /// A kiosk customer: the property logged in with and, when the policy asked for it, the
    /// CPF/CNPJ that was authenticated (which opens the properties linked to it).
    case customer(matricula: String, documento: String?, tokenHash: String)
    case staff(usuario: String, tokenHash: String)

    var tokenHash: String {
        switch self {
        case .customer(_, _, let h), .staff(_, let h): return h
        }
    }

    @TaskLocal static var current: Principal?
    /// The client's address, for the per-address login limit.
    @TaskLocal static var clientAddress: String = "desconhecido"
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
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Reads `Authorization: Bearer <token>`, checks the session in the database (so a logout on
/// one instance is seen by all) and runs the rest of the chain with the principal set. A request
/// with a token that is not live is refused here with 401; one without a token goes on, and the
/// handler decides (public operations need none).
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let repository: Repository
    let clock: @Sendable () -> Int64

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthenticated
        }
        let hash = SessionToken.hash(String(parts[1]))
        guard let s = try await repository.session(tokenHash: hash, now: clock()) else {
            throw APIError.sessionExpired
        }
        let principal: Principal
        if s.kind == "staff", let u = s.staffUsuario {
            principal = .staff(usuario: u, tokenHash: hash)
        } else if let m = s.matricula {
            principal = .customer(matricula: m, documento: s.documento, tokenHash: hash)
        } else {
            throw APIError.sessionExpired
        }
        return try await Principal.$current.withValue(principal) {
            try await next(request, context)
        }
    }
}

/// Puts the client's address in the task-local the login limiter reads.
struct ClientAddressMiddleware<Context: RequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address: String
        switch context.remoteAddress {
        case .some(let a): address = a.ipAddress ?? "desconhecido"
        case .none: address = "desconhecido"
        }
        return try await Principal.$clientAddress.withValue(address) {
            try await next(request, context)
        }
    }
}
