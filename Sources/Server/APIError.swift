import Domain
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// Every error the API answers, with its status, stable code and Portuguese message. The body
/// is always `{"error": {"code", "message"}}` (PRODUCT.md, API).
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var retryAfterSeconds: Int?

    static let notFound = APIError(status: .notFound, code: "not_found", message: "Imóvel não encontrado.")
    static let unauthenticated = APIError(
        status: .unauthorized, code: "unauthenticated", message: "Faça login para continuar.")
    static let sessionExpired = APIError(
        status: .unauthorized, code: "session_expired", message: "Sua sessão expirou. Faça login novamente.")
    static let forbidden = APIError(
        status: .forbidden, code: "forbidden", message: "Esta operação é restrita a atendentes.")
    static let tooLarge = APIError(
        status: .contentTooLarge, code: "payload_too_large", message: "Requisição grande demais.")
    static let badRequest = APIError(
        status: .badRequest, code: "bad_request", message: "Requisição inválida: verifique os dados enviados.")
    static let internalError = APIError(
        status: .internalServerError, code: "internal",
        message: "Erro interno do servidor. Tente novamente; se persistir, procure o atendimento.")
    static let staffLoginFailed = APIError(
        status: .unauthorized, code: "login_failed", message: "Usuário ou senha incorretos.")

    static func conflict(_ message: String) -> APIError {
        APIError(status: .conflict, code: "conflict", message: message)
    }

    static func unavailable(_ code: String, _ message: String) -> APIError {
        APIError(status: .serviceUnavailable, code: code, message: message)
    }

    static func invalid(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_input", message: message)
    }

    static func tooManyAttempts(retryAfter: Int) -> APIError {
        let minutes = max(1, (retryAfter + 59) / 60)
        return APIError(
            status: .tooManyRequests, code: "too_many_attempts",
            message: "Muitas tentativas sem sucesso. Tente novamente em \(minutes) minuto\(minutes == 1 ? "" : "s").",
            retryAfterSeconds: retryAfter)
    }

    var body: Data {
        var inner: [String: Any] = ["code": code, "message": message]
        if let r = retryAfterSeconds { inner["retryAfterSeconds"] = r }
        return (try? JSONSerialization.data(withJSONObject: ["error": inner], options: [.sortedKeys])) ?? Data()
    }

    func response() -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let r = retryAfterSeconds { headers[.retryAfter] = String(r) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
    }
}

/// Turns anything thrown below it into the API's error shape: our `APIError`s as they are,
/// request decoding failures as 400, an oversize body as 413, the rest as 500 (logged).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            return e.response()
        } catch let e as ServerError {
            if let api = e.underlyingError as? APIError { return api.response() }
            if e.operationInput == nil || e.httpStatus.code / 100 == 4 {
                return APIError.badRequest.response()
            }
            context.logger.error("handler failed", metadata: ["operation": "\(e.operationID)", "cause": "\(e.causeDescription)"])
            return APIError.internalError.response()
        } catch let e as HTTPError {
            switch e.status {
            case .contentTooLarge: return APIError.tooLarge.response()
            case .notFound:
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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let len = request.headers[.contentLength].flatMap(Int.init), len > maxBytes {
            throw APIError.tooLarge
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBytes)
        } catch {
            throw APIError.tooLarge
        }
        request.body = .init(buffer: buffer)
        return try await next(request, context)
    }
}

/// One log line per request: method, path without its query (a query may hold a CPF or a
/// name), status and duration. Tokens and bodies are never logged (LGPD, QUALITY.md 11).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let ms =
            (ContinuousClock.now - start).components.attoseconds / 1_000_000_000_000_000
            + (ContinuousClock.now - start).components.seconds * 1000
        context.logger.info(
            "\(request.method) \(LogMasking.path(request.uri.path)) \(response.status.code) \(ms)ms")
        return response
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
