import Documents
import Domain
import SQLKit

/// A card payment of some bills through an accredited company.
struct CardPayment: Sendable {
    var id: Int64
    var matricula: String
    var company: String
    var status: CardPaymentStatus
    var amount: Money
    var fee: Money
    /// Epoch seconds; an undecided payment is expired after it and its bills released.
    var expiresAt: Int64
    var instructions: String?
    var billIds: [Int64]
    /// The company's own number for the negotiation, once it took it.
    var companyReference: String?
    /// Epoch seconds of the decision (approved, declined, expired).
    var decidedAt: Int64?
}

/// Card payments (DECISIONS 22): the bills go "em revisão" in the transaction that records the
/// pending payment; a decision pays or releases them. Served by `card_payments_matricula`,
/// `card_payments_pending` and the primary keys.
struct CardPaymentRepository: Sendable {
    let store: any Store

    /// Puts the bills under review and records the pending card payment (or replays it).
    func create(
        matricula: String, billIds: [Int64], company: CardCompany, claim: IdempotencyClaim, createdBy: String?, now: Int64,
        expiresAt: Int64, amounts: @escaping @Sendable ([Bill]) -> [Int64: Money]
    ) async throws -> (id: Int64, replayed: Bool) {
        let engine = store.engine
        return try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) { return (id, true) }
            let bills = try await BillRepository.openForUpdate(matricula, ids: billIds, db: db, engine: engine)
            let perBill = amounts(bills)
            let amount = perBill.values.reduce(Money.zero, +)
            let fee = amount.share(basisPoints: Int64(company.feeBasisPoints))
            guard
                let idRow = try await db.raw(
                    """
                    INSERT INTO card_payments (matricula, company, status, amount_cents, fee_cents, created_at, expires_at, created_by)
                    VALUES (\(bind: matricula), \(bind: company.id), \(bind: CardPaymentStatus.pendente.rawValue), \(bind: amount.cents),
                            \(bind: fee.cents), \(bind: now), \(bind: expiresAt), \(bind: createdBy)) RETURNING id
                    """
                ).first()
            else { throw StorageError.corrupt("card_payments: no id returned") }
            let id = try idRow.decode(column: "id", as: Int64.self)
            for b in bills {
                try await db.raw(
                    "INSERT INTO card_payment_bills (card_payment_id, bill_id, amount_cents) VALUES (\(bind: id), \(bind: b.id), \(bind: (perBill[b.id] ?? b.value).cents))"
                ).run()
                guard try await BillRepository.move(b.id, from: .aberta, to: .emRevisao, db: db) else { throw StorageError.billChanged }
            }
            try await Idempotency.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    func setInstructions(id: Int64, reference: String?, instructions: String?) async throws {
        try await store.write { db in
            try await db.raw(
                "UPDATE card_payments SET company_reference = \(bind: reference), instructions = \(bind: instructions) WHERE id = \(bind: id)"
            ).run()
        }
    }

    /// The card payment, of this property when `matricula` is given.
    func cardPayment(id: Int64, matricula: String?) async throws -> CardPayment? {
        try await store.read { db in
            var sql: SQLQueryString =
                """
                SELECT id, matricula, company, status, amount_cents, fee_cents, expires_at, instructions, company_reference, decided_at
                FROM card_payments WHERE id = \(bind: id)
                """
            if let matricula { sql.appendInterpolation(" AND matricula = \(bind: matricula)" as SQLQueryString) }
            guard let row = try await db.raw(sql).first() else { return nil }
            let bills = try await db.raw(
                "SELECT bill_id FROM card_payment_bills WHERE card_payment_id = \(bind: id) ORDER BY bill_id"
            ).all().map { try $0.decode(column: "bill_id", as: Int64.self) }
            let raw = try row.decode(column: "status", as: String.self)
            guard let status = CardPaymentStatus(rawValue: raw) else { throw StorageError.corrupt("card_payments.status \(raw)") }
            return try CardPayment(
                id: row.decode(column: "id", as: Int64.self), matricula: row.decode(column: "matricula", as: String.self),
                company: row.decode(column: "company", as: String.self), status: status,
                amount: Money(cents: row.decode(column: "amount_cents", as: Int64.self)),
                fee: Money(cents: row.decode(column: "fee_cents", as: Int64.self)),
                expiresAt: row.decode(column: "expires_at", as: Int64.self),
                instructions: row.decode(column: "instructions", as: String?.self), billIds: bills,
                companyReference: row.decode(column: "company_reference", as: String?.self),
                decidedAt: row.decode(column: "decided_at", as: Int64?.self))
        }
    }

    /// The bills a card payment paid, oldest first, with the amount each was paid for.
    func receiptLines(id: Int64) async throws -> [CardReceipt.Line] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT b.competencia, b.vencimento, l.amount_cents FROM card_payment_bills l JOIN bills b ON b.id = l.bill_id
                WHERE l.card_payment_id = \(bind: id) ORDER BY b.competencia
                """
            ).all().map { r in
                let comp = try r.decode(column: "competencia", as: String.self)
                let due = try r.decode(column: "vencimento", as: String.self)
                guard let c = Competencia(iso: comp), let d = CivilDate(iso: due) else { throw StorageError.corrupt("bill \(comp) \(due)") }
                return CardReceipt.Line(competencia: c, due: d, amount: Money(cents: try r.decode(column: "amount_cents", as: Int64.self)))
            }
        }
    }

    /// Settles a pending card payment: `aprovado` pays its bills (one payment record each);
    /// `recusado`, `expirado` or `falhou` release them. False when it was no longer pending.
    @discardableResult
    func settle(id: Int64, status: CardPaymentStatus, company: String, today: CivilDate, now: Int64) async throws -> Bool {
        try await store.write { db in
            let changed = try await db.raw(
                """
                UPDATE card_payments SET status = \(bind: status.rawValue), decided_at = \(bind: now)
                WHERE id = \(bind: id) AND status = \(bind: CardPaymentStatus.pendente.rawValue) RETURNING matricula
                """
            ).first()
            guard let changed else { return false }
            let matricula = try changed.decode(column: "matricula", as: String.self)
            let lines = try await db.raw("SELECT bill_id, amount_cents FROM card_payment_bills WHERE card_payment_id = \(bind: id)").all()
            for l in lines {
                let billId = try l.decode(column: "bill_id", as: Int64.self)
                if status == .aprovado {
                    _ = try await BillRepository.move(billId, from: .emRevisao, to: .paga, paidOn: today, db: db)
                    try await db.raw(
                        """
                        INSERT INTO payments (matricula, bill_id, paid_on, amount_cents, channel, reference)
                        VALUES (\(bind: matricula), \(bind: billId), \(bind: today.iso), \(bind: try l.decode(column: "amount_cents", as: Int64.self)),
                                \(bind: "cartao:\(company)"), \(bind: "AV-CP-\(id)"))
                        ON CONFLICT (bill_id) DO NOTHING
                        """
                    ).run()
                } else {
                    _ = try await BillRepository.move(billId, from: .emRevisao, to: .aberta, db: db)
                }
            }
            return true
        }
    }

    /// Releases the bills of card payments nobody decided in time. Returns how many expired.
    func expire(now: Int64, today: CivilDate) async throws -> Int {
        let due = try await store.read { db in
            try await db.raw(
                """
                SELECT id, company FROM card_payments WHERE status = \(bind: CardPaymentStatus.pendente.rawValue)
                AND expires_at < \(bind: now) ORDER BY expires_at LIMIT 100
                """
            ).all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "company", as: String.self)) }
        }
        var n = 0
        for (id, company) in due where try await settle(id: id, status: .expirado, company: company, today: today, now: now) {
            n += 1
        }
        return n
    }
}
