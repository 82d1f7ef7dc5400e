import API
import Domain
import Foundation

/// The customer's record (issue 12): the e-mail address changed by a code sent to it, or at a
/// counter with the person present.
struct CustomerHandlers: Sendable {
    let emailChanges: EmailChangeRepository
    let properties: PropertyRepository
    let authorization: Authorization
    let limiter: AttemptLimiter
    let emailEnabled: Bool
    let timeZone: String

    func startEmailChange(_ input: Operations.StartEmailChange.Input) async throws -> Operations.StartEmailChange.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let email = body.email.trimmingCharacters(in: .whitespaces)
        guard Masking.isPlausibleEmail(email) else { throw APIError.invalid("E-mail inválido: confira o que foi digitado.") }
        // Whose address: the customer of the session; at a counter, a person linked to the property (the holder by default).
        guard let holder = try await properties.property(grant.matricula)?.titular else { throw APIError.notFound }
        var documento = holder.documento
        switch grant.principal {
        case .customer(_, let d?, _): documento = d
        case .staff:
            if let typed = body.documento, !typed.isEmpty {
                guard case .success(let id) = TaxID.parse(typed) else {
                    throw APIError.invalid("CPF/CNPJ inválido: confira o que foi digitado.")
                }
                let linked = try await properties.isLinked(matricula: grant.matricula, documento: id.normalized)
                guard id.normalized == holder.documento || linked else {
                    throw APIError.invalid("Este CPF/CNPJ não está vinculado a este imóvel.")
                }
                documento = id.normalized
            }
        default: break
        }
        guard let person = try await properties.customer(documento) else { throw APIError.notFound }
        if person.email?.lowercased() == email.lowercased() { throw APIError.invalid("Este já é o e-mail do cadastro.") }
        let request = "\(grant.matricula)|\(documento)|\(email.lowercased())|\(body.presential == true)"
        let claim = IdempotencyClaim(grant.principal, operation: "email-change", key: input.headers.idempotencyKey, request: request)

        if body.presential == true {
            guard let staff = grant.staff else {
                throw APIError(
                    status: .forbidden, code: "forbidden", message: "Sem o código, só no atendimento presencial, com o cliente presente.")
            }
            let (id, replayed) = try await emailChanges.record(
                documento: documento, matricula: grant.matricula, newEmail: email, oldEmail: person.email, staff: staff.usuario,
                claim: claim, now: grant.now)
            if !replayed { try await grant.record("alterar_email_presencial", detail: "alteração \(id)") }
            return .accepted(.init(body: .json(.init(id: id, to: email, status: .confirmado))))
        }
        guard emailEnabled else {
            throw APIError.unavailable(
                "email_disabled", "O envio de e-mail não está disponível: altere o e-mail no atendimento presencial.")
        }
        // Codes sent per person: as many as login attempts in the window.
        let scopes = ["email-code:\(documento)"]
        try await limiter.enforce(scopes)
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        let (id, replayed) = try await emailChanges.start(
            documento: documento, matricula: grant.matricula, newEmail: email, oldEmail: person.email, code: code, claim: claim,
            now: grant.now)
        if !replayed {
            try await limiter.fail(scopes)
            try await grant.record("alterar_email_codigo", detail: "alteração \(id)")
        }
        guard let change = try await emailChanges.change(id) else { throw StorageError.corrupt("email change \(id)") }
        return .accepted(.init(body: .json(view(change, grant: grant))))
    }

    func confirmEmailChange(_ input: Operations.ConfirmEmailChange.Input) async throws -> Operations.ConfirmEmailChange.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let code = body.code.filter { !$0.isWhitespace }
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw APIError.invalid("O código tem 6 dígitos.") }
        guard let outcome = try await emailChanges.confirm(id: input.path.changeId, matricula: grant.matricula, code: code, now: grant.now)
        else { throw APIError(status: .notFound, code: "email_change_not_found", message: "Alteração de e-mail não encontrada.") }
        switch outcome {
        case .confirmed:
            try await grant.record("confirmar_email", detail: "alteração \(input.path.changeId)")
            guard let change = try await emailChanges.change(input.path.changeId) else { throw APIError.badRequest }
            return .ok(.init(body: .json(view(change, grant: grant))))
        case .wrong(let left):
            throw APIError(
                status: .badRequest, code: "wrong_code",
                message: "Código incorreto: \(left == 1 ? "resta 1 tentativa" : "restam \(left) tentativas").")
        case .exhausted:
            throw APIError(
                status: .conflict, code: "code_attempts",
                message: "Cinco códigos errados: a alteração foi cancelada e o e-mail continua o mesmo. Peça um novo código.")
        case .expired:
            throw APIError(status: .conflict, code: "code_expired", message: "O código expirou (vale 15 minutos): peça um novo.")
        case .ended:
            throw APIError(
                status: .conflict, code: "code_used",
                message: "Esta alteração já terminou (código já usado ou cancelado). Para outra alteração, peça um novo código.")
        }
    }

    private func view(_ c: EmailChangeRepository.Change, grant: Grant) -> S.EmailChange {
        S.EmailChange(
            id: c.id, to: grant.staff == nil ? Masking.email(c.newEmail) : c.newEmail,
            status: .init(rawValue: c.status.rawValue) ?? .cancelado,
            expiresAt: c.status == .pendente ? Date(timeIntervalSince1970: TimeInterval(c.expiresAt)) : nil)
    }
}
