import API
import Domain
import Foundation
import Logging
import OpenAPIRuntime

/// Card payments through an accredited company (PRODUCT.md B4): the fee shown before confirming,
/// the bills "em revisão" until the company's signed callback decides.
struct CardPaymentHandlers: Sendable {
    let config: ServerConfiguration
    let cardPayments: CardPaymentRepository
    let bills: BillRepository
    let companies: CardCompanyDirectory
    let client: CardCompanyClient
    let documents: DocumentService
    /// The port the server listens on, for the callback address when `publicURL` is not set.
    let runtime: ServerRuntime
    let authorization: Authorization
    /// The callback has no session: its decision is dated by the server's clock.
    let clock: AppClock
    let logger: Logger

    /// The accredited card companies and their fees.
    func listCardCompanies(_ input: Operations.ListCardCompanies.Input) async throws -> Operations.ListCardCompanies.Output {
        _ = try await authorization.check(.session)
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: companies.all.map {
                            .init(
                                id: $0.id, nome: $0.nome, feeBasisPoints: $0.feeBasisPoints,
                                sandbox: $0.id == CardCompanyDirectory.sandboxID)
                        }))))
    }

    /// Starts a card payment of open bills through a company; the bills turn `em_revisao`.
    func createCardPayment(_ input: Operations.CreateCardPayment.Input) async throws -> Operations.CreateCardPayment.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let matricula = grant.matricula
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let company = companies.company(body.companyId) else {
            throw APIError(status: .notFound, code: "company_not_found", message: "Operadora de cartão não credenciada.")
        }
        try DocumentService.checkSelection(body.billIds)
        let claim = IdempotencyClaim(
            grant.principal, operation: "card", key: input.headers.idempotencyKey,
            path: [matricula], body: S.CardPaymentRequest(companyId: body.companyId, billIds: body.billIds.sorted()))  // a set of bills
        let today = grant.today
        let now = grant.now
        let index = try await bills.correctionIndex()
        let expiresAt = now + Int64(config.cardPaymentTimeoutSeconds)
        let (id, replayed) = try await cardPayments.create(
            matricula: matricula, billIds: body.billIds, company: company, claim: claim, createdBy: grant.staff?.usuario, now: now,
            expiresAt: expiresAt
        ) { bills in
            Dictionary(uniqueKeysWithValues: bills.map { ($0.id, $0.charges(asOf: today, calendar: grant.calendar, index: index).total) })
        }
        if !replayed {
            guard let record = try await cardPayments.cardPayment(id: id, matricula: matricula) else {
                throw StorageError.corrupt("card payment \(id)")
            }
            let callback =
                "\(config.publicURL ?? "http://\(config.host == "0.0.0.0" ? "127.0.0.1" : config.host):\(runtime.port)")/v1/card-companies/\(company.id)/callback"
            do {
                let accepted = try await client.start(
                    .init(
                        reference: "AV-CP-\(id)", amountCents: record.amount.cents, feeCents: record.fee.cents,
                        totalCents: (record.amount + record.fee).cents,
                        description: "Contas de água, matrícula \(Matricula.display(matricula))", callbackUrl: callback,
                        expiresAt: expiresAt),
                    at: company)
                try await cardPayments.setInstructions(id: id, reference: accepted.id, instructions: accepted.instructions)
            } catch {
                logger.warning("card company unreachable", metadata: ["company": "\(company.id)", "error": "\(error)"])
                try await cardPayments.settle(id: id, status: .falhou, company: company.id, today: today, now: now)
                throw APIError(
                    status: .badGateway, code: "card_company_unavailable",
                    message:
                        "A operadora \(company.nome) não respondeu. Nada foi cobrado e as contas continuam em aberto; tente novamente ou escolha outra operadora."
                )
            }
            try await grant.record("pagamento_cartao", detail: "\(company.id) \(id)")
        }
        guard let record = try await cardPayments.cardPayment(id: id, matricula: matricula) else {
            throw StorageError.corrupt("card payment \(id)")
        }
        return .created(.init(headers: .init(idempotencyReplayed: replayed ? "true" : nil), body: .json(view(record))))
    }

    /// A card payment's status.
    func getCardPayment(_ input: Operations.GetCardPayment.Input) async throws -> Operations.GetCardPayment.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let record = try await cardPayments.cardPayment(id: input.path.cardPaymentId, matricula: grant.matricula) else {
            throw APIError.cardPaymentNotFound
        }
        return .ok(.init(body: .json(view(record))))
    }

    /// The receipt (comprovante) of an approved card payment, as PDF.
    func getCardPaymentReceipt(_ input: Operations.GetCardPaymentReceipt.Input) async throws -> Operations.GetCardPaymentReceipt.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let receipt = try await documents.delivery(.receipt, id: input.path.cardPaymentId, matricula: grant.matricula)
        try await grant.record("comprovante_cartao", detail: String(input.path.cardPaymentId))
        return .ok(.init(body: .pdf(HTTPBody(receipt.pdf ?? Data()))))
    }

    /// A company reports its decision (approved → bills paid; declined → bills open again).
    func cardCompanyCallback(_ input: Operations.CardCompanyCallback.Input) async throws -> Operations.CardCompanyCallback.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let company = companies.company(input.path.companyId) else {
            throw APIError(status: .notFound, code: "company_not_found", message: "Operadora não credenciada.")
        }
        guard let signature = input.headers.xSignature else {
            throw APIError(status: .unauthorized, code: "missing_signature", message: "Falta a assinatura (X-Signature).")
        }
        guard
            CardSignature.verify(
                signature, secret: company.secret, reference: body.reference, status: body.status.rawValue,
                companyReference: body.companyReference)
        else {
            logger.warning(
                "card callback with a bad signature", metadata: ["company": "\(company.id)", "client": "\(Principal.origin.address)"])
            throw APIError(status: .unauthorized, code: "bad_signature", message: "Assinatura inválida.")
        }
        guard body.reference.hasPrefix("AV-CP-"), let id = Int64(body.reference.dropFirst(6)),
            let record = try await cardPayments.cardPayment(id: id, matricula: nil), record.company == company.id
        else { throw APIError.cardPaymentNotFound }
        // Signed by the company, but for the transaction it gave for this payment? A decision
        // about another of its transactions must not settle this one.
        guard record.companyReference == body.companyReference else {
            logger.warning(
                "card callback for another company reference",
                metadata: [
                    "id": "\(id)", "company": "\(company.id)", "stored": "\(record.companyReference ?? "-")",
                    "received": "\(body.companyReference.prefix(64))",
                ])
            throw APIError(
                status: .conflict, code: "company_reference_mismatch",
                message: "A referência da operadora não é a desta transação.")
        }
        let status: CardPaymentStatus = body.status == .approved ? .aprovado : .recusado
        let settled = try await cardPayments.settle(
            id: id, status: status, company: company.id, today: clock.today, now: clock.epochSeconds)
        if !settled && record.status != status {
            throw APIError.conflict("Este pagamento já foi encerrado como \(record.status.rawValue).")
        }
        // Logged once: a company repeating its decision is not a new decision.
        if settled {
            logger.info("card payment decided", metadata: ["id": "\(id)", "company": "\(company.id)", "status": "\(status.rawValue)"])
        }
        return .noContent(.init())
    }

    private func view(_ r: CardPayment) -> S.CardPayment {
        // A payment the company never took ("falhou") reads to the customer as declined.
        let shown: CardPaymentStatus = r.status == .falhou ? .recusado : r.status
        return S.CardPayment(
            id: r.id, companyId: r.company, companyName: companies.company(r.company)?.nome ?? r.company,
            status: .init(rawValue: shown.rawValue) ?? .pendente, amountCents: r.amount.cents, feeCents: r.fee.cents,
            totalCents: (r.amount + r.fee).cents, instructions: r.instructions,
            expiresAt: Date(timeIntervalSince1970: TimeInterval(r.expiresAt)), billIds: r.billIds, reference: "AV-CP-\(r.id)",
            companyReference: r.companyReference, decidedAt: r.decidedAt.map { Date(timeIntervalSince1970: TimeInterval($0)) })
    }
}
