import Domain
import Foundation
import SQLKit

/// Bills, statements, payments, card payments and the e-mail outbox (issue 3). Each query is
/// served by an index of migration 2 or by `bills_matricula_competencia`.
extension Repository {
    static let billColumns = "id, matricula, competencia, vencimento, valor_centavos, situacao, consumo_m3, leitura_estimada, pago_em"

    static func bill(_ row: any SQLRow) throws -> BillRecord {
        try BillRecord(
            id: row.decode(column: "id", as: Int64.self),
            matricula: row.decode(column: "matricula", as: String.self),
            competencia: row.decode(column: "competencia", as: String.self),
            vencimento: row.decode(column: "vencimento", as: String.self),
            valorCents: row.decode(column: "valor_centavos", as: Int64.self),
            situacao: row.decode(column: "situacao", as: String.self),
            consumoM3: row.decode(column: "consumo_m3", as: Int.self),
            leituraEstimada: row.decode(column: "leitura_estimada", as: Int.self) != 0,
            pagoEm: row.decode(column: "pago_em", as: String?.self))
    }

    /// The property's last 36 bills, newest first.
    func bills(_ matricula: String) async throws -> [BillRecord] {
        try await store.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.billColumns) FROM bills WHERE matricula = \(bind: matricula) ORDER BY competencia DESC LIMIT 36"
            ).all().map(Self.bill)
        }
    }

    func bill(_ matricula: String, id: Int64) async throws -> BillRecord? {
        try await store.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.billColumns) FROM bills WHERE id = \(bind: id) AND matricula = \(bind: matricula)"
            ).first().map(Self.bill)
        }
    }

    /// The monetary-correction index (parts per million by competência `AAAA-MM`).
    func correctionIndex() async throws -> [String: Int64] {
        try await store.read { db in
            var out: [String: Int64] = [:]
            for row in try await db.raw("SELECT competencia, ppm FROM correction_index").all() {
                out[try row.decode(column: "competencia", as: String.self)] = try row.decode(column: "ppm", as: Int64.self)
            }
            return out
        }
    }

    // MARK: Idempotency

    enum IdempotencyOutcome {
        case fresh
        case replay(Int64)
    }

    /// Claims an idempotency key inside a write transaction. A second request with the key waits
    /// for the first's transaction (PostgreSQL's unique index; SQLite's single writer) and then
    /// replays its result; a different request under the same key is refused.
    static func claim(_ c: IdempotencyClaim, db: any SQLDatabase, now: Int64) async throws -> IdempotencyOutcome {
        try await db.raw(
            "DELETE FROM idempotency_keys WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key) AND created_at < \(bind: now - 86_400)"
        ).run()
        let inserted = try await db.raw(
            """
            INSERT INTO idempotency_keys (scope, idem_key, request_hash, resource_id, created_at)
            VALUES (\(bind: c.scope), \(bind: c.key), \(bind: c.requestHash), NULL, \(bind: now))
            ON CONFLICT (scope, idem_key) DO NOTHING RETURNING scope
            """
        ).first()
        if inserted != nil { return .fresh }
        guard
            let row = try await db.raw(
                "SELECT request_hash, resource_id FROM idempotency_keys WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key)"
            ).first()
        else { throw APIError.conflict("Pedido repetido em andamento. Tente novamente em instantes.") }
        guard try row.decode(column: "request_hash", as: String.self) == c.requestHash else {
            throw APIError(
                status: .unprocessableContent, code: "idempotency_key_reused",
                message: "Esta chave de repetição já foi usada para outro pedido. Refaça a operação.")
        }
        guard let id = try row.decode(column: "resource_id", as: Int64?.self) else {
            throw APIError.conflict("Pedido repetido em andamento. Tente novamente em instantes.")
        }
        return .replay(id)
    }

    static func complete(_ c: IdempotencyClaim, resource: Int64, db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE idempotency_keys SET resource_id = \(bind: resource) WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key)"
        ).run()
    }

    /// The selected bills of the property, locked for the transaction, all of them open.
    static func openBillsForUpdate(_ matricula: String, ids: [Int64], db: any SQLDatabase, postgres: Bool) async throws -> [BillRecord] {
        let unique = Array(Set(ids)).sorted()
        var list = SQLQueryString("")
        for (i, id) in unique.enumerated() {
            if i > 0 { list.appendLiteral(", ") }
            list.appendInterpolation(bind: id)
        }
        let rows = try await db.raw(
            "SELECT \(unsafeRaw: billColumns) FROM bills WHERE matricula = \(bind: matricula) AND id IN (\(list)) ORDER BY competencia\(unsafeRaw: postgres ? " FOR UPDATE" : "")"
        ).all().map(bill)
        guard rows.count == unique.count else {
            throw APIError(status: .notFound, code: "bill_not_found", message: "Conta não encontrada para este imóvel.")
        }
        for b in rows where b.situacao != SituacaoConta.aberta.rawValue {
            let comp = Competencia(iso: b.competencia)?.formatted ?? b.competencia
            let why: String
            switch b.situacao {
            case "paga": why = "já está paga"
            case "em_revisao": why = "está em revisão (pagamento com cartão em andamento)"
            case "parcelada": why = "está num parcelamento"
            default: why = "não está em aberto"
            }
            throw APIError.conflict("A conta \(comp) \(why) e não pode ser selecionada.")
        }
        return rows
    }

    // MARK: Statements

    /// Creates the statement `make` builds from the (checked, open) bills, or replays the one
    /// created under the same idempotency key.
    func createStatement(
        matricula: String, billIds: [Int64], claim: IdempotencyClaim, createdBy: String?, now: Int64,
        make:
            @escaping @Sendable ([BillRecord], Int64) throws -> (
                issuedOn: String, dueOn: String, lines: [StatementLineRecord], barcode: String, pix: String
            )
    ) async throws -> (id: Int64, replayed: Bool) {
        let postgres = store.engine == "postgres"
        return try await store.write { db in
            if case .replay(let id) = try await Self.claim(claim, db: db, now: now) { return (id, true) }
            let bills = try await Self.openBillsForUpdate(matricula, ids: billIds, db: db, postgres: postgres)
            guard
                let idRow = try await db.raw(
                    """
                    INSERT INTO statements (matricula, created_at, issued_on, due_on, total_cents, barcode, pix, created_by)
                    VALUES (\(bind: matricula), \(bind: now), '', '', 0, '', '', \(bind: createdBy)) RETURNING id
                    """
                ).first()
            else { throw APIError.internalError }
            let id = try idRow.decode(column: "id", as: Int64.self)
            let s = try make(bills, id)
            let total = s.lines.reduce(Int64(0)) { $0 + $1.totalCents }
            try await db.raw(
                """
                UPDATE statements SET issued_on = \(bind: s.issuedOn), due_on = \(bind: s.dueOn), total_cents = \(bind: total),
                  barcode = \(bind: s.barcode), pix = \(bind: s.pix) WHERE id = \(bind: id)
                """
            ).run()
            for l in s.lines {
                try await db.raw(
                    """
                    INSERT INTO statement_lines (statement_id, bill_id, original_cents, fine_cents, interest_cents, correction_cents, days_late)
                    VALUES (\(bind: id), \(bind: l.bill.id), \(bind: l.bill.valorCents), \(bind: l.fineCents), \(bind: l.interestCents),
                            \(bind: l.correctionCents), \(bind: l.daysLate))
                    """
                ).run()
            }
            try await Self.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    func statement(_ matricula: String, id: Int64) async throws -> StatementRecord? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    "SELECT id, matricula, issued_on, due_on, total_cents, barcode, pix FROM statements WHERE id = \(bind: id) AND matricula = \(bind: matricula)"
                ).first()
            else { return nil }
            let lines = try await db.raw(
                """
                SELECT b.id, b.matricula, b.competencia, b.vencimento, l.original_cents AS valor_centavos, b.situacao, b.consumo_m3,
                       b.leitura_estimada, b.pago_em, l.fine_cents, l.interest_cents, l.correction_cents, l.days_late
                FROM statement_lines l JOIN bills b ON b.id = l.bill_id
                WHERE l.statement_id = \(bind: id) ORDER BY b.competencia
                """
            ).all().map { r in
                try StatementLineRecord(
                    bill: Self.bill(r), fineCents: r.decode(column: "fine_cents", as: Int64.self),
                    interestCents: r.decode(column: "interest_cents", as: Int64.self),
                    correctionCents: r.decode(column: "correction_cents", as: Int64.self),
                    daysLate: r.decode(column: "days_late", as: Int.self))
            }
            return try StatementRecord(
                id: row.decode(column: "id", as: Int64.self), matricula: row.decode(column: "matricula", as: String.self),
                issuedOn: row.decode(column: "issued_on", as: String.self), dueOn: row.decode(column: "due_on", as: String.self),
                totalCents: row.decode(column: "total_cents", as: Int64.self), barcode: row.decode(column: "barcode", as: String.self),
                pix: row.decode(column: "pix", as: String.self), lines: lines)
        }
    }

    /// Statements and e-mails requested for the property in the last hour (rate limit).
    func recentDocumentRequests(_ matricula: String, since: Int64) async throws -> Int {
        try await store.read { db in
            let row = try await db.raw(
                """
                SELECT (SELECT COUNT(*) FROM statements WHERE matricula = \(bind: matricula) AND created_at >= \(bind: since))
                     + (SELECT COUNT(*) FROM email_outbox WHERE matricula = \(bind: matricula) AND created_at >= \(bind: since)) AS n
                """
            ).first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }

    // MARK: Payments

    func payments(_ matricula: String) async throws -> [PaymentRecord] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT p.paid_on, p.amount_cents, p.channel, p.bill_id, b.competencia
                FROM payments p JOIN bills b ON b.id = p.bill_id
                WHERE p.matricula = \(bind: matricula) ORDER BY p.paid_on DESC, p.bill_id DESC LIMIT 60
                """
            ).all().map {
                try PaymentRecord(
                    paidOn: $0.decode(column: "paid_on", as: String.self), amountCents: $0.decode(column: "amount_cents", as: Int64.self),
                    channel: $0.decode(column: "channel", as: String.self), billId: $0.decode(column: "bill_id", as: Int64.self),
                    competencia: $0.decode(column: "competencia", as: String.self))
            }
        }
    }

    // MARK: Card payments

    /// Puts the bills under review and records the pending card payment (or replays it).
    func createCardPayment(
        matricula: String, billIds: [Int64], company: CardCompany, claim: IdempotencyClaim, createdBy: String?, now: Int64,
        expiresAt: Int64, amounts: @escaping @Sendable ([BillRecord]) -> [Int64: Int64]
    ) async throws -> (id: Int64, replayed: Bool) {
        let postgres = store.engine == "postgres"
        return try await store.write { db in
            if case .replay(let id) = try await Self.claim(claim, db: db, now: now) { return (id, true) }
            let bills = try await Self.openBillsForUpdate(matricula, ids: billIds, db: db, postgres: postgres)
            let perBill = amounts(bills)
            let amount = perBill.values.reduce(0, +)
            let fee = Money(cents: amount).share(basisPoints: Int64(company.feeBasisPoints)).cents
            guard
                let idRow = try await db.raw(
                    """
                    INSERT INTO card_payments (matricula, company, status, amount_cents, fee_cents, created_at, expires_at, created_by)
                    VALUES (\(bind: matricula), \(bind: company.id), 'pendente', \(bind: amount), \(bind: fee), \(bind: now),
                            \(bind: expiresAt), \(bind: createdBy)) RETURNING id
                    """
                ).first()
            else { throw APIError.internalError }
            let id = try idRow.decode(column: "id", as: Int64.self)
            for b in bills {
                try await db.raw(
                    "INSERT INTO card_payment_bills (card_payment_id, bill_id, amount_cents) VALUES (\(bind: id), \(bind: b.id), \(bind: perBill[b.id] ?? b.valorCents))"
                ).run()
                let changed = try await db.raw(
                    "UPDATE bills SET situacao = 'em_revisao' WHERE id = \(bind: b.id) AND situacao = 'aberta' RETURNING id"
                ).first()
                guard changed != nil else { throw APIError.conflict("Uma das contas mudou de situação. Atualize a lista.") }
            }
            try await Self.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    func setCardPaymentInstructions(id: Int64, reference: String?, instructions: String?) async throws {
        try await store.write { db in
            try await db.raw(
                "UPDATE card_payments SET company_reference = \(bind: reference), instructions = \(bind: instructions) WHERE id = \(bind: id)"
            ).run()
        }
    }

    func cardPayment(id: Int64, matricula: String?) async throws -> CardPaymentRecord? {
        try await store.read { db in
            var sql: SQLQueryString =
                "SELECT id, matricula, company, status, amount_cents, fee_cents, expires_at, instructions FROM card_payments WHERE id = \(bind: id)"
            if let matricula { sql.appendInterpolation(" AND matricula = \(bind: matricula)" as SQLQueryString) }
            guard let row = try await db.raw(sql).first() else { return nil }
            let bills = try await db.raw(
                "SELECT bill_id FROM card_payment_bills WHERE card_payment_id = \(bind: id) ORDER BY bill_id"
            ).all().map { try $0.decode(column: "bill_id", as: Int64.self) }
            return try CardPaymentRecord(
                id: row.decode(column: "id", as: Int64.self), matricula: row.decode(column: "matricula", as: String.self),
                company: row.decode(column: "company", as: String.self), status: row.decode(column: "status", as: String.self),
                amountCents: row.decode(column: "amount_cents", as: Int64.self), feeCents: row.decode(column: "fee_cents", as: Int64.self),
                expiresAt: row.decode(column: "expires_at", as: Int64.self),
                instructions: row.decode(column: "instructions", as: String?.self),
                billIds: bills)
        }
    }

    /// Settles a pending card payment: `aprovado` pays its bills (one payment record each);
    /// `recusado`, `expirado` or `falhou` release them. False when it was no longer pending.
    @discardableResult
    func settleCardPayment(id: Int64, status: String, company: String, today: CivilDate, now: Int64) async throws -> Bool {
        try await store.write { db in
            try await Self.settle(id: id, status: status, company: company, today: today, now: now, db: db)
        }
    }

    static func settle(id: Int64, status: String, company: String, today: CivilDate, now: Int64, db: any SQLDatabase) async throws -> Bool {
        let changed = try await db.raw(
            "UPDATE card_payments SET status = \(bind: status), decided_at = \(bind: now) WHERE id = \(bind: id) AND status = 'pendente' RETURNING matricula"
        ).first()
        guard let changed else { return false }
        let matricula = try changed.decode(column: "matricula", as: String.self)
        let lines = try await db.raw("SELECT bill_id, amount_cents FROM card_payment_bills WHERE card_payment_id = \(bind: id)").all()
        for l in lines {
            let billId = try l.decode(column: "bill_id", as: Int64.self)
            if status == "aprovado" {
                try await db.raw(
                    "UPDATE bills SET situacao = 'paga', pago_em = \(bind: today.iso) WHERE id = \(bind: billId) AND situacao = 'em_revisao'"
                ).run()
                try await db.raw(
                    """
                    INSERT INTO payments (matricula, bill_id, paid_on, amount_cents, channel, reference)
                    VALUES (\(bind: matricula), \(bind: billId), \(bind: today.iso), \(bind: try l.decode(column: "amount_cents", as: Int64.self)),
                            \(bind: "cartao:\(company)"), \(bind: "AV-CP-\(id)"))
                    ON CONFLICT (bill_id) DO NOTHING
                    """
                ).run()
            } else {
                try await db.raw("UPDATE bills SET situacao = 'aberta' WHERE id = \(bind: billId) AND situacao = 'em_revisao'").run()
            }
        }
        return true
    }

    /// Releases the bills of card payments nobody decided in time. Returns how many expired.
    func expireCardPayments(now: Int64, today: CivilDate) async throws -> Int {
        let due = try await store.read { db in
            try await db.raw(
                "SELECT id, company FROM card_payments WHERE status = 'pendente' AND expires_at < \(bind: now) ORDER BY expires_at LIMIT 100"
            ).all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "company", as: String.self)) }
        }
        var n = 0
        for (id, company) in due where try await settleCardPayment(id: id, status: "expirado", company: company, today: today, now: now) {
            n += 1
        }
        return n
    }

    // MARK: E-mail outbox

    /// Queues an e-mail in the same transaction as its idempotency key (or replays it).
    func enqueueEmail(
        matricula: String, recipient: String, kind: String, documentId: Int64, claim: IdempotencyClaim, requestedBy: String?, now: Int64
    ) async throws -> (id: Int64, replayed: Bool) {
        try await store.write { db in
            if case .replay(let id) = try await Self.claim(claim, db: db, now: now) { return (id, true) }
            let dedupe = "\(UUID().uuidString.lowercased())@agencia"
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO email_outbox (dedupe_key, matricula, recipient, document_kind, document_id, status, attempts,
                                              next_attempt_at, created_at, requested_by)
                    VALUES (\(bind: dedupe), \(bind: matricula), \(bind: recipient), \(bind: kind), \(bind: documentId), 'pendente', 0,
                            \(bind: now), \(bind: now), \(bind: requestedBy)) RETURNING id
                    """
                ).first()
            else { throw APIError.internalError }
            let id = try row.decode(column: "id", as: Int64.self)
            try await Self.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    func emailStatus(id: Int64) async throws -> (recipient: String, status: String)? {
        try await store.read { db in
            try await db.raw("SELECT recipient, status FROM email_outbox WHERE id = \(bind: id)").first().map {
                (try $0.decode(column: "recipient", as: String.self), try $0.decode(column: "status", as: String.self))
            }
        }
    }

    /// Claims the oldest message due for sending, leasing it for `lease` seconds: two senders
    /// never hold the same row (SKIP LOCKED on PostgreSQL; the single writer on SQLite).
    func claimEmail(now: Int64, lease: Int64) async throws -> OutboxRecord? {
        let lock = store.engine == "postgres" ? " FOR UPDATE SKIP LOCKED" : ""
        return try await store.write { db in
            guard
                let row = try await db.raw(
                    """
                    UPDATE email_outbox SET claimed_until = \(bind: now + lease), attempts = attempts + 1
                    WHERE id = (SELECT id FROM email_outbox
                                WHERE status = 'pendente' AND next_attempt_at <= \(bind: now)
                                  AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                                ORDER BY next_attempt_at, id LIMIT 1\(unsafeRaw: lock))
                    RETURNING id, dedupe_key, matricula, recipient, document_kind, document_id, attempts
                    """
                ).first()
            else { return nil }
            return try OutboxRecord(
                id: row.decode(column: "id", as: Int64.self), dedupeKey: row.decode(column: "dedupe_key", as: String.self),
                matricula: row.decode(column: "matricula", as: String.self), recipient: row.decode(column: "recipient", as: String.self),
                documentKind: row.decode(column: "document_kind", as: String.self),
                documentId: row.decode(column: "document_id", as: Int64.self),
                attempts: row.decode(column: "attempts", as: Int.self))
        }
    }

    func markEmailSent(id: Int64, now: Int64) async throws {
        try await store.write { db in
            try await db.raw(
                "UPDATE email_outbox SET status = 'enviado', sent_at = \(bind: now), claimed_until = NULL, last_error = NULL WHERE id = \(bind: id)"
            ).run()
        }
    }

    func markEmailFailed(id: Int64, error: String, retryAt: Int64?, now: Int64) async throws {
        try await store.write { db in
            try await db.raw(
                """
                UPDATE email_outbox SET status = \(bind: retryAt == nil ? "falhou" : "pendente"),
                  next_attempt_at = \(bind: retryAt ?? now), claimed_until = NULL, last_error = \(bind: String(error.prefix(500)))
                WHERE id = \(bind: id)
                """
            ).run()
        }
    }
}
