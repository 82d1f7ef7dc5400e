import API
import Crypto
import Documents
import Domain
import Foundation
import NIOPosix
import OpenAPIRuntime

/// Bills, statements, documents, e-mail, payments and card payments (issue 3). Every operation
/// that takes a matrícula goes through `authorize` first; ids of another property answer 404
/// exactly like missing ones.
extension Handlers {
    typealias S = Components.Schemas

    // MARK: Bills

    func listBills(_ input: Operations.ListBills.Input) async throws -> Operations.ListBills.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        let bills = try await repository.bills(matricula)
        let today = self.today
        let index = bills.contains { $0.situacao == "aberta" && $0.due < today } ? try await repository.correctionIndex() : [:]
        try await auditStaff(principal, "consultar_debitos", matricula)
        return .ok(.init(body: .json(.init(items: bills.map { bill($0, today: today, index: index) }, asOf: today.iso))))
    }

    func getBill(_ input: Operations.GetBill.Input) async throws -> Operations.GetBill.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        guard let b = try await repository.bill(matricula, id: input.path.billId) else { throw Self.billNotFound }
        let today = self.today
        let index = b.situacao == "aberta" && b.due < today ? try await repository.correctionIndex() : [:]
        var payment: S.PaymentCode?
        if b.situacao == "aberta" {
            let (barcode, pix) = try documents.billCodes(b)
            payment = paymentCode(barcode, pix, due: b.due, total: b.value)
        }
        try await auditStaff(principal, "consultar_conta", matricula, detail: String(b.id))
        return .ok(.init(body: .json(.init(bill: bill(b, today: today, index: index), payment: payment))))
    }

    func getBillPDF(_ input: Operations.GetBillPDF.Input) async throws -> Operations.GetBillPDF.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        let pdf = try await pdf(payableDocument(.bill, id: input.path.billId, matricula: matricula))
        try await auditStaff(principal, "segunda_via_pdf", matricula, detail: String(input.path.billId))
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    // MARK: Statements

    func createStatement(_ input: Operations.CreateStatement.Input) async throws -> Operations.CreateStatement.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        try checkSelection(body.billIds)
        try await limitDocumentRequests(matricula, principal)
        let claim = idempotencyClaim(
            principal, operation: "statement", key: input.headers.idempotencyKey, request: "\(matricula)|\(body.billIds.sorted())")
        let today = self.today
        let due = today.adding(days: config.utility.statementValidDays)
        let index = try await repository.correctionIndex()
        let factory = documents
        let (id, replayed) = try await repository.createStatement(
            matricula: matricula, billIds: body.billIds, claim: claim, createdBy: principal.staffUser, now: now
        ) { bills, id in
            let lines = bills.map { b in
                let c = DocumentFactory.charges(b, asOf: due, index: index)
                return StatementLineRecord(
                    bill: b, fineCents: c.fine.cents, interestCents: c.interest.cents, correctionCents: c.correction.cents,
                    daysLate: c.daysLate)
            }
            let total = Money(cents: lines.reduce(0) { $0 + $1.totalCents })
            let (barcode, pix) = try factory.codes(kind: .statement, number: id, amount: total, due: due)
            return (today.iso, due.iso, lines, barcode.digits, pix.payload)
        }
        if !replayed { try await auditStaff(principal, "emitir_extrato", matricula, detail: String(id)) }
        guard let s = try await repository.statement(matricula, id: id) else { throw APIError.internalError }
        return .created(.init(headers: .init(idempotencyReplayed: replayed ? "true" : nil), body: .json(try statement(s))))
    }

    func getStatement(_ input: Operations.GetStatement.Input) async throws -> Operations.GetStatement.Output {
        let (matricula, _) = try await authorize(input.path.matricula)
        guard let s = try await repository.statement(matricula, id: input.path.statementId) else { throw Self.statementNotFound }
        return .ok(.init(body: .json(try statement(s))))
    }

    func getStatementPDF(_ input: Operations.GetStatementPDF.Input) async throws -> Operations.GetStatementPDF.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        let pdf = try await pdf(payableDocument(.statement, id: input.path.statementId, matricula: matricula))
        try await auditStaff(principal, "extrato_pdf", matricula, detail: String(input.path.statementId))
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    // MARK: E-mail

    func requestEmail(_ input: Operations.RequestEmail.Input) async throws -> Operations.RequestEmail.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        // The document first: another property's id is "not found" whether e-mail is on or off.
        let kind = body.document.kind.rawValue
        switch body.document.kind {
        case .bill:
            guard let b = try await repository.bill(matricula, id: body.document.id) else { throw Self.billNotFound }
            guard b.situacao == "aberta" else { throw Self.notPayable }
        case .statement:
            guard try await repository.statement(matricula, id: body.document.id) != nil else { throw Self.statementNotFound }
        }
        guard config.smtp.url != nil else {
            throw APIError.unavailable(
                "email_disabled", "O envio por e-mail não está disponível neste atendimento. Imprima ou salve o documento.")
        }
        var recipient = body.to?.trimmingCharacters(in: .whitespaces) ?? ""
        if recipient.isEmpty { recipient = try await repository.property(matricula)?.titular.email ?? "" }
        guard !recipient.isEmpty else {
            throw APIError(
                status: .unprocessableContent, code: "no_email",
                message: "Não há e-mail cadastrado para este imóvel: informe o endereço para onde enviar.")
        }
        guard Masking.isPlausibleEmail(recipient) else {
            throw APIError.invalid("Endereço de e-mail inválido: confira o que foi digitado.")
        }
        try await limitDocumentRequests(matricula, principal)
        let claim = idempotencyClaim(
            principal, operation: "email", key: input.headers.idempotencyKey,
            request: "\(matricula)|\(kind)|\(body.document.id)|\(recipient)")
        let (id, replayed) = try await repository.enqueueEmail(
            matricula: matricula, recipient: recipient, kind: kind, documentId: body.document.id, claim: claim,
            requestedBy: principal.staffUser, now: now)
        if !replayed { try await auditStaff(principal, "enviar_email", matricula, detail: "\(kind) \(body.document.id)") }
        let status = try await repository.emailStatus(id: id)
        let to = status?.recipient ?? recipient
        return .accepted(
            .init(
                headers: .init(idempotencyReplayed: replayed ? "true" : nil),
                body: .json(
                    .init(
                        id: id, to: principal.staffUser == nil ? Masking.email(to) : to,
                        status: .init(rawValue: status?.status ?? "pendente") ?? .pendente))))
    }

    // MARK: Payments

    func listPayments(_ input: Operations.ListPayments.Input) async throws -> Operations.ListPayments.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        let items = try await repository.payments(matricula)
        try await auditStaff(principal, "consultar_pagamentos", matricula)
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: items.map {
                            .init(
                                paidOn: $0.paidOn, amountCents: $0.amountCents, channel: $0.channel, billId: $0.billId,
                                competencia: $0.competencia)
                        }))))
    }

    // MARK: Card payments

    func listCardCompanies(_ input: Operations.ListCardCompanies.Input) async throws -> Operations.ListCardCompanies.Output {
        guard Principal.current != nil else { throw APIError.unauthenticated }
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: cards.all.map {
                            .init(
                                id: $0.id, nome: $0.nome, feeBasisPoints: $0.feeBasisPoints,
                                sandbox: $0.id == CardCompanyDirectory.sandboxID)
                        }))))
    }

    func createCardPayment(_ input: Operations.CreateCardPayment.Input) async throws -> Operations.CreateCardPayment.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let company = cards.company(body.companyId) else {
            throw APIError(status: .notFound, code: "company_not_found", message: "Operadora de cartão não credenciada.")
        }
        try checkSelection(body.billIds)
        let claim = idempotencyClaim(
            principal, operation: "card", key: input.headers.idempotencyKey, request: "\(matricula)|\(company.id)|\(body.billIds.sorted())")
        let today = self.today
        let index = try await repository.correctionIndex()
        let expiresAt = now + Int64(config.cardPaymentTimeoutSeconds)
        let (id, replayed) = try await repository.createCardPayment(
            matricula: matricula, billIds: body.billIds, company: company, claim: claim, createdBy: principal.staffUser, now: now,
            expiresAt: expiresAt
        ) { bills in
            Dictionary(uniqueKeysWithValues: bills.map { ($0.id, DocumentFactory.charges($0, asOf: today, index: index).total.cents) })
        }
        if !replayed {
            guard let record = try await repository.cardPayment(id: id, matricula: matricula) else { throw APIError.internalError }
            let callback =
                "\(config.publicURL ?? "http://\(config.host == "0.0.0.0" ? "127.0.0.1" : config.host):\(runtime.port)")/v1/card-companies/\(company.id)/callback"
            do {
                let accepted = try await cardClient.start(
                    .init(
                        reference: "AV-CP-\(id)", amountCents: record.amountCents, feeCents: record.feeCents,
                        totalCents: record.amountCents + record.feeCents,
                        description: "Contas de água, matrícula \(Matricula.display(matricula))", callbackUrl: callback,
                        expiresAt: expiresAt),
                    at: company)
                try await repository.setCardPaymentInstructions(id: id, reference: accepted.id, instructions: accepted.instructions)
            } catch {
                logger.warning("card company unreachable", metadata: ["company": "\(company.id)", "error": "\(error)"])
                try await repository.settleCardPayment(id: id, status: "falhou", company: company.id, today: today, now: now)
                throw APIError(
                    status: .badGateway, code: "card_company_unavailable",
                    message:
                        "A operadora \(company.nome) não respondeu. Nada foi cobrado e as contas continuam em aberto; tente novamente ou escolha outra operadora."
                )
            }
            try await auditStaff(principal, "pagamento_cartao", matricula, detail: "\(company.id) \(id)")
        }
        guard let record = try await repository.cardPayment(id: id, matricula: matricula) else { throw APIError.internalError }
        return .created(.init(headers: .init(idempotencyReplayed: replayed ? "true" : nil), body: .json(cardPayment(record))))
    }

    func getCardPayment(_ input: Operations.GetCardPayment.Input) async throws -> Operations.GetCardPayment.Output {
        let (matricula, _) = try await authorize(input.path.matricula)
        guard let record = try await repository.cardPayment(id: input.path.cardPaymentId, matricula: matricula) else {
            throw APIError(status: .notFound, code: "card_payment_not_found", message: "Pagamento com cartão não encontrado.")
        }
        return .ok(.init(body: .json(cardPayment(record))))
    }

    func cardCompanyCallback(_ input: Operations.CardCompanyCallback.Input) async throws -> Operations.CardCompanyCallback.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let notFound = APIError(status: .notFound, code: "card_payment_not_found", message: "Pagamento com cartão não encontrado.")
        guard let company = cards.company(input.path.companyId) else { throw notFound }
        guard
            CardSignature.verify(
                input.headers.xSignature, secret: company.secret, reference: body.reference, status: body.status.rawValue,
                companyReference: body.companyReference)
        else { throw APIError(status: .unauthorized, code: "bad_signature", message: "Assinatura inválida.") }
        guard body.reference.hasPrefix("AV-CP-"), let id = Int64(body.reference.dropFirst(6)),
            let record = try await repository.cardPayment(id: id, matricula: nil), record.company == company.id
        else { throw notFound }
        let status = body.status == .approved ? "aprovado" : "recusado"
        let settled = try await repository.settleCardPayment(id: id, status: status, company: company.id, today: today, now: now)
        if !settled && record.status != status {
            throw APIError.conflict("Este pagamento já foi encerrado como \(record.status).")
        }
        logger.info("card payment decided", metadata: ["id": "\(id)", "company": "\(company.id)", "status": "\(status)"])
        return .noContent(.init())
    }

    // MARK: Documents (shared with the e-mail sender)

    /// The printable document: an open bill's second copy or a statement.
    func payableDocument(_ kind: DocumentFactory.Kind, id: Int64, matricula: String) async throws -> PayableDocument {
        switch kind {
        case .bill:
            guard let b = try await repository.bill(matricula, id: id) else { throw Self.billNotFound }
            guard b.situacao == "aberta" else { throw Self.notPayable }
            guard let p = try await repository.property(matricula) else { throw APIError.notFound }
            return try documents.billDocument(b, property: p, today: today)
        case .statement:
            guard let s = try await repository.statement(matricula, id: id) else { throw Self.statementNotFound }
            guard let p = try await repository.property(matricula) else { throw APIError.notFound }
            return try documents.statementDocument(s, property: p)
        }
    }

    /// Renders on the thread pool: cairo work never runs on the event loop.
    func pdf(_ doc: PayableDocument) async throws -> Data {
        try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(doc) }
    }

    // MARK: Helpers

    static let billNotFound = APIError(status: .notFound, code: "bill_not_found", message: "Conta não encontrada para este imóvel.")
    static let statementNotFound = APIError(status: .notFound, code: "statement_not_found", message: "Extrato não encontrado.")
    static let notPayable = APIError.conflict("Esta conta não está em aberto: não há segunda via para pagar.")

    func checkSelection(_ ids: [Int64]) throws {
        guard !ids.isEmpty else { throw APIError.invalid("Selecione ao menos uma conta.") }
        guard Set(ids).count <= PDFRenderer.maxLines else {
            throw APIError.invalid("Selecione no máximo \(PDFRenderer.maxLines) contas por documento.")
        }
    }

    func limitDocumentRequests(_ matricula: String, _ principal: Principal) async throws {
        guard principal.staffUser == nil else { return }
        let n = try await repository.recentDocumentRequests(matricula, since: now - 3600)
        if n >= config.documentRequestsPerHour {
            throw APIError(
                status: .tooManyRequests, code: "too_many_documents",
                message: "Limite de documentos por hora atingido para este imóvel. Tente novamente mais tarde.", retryAfterSeconds: 3600)
        }
    }

    func idempotencyClaim(_ p: Principal, operation: String, key: String, request: String) -> IdempotencyClaim {
        let who: String
        switch p {
        case .customer(let m, let d, _): who = "c:\(d ?? m)"
        case .staff(let u, _): who = "s:\(u)"
        }
        let hash = SHA256.hash(data: Data(request.utf8)).map { String(format: "%02x", $0) }.joined()
        return IdempotencyClaim(scope: "\(who)|\(operation)", key: key, requestHash: hash)
    }

    func auditStaff(_ p: Principal, _ action: String, _ matricula: String, detail: String? = nil) async throws {
        if case .staff(let u, _) = p {
            try await repository.audit(staff: u, action: action, matricula: matricula, detail: detail, now: now)
        }
    }

    func bill(_ b: BillRecord, today: CivilDate, index: [String: Int64]) -> S.Bill {
        let overdue = b.situacao == "aberta" && b.due < today
        var updated: S.Charges?
        if overdue {
            let c = DocumentFactory.charges(b, asOf: today, index: index)
            updated = charges(c, asOf: today)
        }
        return S.Bill(
            id: b.id, competencia: b.competencia, vencimento: b.vencimento, valorCents: b.valorCents,
            situacao: S.Situacao(rawValue: b.situacao) ?? .aberta, consumoM3: b.consumoM3, leituraEstimada: b.leituraEstimada,
            pagoEm: b.pagoEm, overdue: overdue, updated: updated)
    }

    func charges(_ c: LateCharges, asOf: CivilDate) -> S.Charges {
        S.Charges(
            daysLate: c.daysLate, fineCents: c.fine.cents, interestCents: c.interest.cents, correctionCents: c.correction.cents,
            totalCents: c.total.cents, asOf: asOf.iso)
    }

    func paymentCode(_ barcode: ArrecadacaoBarcode, _ pix: PixBRCode, due: CivilDate, total: Money) -> S.PaymentCode {
        S.PaymentCode(
            barcode: barcode.digits, linhaDigitavel: barcode.linhaDigitavel, pix: pix.payload, due: due.iso, totalCents: total.cents)
    }

    func statement(_ s: StatementRecord) throws -> S.Statement {
        guard let barcode = ArrecadacaoBarcode(reading: s.barcode), let due = CivilDate(iso: s.dueOn) else { throw APIError.internalError }
        let pix = try PixBRCode(storedPayload: s.pix)
        return S.Statement(
            id: s.id, matricula: s.matricula, issuedOn: s.issuedOn,
            lines: s.lines.map { l in
                S.StatementLine(
                    billId: l.bill.id, competencia: l.bill.competencia, vencimento: l.bill.vencimento, valorCents: l.bill.valorCents,
                    charges: charges(
                        LateCharges(
                            stored: l.bill.value, days: l.daysLate, fine: l.fineCents, interest: l.interestCents,
                            correction: l.correctionCents),
                        asOf: due))
            },
            payment: paymentCode(barcode, pix, due: due, total: Money(cents: s.totalCents)))
    }

    func cardPayment(_ r: CardPaymentRecord) -> S.CardPayment {
        S.CardPayment(
            id: r.id, companyId: r.company, companyName: cards.company(r.company)?.nome ?? r.company,
            status: .init(rawValue: r.status == "falhou" ? "recusado" : r.status) ?? .pendente, amountCents: r.amountCents,
            feeCents: r.feeCents, totalCents: r.amountCents + r.feeCents, instructions: r.instructions,
            expiresAt: Date(timeIntervalSince1970: TimeInterval(r.expiresAt)), billIds: r.billIds)
    }
}

extension Principal {
    /// The attendant acting, if any (recorded with what they create).
    var staffUser: String? {
        if case .staff(let u, _) = self { return u }
        return nil
    }
}
