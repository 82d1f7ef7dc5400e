import API
import Domain
import OpenAPIRuntime

/// Payment statements: the selected open bills with their charges to the statement's due date,
/// one barcode and PIX for the sum; idempotent (PRODUCT.md B3, DECISIONS 19–20).
struct StatementHandlers: Sendable {
    let config: ServerConfiguration
    let statements: StatementRepository
    let bills: BillRepository
    let documents: DocumentService
    let authorization: Authorization

    /// A payment statement (extrato de débitos) for the selected open bills, one barcode for the sum.
    func createStatement(_ input: Operations.CreateStatement.Input) async throws -> Operations.CreateStatement.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let claim = IdempotencyClaim(
            grant.principal, operation: "statement", key: input.headers.idempotencyKey, path: [grant.matricula],
            body: S.StatementRequest(billIds: body.billIds.sorted()))  // a set of bills: their order means nothing
        // A retry gets the first answer, before any check or limit (issue 27).
        if let first = try await Idempotency.completed(claim, store: statements.store, now: grant.now) {
            return try await replay(first, matricula: grant.matricula)
        }
        try DocumentService.checkSelection(body.billIds)
        try await documents.checkQuota(grant.matricula, grant.principal)
        let today = grant.today
        let due = today.adding(days: config.utility.statementValidDays)
        let index = try await bills.correctionIndex()
        let factory = documents.factory
        let (id, outcome) = try await statements.create(
            matricula: grant.matricula, billIds: body.billIds, today: today, claim: claim, createdBy: grant.staff?.usuario,
            now: grant.now
        ) { bills, id in
            let lines = bills.map { Statement.Line(bill: $0, charges: $0.charges(asOf: due, calendar: grant.calendar, index: index)) }
            let total = lines.reduce(Money.zero) { $0 + $1.charges.total }
            let (barcode, pix) = try factory.codes(kind: .statement, number: id, amount: total, due: due)
            return .init(issuedOn: today, due: due, lines: lines, barcode: barcode.digits, pix: pix.payload)
        }
        guard let s = try await statements.statement(grant.matricula, id: id) else { throw StorageError.corrupt("statement \(id)") }
        switch outcome {
        case .created:
            try await grant.record("emitir_extrato", detail: String(id))
            return .created(.init(body: .json(try view(s))))
        case .replayed:
            // Another request with the key finished while this one waited for it.
            guard let first = try await Idempotency.completed(claim, store: statements.store, now: grant.now) else {
                throw StorageError.idempotencyInProgress
            }
            return try await replay(first, matricula: grant.matricula)
        case .existing:
            try await grant.record("reapresentar_extrato", detail: String(id))
            return .ok(.init(body: .json(try view(s))))
        }
    }

    /// The first answer again: 200 when it was a statement already issued, else 201; marked.
    private func replay(_ first: Idempotency.Completed, matricula: String) async throws -> Operations.CreateStatement.Output {
        guard let s = try await statements.statement(matricula, id: first.id) else { throw StorageError.corrupt("statement \(first.id)") }
        if first.status == 200 { return .ok(.init(headers: .init(idempotencyReplayed: "true"), body: .json(try view(s)))) }
        return .created(.init(headers: .init(idempotencyReplayed: "true"), body: .json(try view(s))))
    }

    /// A statement created before.
    func getStatement(_ input: Operations.GetStatement.Input) async throws -> Operations.GetStatement.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let s = try await statements.statement(grant.matricula, id: input.path.statementId) else { throw APIError.statementNotFound }
        return .ok(.init(body: .json(try view(s))))
    }

    /// The statement as PDF.
    func getStatementPDF(_ input: Operations.GetStatementPDF.Input) async throws -> Operations.GetStatementPDF.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let pdf = try await documents.pdf(documents.document(.statement, id: input.path.statementId, matricula: grant.matricula))
        try await grant.record("extrato_pdf", detail: String(input.path.statementId))
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    private func view(_ s: Statement) throws -> S.Statement {
        guard let barcode = ArrecadacaoBarcode(reading: s.barcode) else { throw StorageError.corrupt("statement \(s.id) barcode") }
        let pix = try PixBRCode(storedPayload: s.pix)
        return S.Statement(
            id: s.id, matricula: s.matricula, issuedOn: s.issuedOn.iso,
            lines: s.lines.map { l in
                S.StatementLine(
                    billId: l.bill.id, competencia: l.bill.competencia.iso, dueOn: l.bill.due.iso, amountCents: l.bill.value.cents,
                    charges: BillViews.charges(l.charges, asOf: s.due))
            },
            payment: BillViews.paymentCode(barcode, pix, due: s.due, total: s.total))
    }
}
