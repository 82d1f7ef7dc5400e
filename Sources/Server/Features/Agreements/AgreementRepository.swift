import Domain
import Foundation
import SQLKit

/// An installment agreement as stored (issue 13).
struct Agreement: Sendable {
    enum Status: String, Sendable { case ativo, quitado, rompido }

    struct Installment: Sendable {
        /// 0: the down payment; 1…n the installments.
        var seq: Int
        var due: CivilDate
        var amount: Money
        var barcode: String
        var pix: String
        var paidOn: CivilDate?
    }

    struct BillLine: Sendable {
        var billId: Int64
        var competencia: Competencia
        var amount: Money
    }

    var id: Int64
    var matricula: String
    var kind: String
    var status: Status
    var debt: Money
    var downPayment: Money
    var count: Int
    var rateBasisPoints: Int
    var signedOn: CivilDate
    var signerDocument: String
    var channel: String
    var staff: String?
    var endReason: String?
    var bills: [BillLine]
    var installments: [Installment]
}

/// Agreements (issue 13): signed in one transaction with their bills and installments. Served by
/// the primary keys and `agreements_matricula`.
struct AgreementRepository: Sendable {
    let store: any Store

    /// What signing needs once the agreement's id is known: each installment's due date, amount
    /// and codes.
    struct Draft: Sendable {
        var kind: String
        var debt: Money
        var downPayment: Money
        var rateBasisPoints: Int
        var signedOn: CivilDate
        var signerDocument: String
        var channel: String
        var staff: String?
        var bills: [(id: Int64, amount: Money)]
        /// `seq` 0 the down payment (when there is one), 1…n the installments.
        var schedule: [(seq: Int, due: CivilDate, amount: Money)]
        var codes: @Sendable (_ id: Int64, _ seq: Int, _ amount: Money, _ due: CivilDate) throws -> (barcode: String, pix: String)
    }

    /// Signs: the bills (still open, locked) move to `parcelada`, the agreement and its
    /// installments are written — or the agreement signed under the same key is replayed.
    /// Another active agreement of the property refuses it, inside the transaction.
    func sign(_ matricula: String, _ d: Draft, claim: IdempotencyClaim, now: Int64) async throws -> (id: Int64, replayed: Bool) {
        let engine = store.engine
        return try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) { return (id, true) }
            if engine == .postgres {
                try await db.raw("SELECT matricula FROM properties WHERE matricula = \(bind: matricula) FOR UPDATE").run()
            }
            if try await db.raw(
                "SELECT id FROM agreements WHERE matricula = \(bind: matricula) AND kind = \(bind: d.kind) AND status = 'ativo'"
            ).first() != nil {
                throw APIError.conflict("Já existe um parcelamento em andamento para este imóvel.")
            }
            _ = try await BillRepository.openForUpdate(matricula, ids: d.bills.map(\.id), db: db, engine: engine)
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO agreements (matricula, kind, status, debt_cents, down_payment_cents, installment_count, rate_bp, signed_on,
                      signed_at, signer_document, channel, staff)
                    VALUES (\(bind: matricula), \(bind: d.kind), 'ativo', \(bind: d.debt.cents), \(bind: d.downPayment.cents),
                      \(bind: d.schedule.filter { $0.seq > 0 }.count), \(bind: d.rateBasisPoints), \(bind: d.signedOn.iso), \(bind: now),
                      \(bind: d.signerDocument), \(bind: d.channel), \(bind: d.staff))
                    RETURNING id
                    """
                ).first()
            else { throw StorageError.corrupt("agreements: no id returned") }
            let id = try row.decode(column: "id", as: Int64.self)
            for b in d.bills {
                guard try await BillRepository.move(b.id, from: .aberta, to: .parcelada, db: db) else {
                    throw APIError.conflict("Uma das contas mudou de situação enquanto o acordo era assinado: simule de novo.")
                }
                try await db.raw(
                    "INSERT INTO agreement_bills (agreement_id, bill_id, amount_cents) VALUES (\(bind: id), \(bind: b.id), \(bind: b.amount.cents))"
                ).run()
            }
            for s in d.schedule {
                let codes = try d.codes(id, s.seq, s.amount, s.due)
                try await db.raw(
                    """
                    INSERT INTO agreement_installments (agreement_id, seq, due_on, amount_cents, barcode, pix)
                    VALUES (\(bind: id), \(bind: s.seq), \(bind: s.due.iso), \(bind: s.amount.cents), \(bind: codes.barcode), \(bind: codes.pix))
                    """
                ).run()
            }
            try await Idempotency.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    /// The property's agreements, newest first.
    func agreements(_ matricula: String) async throws -> [Agreement] {
        let ids = try await store.read { db in
            try await db.raw("SELECT id FROM agreements WHERE matricula = \(bind: matricula) ORDER BY id DESC LIMIT 100").all().map {
                try $0.decode(column: "id", as: Int64.self)
            }
        }
        var out: [Agreement] = []
        for id in ids { if let a = try await agreement(matricula, id: id) { out.append(a) } }
        return out
    }

    /// One agreement of the property (nil for another property's).
    func agreement(_ matricula: String, id: Int64) async throws -> Agreement? {
        try await store.read { db in
            guard
                let r = try await db.raw(
                    """
                    SELECT id, matricula, kind, status, debt_cents, down_payment_cents, installment_count, rate_bp, signed_on,
                      signer_document, channel, staff, end_reason
                    FROM agreements WHERE id = \(bind: id) AND matricula = \(bind: matricula)
                    """
                ).first()
            else { return nil }
            let bills = try await db.raw(
                """
                SELECT a.bill_id, a.amount_cents, b.competencia FROM agreement_bills a JOIN bills b ON b.id = a.bill_id
                WHERE a.agreement_id = \(bind: id) ORDER BY b.competencia
                """
            ).all().map { b in
                guard let comp = Competencia(iso: try b.decode(column: "competencia", as: String.self)) else {
                    throw StorageError.corrupt("agreement \(id) bill")
                }
                return Agreement.BillLine(
                    billId: try b.decode(column: "bill_id", as: Int64.self), competencia: comp,
                    amount: Money(cents: try b.decode(column: "amount_cents", as: Int64.self)))
            }
            let installments = try await db.raw(
                """
                SELECT seq, due_on, amount_cents, barcode, pix, paid_on FROM agreement_installments
                WHERE agreement_id = \(bind: id) ORDER BY seq
                """
            ).all().map { i in
                guard let due = CivilDate(iso: try i.decode(column: "due_on", as: String.self)) else {
                    throw StorageError.corrupt("agreement \(id) installment")
                }
                return Agreement.Installment(
                    seq: try i.decode(column: "seq", as: Int.self), due: due,
                    amount: Money(cents: try i.decode(column: "amount_cents", as: Int64.self)),
                    barcode: try i.decode(column: "barcode", as: String.self), pix: try i.decode(column: "pix", as: String.self),
                    paidOn: try i.decode(column: "paid_on", as: String?.self).flatMap(CivilDate.init(iso:)))
            }
            guard let signedOn = CivilDate(iso: try r.decode(column: "signed_on", as: String.self)),
                let status = Agreement.Status(rawValue: try r.decode(column: "status", as: String.self))
            else { throw StorageError.corrupt("agreement \(id)") }
            return Agreement(
                id: id, matricula: try r.decode(column: "matricula", as: String.self), kind: try r.decode(column: "kind", as: String.self),
                status: status, debt: Money(cents: try r.decode(column: "debt_cents", as: Int64.self)),
                downPayment: Money(cents: try r.decode(column: "down_payment_cents", as: Int64.self)),
                count: try r.decode(column: "installment_count", as: Int.self),
                rateBasisPoints: try r.decode(column: "rate_bp", as: Int.self),
                signedOn: signedOn, signerDocument: try r.decode(column: "signer_document", as: String.self),
                channel: try r.decode(column: "channel", as: String.self), staff: try r.decode(column: "staff", as: String?.self),
                endReason: try r.decode(column: "end_reason", as: String?.self), bills: bills, installments: installments)
        }
    }

    /// Breaks the active agreements whose late installments pass the rule (`agreements.
    /// maxOverdueInstallments`, `.maxOverdueDays`), with the reason. Two instances may both look:
    /// the status change inside the transaction lets one of them do it. Returns how many broke.
    func breakLate(settings: AgreementSettings, today: CivilDate, calendar: BusinessCalendar, now: Int64) async throws -> Int {
        var broken = 0
        for (id, matricula) in try await withLateInstallments(before: today) {
            guard let a = try await agreement(matricula, id: id) else { continue }
            let standing = AgreementStanding.evaluate(
                a.installments.map { .init(due: $0.due, paid: $0.paidOn != nil) }, today: today, calendar: calendar,
                maxOverdueInstallments: settings.maxOverdueInstallments, maxOverdueDays: settings.maxOverdueDays)
            guard case .rompido(let reason) = standing else { continue }
            if try await breakAgreement(a, reason: "Rompido em \(today.formatted): \(reason)", now: now) { broken += 1 }
        }
        return broken
    }

    /// Active agreements with an installment unpaid past its due date, for the breaking check.
    func withLateInstallments(before today: CivilDate) async throws -> [(id: Int64, matricula: String)] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT a.id, a.matricula FROM agreements a WHERE a.status = 'ativo' AND EXISTS (
                  SELECT 1 FROM agreement_installments i WHERE i.agreement_id = a.id AND i.paid_on IS NULL AND i.due_on < \(bind: today.iso))
                ORDER BY a.id
                """
            ).all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "matricula", as: String.self)) }
        }
    }

    /// Breaks an active agreement: what its payments amortised settles its bills oldest first
    /// (`AgreementBreak`), the rest return open. False when it was no longer active (another
    /// instance broke it, or it was paid meanwhile).
    func breakAgreement(_ a: Agreement, reason: String, now: Int64) async throws -> Bool {
        let originals = try await store.read { db in
            var sql: SQLQueryString = "SELECT id, valor_centavos - abatido_centavos AS valor_centavos FROM bills WHERE id IN ("
            DeclaracaoRepository.appendList(&sql, a.bills.map(\.billId))
            sql.appendLiteral(")")
            return Dictionary(
                try await db.raw(sql).all().map {
                    (try $0.decode(column: "id", as: Int64.self), Money(cents: try $0.decode(column: "valor_centavos", as: Int64.self)))
                }, uniquingKeysWith: { x, _ in x })
        }
        let down = a.installments.first { $0.seq == 0 }
        let outcome = AgreementBreak.settle(
            bills: a.bills.map { .init(id: $0.billId, amount: $0.amount, original: originals[$0.billId] ?? $0.amount) },
            downPayment: a.downPayment, downPaymentPaid: down?.paidOn != nil,
            installments: a.installments.filter { $0.seq > 0 }.map { ($0.amount, $0.paidOn != nil) }, rateBasisPoints: a.rateBasisPoints)
        let lastPaid = a.installments.compactMap(\.paidOn).max()
        return try await store.write { db in
            guard
                try await db.raw(
                    """
                    UPDATE agreements SET status = 'rompido', ended_at = \(bind: now), end_reason = \(bind: reason)
                    WHERE id = \(bind: a.id) AND status = 'ativo' RETURNING id
                    """
                ).first() != nil
            else { return false }
            for id in outcome.paid {
                guard try await BillRepository.move(id, from: .parcelada, to: .paga, paidOn: lastPaid, db: db), let paidOn = lastPaid else {
                    continue
                }
                try await db.raw(
                    """
                    INSERT INTO payments (matricula, bill_id, paid_on, amount_cents, channel, reference)
                    VALUES (\(bind: a.matricula), \(bind: id), \(bind: paidOn.iso), \(bind: originals[id]?.cents ?? 0), 'acordo',
                      \(bind: "acordo \(a.id) (rompido)"))
                    ON CONFLICT (bill_id) DO NOTHING
                    """
                ).run()
            }
            for r in outcome.reopened {
                let abatido = (originals[r.id]?.cents ?? r.remaining.cents) - r.remaining.cents
                try await db.raw(
                    """
                    UPDATE bills SET situacao = 'aberta', abatido_centavos = abatido_centavos + \(bind: abatido)
                    WHERE id = \(bind: r.id) AND situacao = 'parcelada'
                    """
                ).run()
            }
            return true
        }
    }

    /// Whether the property has an active agreement of this kind (one of each at most).
    func hasActive(_ matricula: String, kind: AgreementKind) async throws -> Bool {
        try await store.read { db in
            try await db.raw(
                "SELECT id FROM agreements WHERE matricula = \(bind: matricula) AND kind = \(bind: kind.rawValue) AND status = 'ativo'"
            ).first() != nil
        }
    }

    /// The property's due day (installments fall due on it).
    func dueDay(_ matricula: String) async throws -> Int {
        try await store.read { db in
            try await db.raw("SELECT dia_vencimento FROM properties WHERE matricula = \(bind: matricula)").first()?
                .decode(column: "dia_vencimento", as: Int.self) ?? 10
        }
    }
}
