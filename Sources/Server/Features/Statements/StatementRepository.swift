import Domain
import Foundation
import SQLKit

/// A payment statement as issued: its bills with the charges computed to its due date, and the
/// one barcode and PIX for the sum. Stored, so a reprint is the same document (DECISIONS 18).
struct Statement: Sendable {
    struct Line: Sendable {
        var bill: Bill
        var charges: LateCharges
    }

    var id: Int64
    var matricula: String
    var issuedOn: CivilDate
    var due: CivilDate
    var total: Money
    var barcode: String
    var pix: String
    var lines: [Line]
}

/// Statements (issue 3), created in one transaction with their idempotency key. Served by the
/// primary keys of `statements` and `statement_lines` and `statements_matricula`.
struct StatementRepository: Sendable {
    let store: any Store

    /// What a new statement carries, built once its number is known.
    struct Draft: Sendable {
        var issuedOn: CivilDate
        var due: CivilDate
        var lines: [Statement.Line]
        var barcode: String
        var pix: String
    }

    /// How a request for a statement ended.
    enum Outcome: Sendable, Equatable {
        case created
        /// The same idempotency key was used before: its statement.
        case replayed
        /// The same bills already have a statement issued today (still valid): that one.
        case existing
    }

    /// Creates the statement `make` builds from the (checked, open) bills, or replays the one
    /// created under the same idempotency key, or returns the one issued on `today` for the
    /// same bills (one debt never gets two barcodes on a day).
    func create(
        matricula: String, billIds: [Int64], today: CivilDate, claim: IdempotencyClaim, createdBy: String?, now: Int64,
        make: @escaping @Sendable ([Bill], Int64) throws -> Draft
    ) async throws -> (id: Int64, outcome: Outcome) {
        let engine = store.engine
        return try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) { return (id, .replayed) }
            let bills = try await BillRepository.openForUpdate(matricula, ids: billIds, db: db, engine: engine)
            if let id = try await Self.issued(matricula, on: today, billIds: Set(billIds), db: db) {
                try await Idempotency.complete(claim, resource: id, status: 200, db: db)
                return (id, .existing)
            }
            guard
                let idRow = try await db.raw(
                    """
                    INSERT INTO statements (matricula, created_at, issued_on, due_on, total_cents, barcode, pix, created_by)
                    VALUES (\(bind: matricula), \(bind: now), '', '', 0, '', '', \(bind: createdBy)) RETURNING id
                    """
                ).first()
            else { throw StorageError.corrupt("statements: no id returned") }
            let id = try idRow.decode(column: "id", as: Int64.self)
            let s = try make(bills, id)
            let total = s.lines.reduce(Money.zero) { $0 + $1.charges.total }
            try await db.raw(
                """
                UPDATE statements SET issued_on = \(bind: s.issuedOn.iso), due_on = \(bind: s.due.iso), total_cents = \(bind: total.cents),
                  barcode = \(bind: s.barcode), pix = \(bind: s.pix) WHERE id = \(bind: id)
                """
            ).run()
            for l in s.lines {
                let c = l.charges
                try await db.raw(
                    """
                    INSERT INTO statement_lines (statement_id, bill_id, original_cents, fine_cents, interest_cents, correction_cents, days_late)
                    VALUES (\(bind: id), \(bind: l.bill.id), \(bind: l.bill.value.cents), \(bind: c.fine.cents), \(bind: c.interest.cents),
                            \(bind: c.correction.cents), \(bind: c.daysLate))
                    """
                ).run()
            }
            try await Idempotency.complete(claim, resource: id, db: db)
            return (id, .created)
        }
    }

    /// The statement issued on `day` for exactly `billIds`, if any (a statement issued today is
    /// valid until at least today).
    private static func issued(_ matricula: String, on day: CivilDate, billIds: Set<Int64>, db: any SQLDatabase) async throws -> Int64? {
        let rows = try await db.raw(
            """
            SELECT s.id, l.bill_id FROM statements s JOIN statement_lines l ON l.statement_id = s.id
            WHERE s.matricula = \(bind: matricula) AND s.issued_on = \(bind: day.iso) AND s.due_on >= \(bind: day.iso) AND s.voided_at IS NULL
            """
        ).all()
        var lines: [Int64: Set<Int64>] = [:]
        for r in rows { try lines[r.decode(column: "id", as: Int64.self), default: []].insert(r.decode(column: "bill_id", as: Int64.self)) }
        return lines.filter { $0.value == billIds }.keys.min()
    }

    func statement(_ matricula: String, id: Int64) async throws -> Statement? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    "SELECT id, matricula, issued_on, due_on, total_cents, barcode, pix, voided_reason FROM statements WHERE id = \(bind: id) AND matricula = \(bind: matricula)"
                ).first()
            else { return nil }
            // Voided by a load from the utility's system (a bill of it changed there): not payable.
            if let reason = try row.decode(column: "voided_reason", as: String?.self) {
                throw APIError(status: .gone, code: "statement_voided", message: "Extrato cancelado. \(reason)")
            }
            let lines = try await db.raw(
                """
                SELECT b.id, b.matricula, b.competencia, b.vencimento, l.original_cents AS valor_centavos, b.situacao, b.consumo_m3,
                       b.leitura_estimada, b.pago_em, b.divida_ativa_em, l.fine_cents, l.interest_cents, l.correction_cents, l.days_late
                FROM statement_lines l JOIN bills b ON b.id = l.bill_id
                WHERE l.statement_id = \(bind: id) ORDER BY b.competencia
                """
            ).all().map { r in
                let bill = try BillRepository.bill(r)
                return try Statement.Line(
                    bill: bill,
                    charges: LateCharges(
                        stored: bill.value, days: r.decode(column: "days_late", as: Int.self),
                        fine: r.decode(column: "fine_cents", as: Int64.self), interest: r.decode(column: "interest_cents", as: Int64.self),
                        correction: r.decode(column: "correction_cents", as: Int64.self)))
            }
            let issued = try row.decode(column: "issued_on", as: String.self)
            let due = try row.decode(column: "due_on", as: String.self)
            guard let issuedOn = CivilDate(iso: issued), let dueOn = CivilDate(iso: due) else {
                throw StorageError.corrupt("statement \(id) dates")
            }
            return try Statement(
                id: row.decode(column: "id", as: Int64.self), matricula: row.decode(column: "matricula", as: String.self),
                issuedOn: issuedOn, due: dueOn, total: Money(cents: row.decode(column: "total_cents", as: Int64.self)),
                barcode: row.decode(column: "barcode", as: String.self), pix: row.decode(column: "pix", as: String.self), lines: lines)
        }
    }
}
