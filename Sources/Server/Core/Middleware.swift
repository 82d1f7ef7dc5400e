import Domain
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// Turns anything thrown below it into the API's error shape: our `APIError`s as they are,
/// request decoding failures as 400, an oversize body as 413, the rest as 500 (logged).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Knows the methods of each path: a method the path does not have is 405 with `Allow`.
    let contract: Contract

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            return e.response()
        } catch let e as StorageError {
            if case .corrupt(let what) = e { context.logger.error("stored data unreadable", metadata: ["what": "\(what)"]) }
            return APIError(e).response()
        } catch let e as ServerError {
            if let api = e.underlyingError as? APIError { return api.response() }
            if let storage = e.underlyingError as? StorageError { return APIError(storage).response() }
            if e.operationInput == nil || e.httpStatus.code / 100 == 4 {
                return APIError.badRequest.response()
            }
            context.logger.error("handler failed", metadata: ["operation": "\(e.operationID)", "cause": "\(e.causeDescription)"])
            return APIError.internalError.response()
        } catch let e as HTTPError {
            switch e.status {
            case .contentTooLarge: return APIError.tooLarge.response()
            case .notFound:
                if let methods = contract.methods(of: request.uri.path), !methods.contains(request.method.rawValue) {
                    var r = APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "Método não permitido.").response()
                    r.headers[.allow] = methods.sorted().joined(separator: ", ")
                    return r
                }
                return APIError(status: .notFound, code: "not_found", message: "Recurso não encontrado.").response()
            case .methodNotAllowed:
                return APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "Método não permitido.").response()
            default:
                if e.status.code / 100 == 4 {
                    return APIError(status: e.status, code: "bad_request", message: APIError.badRequest.message).response()
                }
                return APIError.internalError.response()
            }
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(describing: type(of: error)))"])
            return APIError.internalError.response()
        }
    }
}

/// Refuses bodies above the cap with 413, by the declared length or while collecting, before any
/// handler sees them (the OpenAPI runtime does not cap bodies).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int
    /// The limit of an attachment upload by a staff session (`POST /v1/attachments`).
    let attachmentMaxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var limit = maxBytes
        var refusal = APIError.tooLarge
        if request.method == .post, request.uri.path == "/v1/attachments", Principal.current?.staff != nil {
            limit = attachmentMaxBytes
            refusal = APIError(
                status: .contentTooLarge, code: "attachment_too_large",
                message: "O arquivo passa do limite de \(AttachmentLimits.size(attachmentMaxBytes)) por anexo.")
        }
        if let len = request.headers[.contentLength].flatMap(Int.init), len > limit { throw refusal }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw refusal
        }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }
}

/// One access line per request: the client's address (the real one behind a trusted proxy),
/// the terminal when it presented its credential, method, path without its query (a query may
/// hold a CPF or a name), status and duration. Tokens and bodies are never logged (LGPD,
/// QUALITY.md 11).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let origin = Principal.origin
        context.logger.info(
            "\(origin.address) \(origin.terminal ?? "-") \(request.method) \(LogMasking.path(request.uri.path)) \(response.status.code) \(ms)ms"
        )
        return response
    }
}

/// Headers every answer carries: nothing the API sends may be kept by a cache on the way or
/// in a browser (answers carry tokens and personal data), nor sniffed, framed or referred to
/// (DECISIONS 62). HSTS belongs to the TLS front end (docs/DEPLOY.md), not to plain HTTP.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'; sandbox"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.init("Cross-Origin-Resource-Policy")!] = "same-origin"
        return response
    }
}

/// Reads `Authorization: Bearer <token>`, checks the session in the database (so a logout on
/// one instance is seen by all) and runs the rest of the chain with the principal set. A request
/// with a token that is not live is refused here with 401; one without a token goes on, and the
/// handler decides (public operations need none).
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let sessions: SessionRepository
    let clock: AppClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthenticated
        }
        let token = String(parts[1])
        let hash = SessionToken.hash(token)
        let principal: Principal
        if token.hasPrefix(IntegrationKeys.prefix) {
            // A source system's key: no session, no cache (a revocation holds at once).
            guard let p = try await IntegrationKeys.principal(tokenHash: hash, store: sessions.store) else {
                throw APIError(status: .unauthorized, code: "key_refused", message: "Chave de integração desconhecida ou revogada.")
            }
            principal = p
        } else {
            guard let p = try await sessions.principal(tokenHash: hash, now: clock.epochSeconds, terminal: Principal.origin.terminal)
            else {
                throw APIError.sessionExpired
            }
            principal = p
        }
        return try await Principal.$current.withValue(principal) {
            try await next(request, context)
        }
    }
}

/// Masking applied to anything that reaches a log line.
enum LogMasking {
    /// A path segment that looks like a CPF becomes its masked form; matrículas stay (they are
    /// not personal data on their own and are needed to trace a problem).
    static func path(_ path: String) -> String {
        Domain.Masking.cpfsInText(path)
    }
}
