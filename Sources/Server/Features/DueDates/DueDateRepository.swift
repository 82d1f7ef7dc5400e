import Domain
import Foundation
import SQLKit

/// Who changed a property's due day, when, from which day to which.
struct DueDateChange: Sendable {
    enum Channel: String, Sendable {
        case autoatendimento, balcao
    }

    var id: Int64
    var fromDay: Int
    var toDay: Int
    var changedOn: CivilDate
    var channel: Channel
    /// The attendant, for a change made at a counter.
    var staff: String?
}

/// A property's due day and its changes (DECISIONS 26). Served by the primary key of
/// `properties`, `due_date_changes_matricula` and `bills_matricula_competencia`.
struct DueDateRepository: Sendable {
    let store: any Store

    static func dueDateChange(_ row: any SQLRow) throws -> DueDateChange {
        let on = try row.decode(column: "changed_on", as: String.self)
        let channel = try row.decode(column: "channel", as: String.self)
        guard let changedOn = CivilDate(iso: on), let ch = DueDateChange.Channel(rawValue: channel) else {
            throw StorageError.corrupt("due_date_changes \(on) \(channel)")
        }
        return DueDateChange(
            id: try row.decode(column: "id", as: Int64.self), fromDay: try row.decode(column: "from_day", as: Int.self),
            toDay: try row.decode(column: "to_day", as: Int.self), changedOn: changedOn, channel: ch,
            staff: try row.decode(column: "staff_usuario", as: String?.self))
    }

    static let dueDateChangeColumns = "id, from_day, to_day, changed_on, channel, staff_usuario"

    /// The property's due day, its last change and the first competência not billed yet.
    func dueDate(_ matricula: String) async throws -> (day: Int, last: DueDateChange?, next: Competencia?) {
        try await store.read { db in try await Self.dueDate(matricula, db: db, lock: false) }
    }

    static func dueDate(_ matricula: String, db: any SQLDatabase, lock: Bool) async throws -> (
        day: Int, last: DueDateChange?, next: Competencia?
    ) {
        guard
            let p = try await db.raw(
                "SELECT dia_vencimento FROM properties WHERE matricula = \(bind: matricula)\(unsafeRaw: lock ? " FOR UPDATE" : "")"
            ).first()
        else { throw StorageError.propertyNotFound }
        let last = try await db.raw(
            """
            SELECT \(unsafeRaw: dueDateChangeColumns) FROM due_date_changes WHERE matricula = \(bind: matricula)
            ORDER BY changed_at DESC, id DESC LIMIT 1
            """
        ).first().map(dueDateChange)
        let newest = try await db.raw(
            "SELECT competencia FROM bills WHERE matricula = \(bind: matricula) ORDER BY competencia DESC LIMIT 1"
        ).first()?.decode(column: "competencia", as: String.self)
        return (try p.decode(column: "dia_vencimento", as: Int.self), last, newest.flatMap(Competencia.init(iso:))?.adding(months: 1))
    }

    /// Moves the due day in one transaction with the idempotency claim: `check` sees the current
    /// day and last change (the property row locked on PostgreSQL; SQLite has one writer).
    func changeDueDay(
        _ matricula: String, to day: Int, claim: IdempotencyClaim, channel: DueDateChange.Channel, staff: String?, today: CivilDate,
        now: Int64,
        check: @escaping @Sendable (_ current: Int, _ last: DueDateChange?) throws -> Void
    ) async throws -> (change: DueDateChange, next: Competencia?, replayed: Bool) {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) {
                guard
                    let row = try await db.raw(
                        "SELECT \(unsafeRaw: Self.dueDateChangeColumns) FROM due_date_changes WHERE id = \(bind: id)"
                    ).first()
                else { throw StorageError.corrupt("due_date_changes") }
                return (try Self.dueDateChange(row), try await Self.dueDate(matricula, db: db, lock: false).next, true)
            }
            let current = try await Self.dueDate(matricula, db: db, lock: postgres)
            try check(current.day, current.last)
            try await db.raw("UPDATE properties SET dia_vencimento = \(bind: day) WHERE matricula = \(bind: matricula)").run()
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO due_date_changes (matricula, from_day, to_day, changed_on, changed_at, channel, staff_usuario)
                    VALUES (\(bind: matricula), \(bind: current.day), \(bind: day), \(bind: today.iso), \(bind: now), \(bind: channel.rawValue), \(bind: staff))
                    RETURNING \(unsafeRaw: Self.dueDateChangeColumns)
                    """
                ).first()
            else { throw StorageError.corrupt("due_date_changes") }
            let change = try Self.dueDateChange(row)
            try await Idempotency.complete(claim, resource: change.id, db: db)
            return (change, current.next, false)
        }
    }
}
