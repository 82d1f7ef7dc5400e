import API
import Domain
import Foundation

/// A bill's second copy, a statement or a card payment's receipt sent by e-mail through the
/// outbox (PRODUCT.md F3):
/// idempotent, never lost when the mail server is down.
struct EmailHandlers: Sendable {
    let config: ServerConfiguration
    let outbox: OutboxRepository
    let bills: BillRepository
    let statements: StatementRepository
    let properties: PropertyRepository
    let documents: DocumentService
    let authorization: Authorization
    let mail: MailAddresses

    /// Sends a bill, statement or card payment receipt by e-mail, PDF attached (queued; retried until delivered).
    func requestEmail(_ input: Operations.RequestEmail.Input) async throws -> Operations.RequestEmail.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let matricula = grant.matricula
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        // The document first: another property's id is "not found" whether e-mail is on or off.
        let kind: DocumentKind
        switch body.document.kind {
        case .bill:
            kind = .bill
            guard let b = try await bills.bill(matricula, id: body.document.id) else { throw APIError.billNotFound }
            guard b.situacao.isPayable else { throw APIError.notPayable }
        case .statement:
            kind = .statement
            guard try await statements.statement(matricula, id: body.document.id) != nil else { throw APIError.statementNotFound }
        case .receipt:
            kind = .receipt
            _ = try await documents.receipt(id: body.document.id, matricula: matricula)
        case .serviceFee:
            kind = .serviceFee
            _ = try await documents.document(.serviceFee, id: body.document.id, matricula: matricula)
        case .carne:
            kind = .carne
            _ = try await documents.carne(agreementId: body.document.id, seq: nil, matricula: matricula)
        case .certidao:
            kind = .certidao
            _ = try await documents.certidaoPDF(id: body.document.id, matricula: matricula)
        case .declaracao:
            kind = .declaracao
            guard let d = try await DeclaracaoRepository(store: documents.store).declaracao(id: body.document.id), d.matricula == matricula
            else { throw APIError.declaracaoNotFound }
        }
        guard config.smtp.url != nil else {
            throw APIError.emailDisabled("O envio por e-mail não está disponível neste atendimento: imprima o documento.")
        }
        var recipient = body.to?.trimmingCharacters(in: .whitespaces) ?? ""
        if recipient.isEmpty { recipient = try await properties.property(matricula)?.titular.email ?? "" }
        guard !recipient.isEmpty else {
            throw APIError(
                status: .unprocessableContent, code: "no_email",
                message: "Não há e-mail cadastrado para este imóvel: informe o endereço para onde enviar.")
        }
        recipient = try await mail.check(recipient)
        try await documents.checkQuota(matricula, grant.principal)
        let claim = IdempotencyClaim(
            grant.principal, operation: "email", key: input.headers.idempotencyKey,
            path: [matricula], body: body)
        let (id, replayed) = try await outbox.enqueue(
            matricula: matricula, recipient: recipient, document: kind, documentId: body.document.id, claim: claim,
            requestedBy: grant.staff?.usuario, now: grant.now)
        if !replayed {
            try await grant.record("enviar_email", detail: "\(kind.rawValue) \(body.document.id)")
        }
        let status = try await outbox.status(id: id)
        let to = status?.recipient ?? recipient
        return .accepted(
            .init(
                headers: .init(idempotencyReplayed: replayed ? "true" : nil),
                body: .json(
                    .init(
                        id: id, to: grant.staff == nil ? Masking.email(to) : to,
                        status: .init(rawValue: (status?.status ?? .pendente).rawValue) ?? .pendente))))
    }
}
