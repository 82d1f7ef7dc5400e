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
    /// The parameter or property at fault (`query.limit`, `body.requester.nome`), for a request
    /// that breaks the contract.
    var field: String? = nil

    static let notFound = APIError(status: .notFound, code: "not_found", message: "Imóvel não encontrado.")
    static let unauthenticated = APIError(
        status: .unauthorized, code: "unauthenticated", message: "Faça login para continuar.")
    /// A session opened by a terminal's credential, used without it or by another terminal.
    static let sessionOfAnotherTerminal = APIError(
        status: .unauthorized, code: "session_terminal",
        message: "Esta sessão foi aberta em outro terminal e só vale nele. Faça login neste terminal.")
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

    static let databaseUnavailable = APIError(
        status: .serviceUnavailable, code: "database_unavailable",
        message: "O sistema está sem acesso ao banco de dados neste momento. Tente de novo em instantes.")

    static func conflict(_ message: String) -> APIError {
        APIError(status: .conflict, code: "conflict", message: message)
    }

    static func unavailable(_ code: String, _ message: String) -> APIError {
        APIError(status: .serviceUnavailable, code: code, message: message)
    }

    /// E-mail is off in this installation (no `smtp.url`): a fact of the configuration, not a
    /// server failure, so a 4xx (409) and never a 5xx.
    static func emailDisabled(_ message: String) -> APIError {
        APIError(status: .conflict, code: "email_disabled", message: message)
    }

    static func invalid(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_input", message: message)
    }

    static func tooManyAttempts(retryAfter: Int, what: String = "Muitas tentativas sem sucesso.", after: String = "") -> APIError {
        let minutes = max(1, (retryAfter + 59) / 60)
        return APIError(
            status: .tooManyRequests, code: "too_many_attempts",
            message: "\(what) Tente novamente em \(counted(minutes, "minuto"))\(after).",
            retryAfterSeconds: retryAfter)
    }

    var body: Data {
        var inner: [String: Any] = ["code": code, "message": message]
        if let r = retryAfterSeconds { inner["retryAfterSeconds"] = r }
        if let f = field { inner["field"] = f }
        return (try? JSONSerialization.data(withJSONObject: ["error": inner], options: [.sortedKeys])) ?? Data()
    }

    func response() -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let r = retryAfterSeconds { headers[.retryAfter] = String(r) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
    }
}

/// The HTTP side of the repositories' `StorageError`s (only this layer speaks HTTP).
extension APIError {
    init(_ e: StorageError) {
        switch e {
        case .idempotencyInProgress:
            self = .conflict("Pedido repetido em andamento. Tente novamente em instantes.")
        case .idempotencyKeyReused:
            self = APIError(
                status: .unprocessableContent, code: "idempotency_key_reused",
                message: "Esta chave de repetição já foi usada para outro pedido. Refaça a operação.")
        case .billsNotFound:
            self = APIError(status: .notFound, code: "bill_not_found", message: "Conta não encontrada para este imóvel.")
        case .billNotSelectable(let competencia, let situacao):
            let why: String
            switch situacao {
            case .paga: why = "já está paga"
            case .emRevisao: why = "está em revisão (pagamento com cartão em andamento)"
            case .parcelada: why = "está num parcelamento"
            case .baixada: why = "não é cobrada (baixada pela concessionária)"
            case .aberta: why = "não está em aberto"
            }
            self = .conflict("A conta \(competencia.formatted) \(why) e não pode ser selecionada.")
        case .billChanged:
            self = .conflict("Uma das contas mudou de situação. Atualize a lista.")
        case .propertyNotFound:
            self = .notFound
        case .corrupt:
            self = .internalError
        case .unavailable:
            self = .databaseUnavailable
        }
    }
}
