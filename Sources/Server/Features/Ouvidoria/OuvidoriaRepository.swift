import Domain
import SQLKit

/// Ouvidoria manifestations (issue 12, Lei 13.460/2017): protocols marked `ouvidoria`. Their
/// counters, the overdue list and the daily alerts are served by `protocols_ouvidoria`.
struct OuvidoriaRepository: Sendable {
    let store: any Store
    let unit: String

    /// Registers a manifestation (a protocol with the next number) and, with an alert address,
    /// queues the unit's alert in the same transaction; or replays the one under the same key.
    func create(
        _ d: ProtocolDraft, year: Int, alertTo email: String?, today: CivilDate, claim: IdempotencyClaim, now: Int64
    ) async throws -> (ProtocolNumber, replayed: Bool) {
        try await store.write { db in
            if case .replay(let compact) = try await Idempotency.claim(claim, db: db, now: now) {
                guard let n = ProtocolNumber(parsing: String(compact)) else { throw StorageError.corrupt("protocol key \(compact)") }
                return (n, true)
            }
            let number = try await ProtocolRepository.insert(d, year: year, now: now, db: db)
            guard let key = Int64(number.compact) else { throw StorageError.corrupt("protocol number") }
            if let email { try await Self.alert(email: email, number: key, today: today, now: now, db: db) }
            try await Idempotency.complete(claim, resource: key, db: db)
            return (number, false)
        }
    }

    /// Manifestations waiting for the ouvidoria to receive them, and open ones past the deadline.
    func counters(now: Int64) async throws -> (unreceived: Int, overdue: Int) {
        try await store.read { db in
            let row = try await db.raw(
                """
                SELECT
                  (SELECT COUNT(*) FROM protocols WHERE ouvidoria = 1 AND situation IN ('aberto', 'reaberto') AND unit = \(bind: unit)) AS u,
                  (SELECT COUNT(*) FROM protocols WHERE ouvidoria = 1 AND situation <> 'concluido' AND deadline_at < \(bind: now)) AS o
                """
            ).first()
            return (
                Int(try row?.decode(column: "u", as: Int64.self) ?? 0), Int(try row?.decode(column: "o", as: Int64.self) ?? 0)
            )
        }
    }

    /// Open manifestations past their deadline, the oldest deadline first.
    func overdue(now: Int64) async throws -> [ProtocolBrief] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: ProtocolRepository.briefColumns) FROM protocols
                WHERE ouvidoria = 1 AND situation <> 'concluido' AND deadline_at < \(bind: now) ORDER BY deadline_at, number LIMIT 200
                """
            ).all().compactMap(ProtocolRepository.brief)
        }
    }

    /// Extends the deadline once, with a public step saying until when and why (e-mailed to the
    /// manifestant), in one transaction: a concurrent second extension finds the first.
    func extend(
        _ number: ProtocolNumber, reason: String, staff: StaffMember, timeZone: String, claim: IdempotencyClaim, now: Int64
    ) async throws -> Bool {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            if case .replay = try await Idempotency.claim(claim, db: db, now: now) { return true }
            guard
                let row = try await db.raw(
                    """
                    SELECT ouvidoria, extensions, deadline_at, situation, unit, matricula, email FROM protocols
                    WHERE number = \(bind: number.compact)\(unsafeRaw: postgres ? " FOR UPDATE" : "")
                    """
                ).first()
            else { throw APIError.protocolNotFound }
            guard try row.decode(column: "ouvidoria", as: Int.self) != 0 else {
                throw APIError.conflict("Só manifestações da ouvidoria têm prazo legal prorrogável.")
            }
            let situation = try ProtocolRepository.situation(row)
            guard situation != .concluido else { throw APIError.conflict("Esta manifestação está concluída: não há prazo a prorrogar.") }
            let deadline = try row.decode(column: "deadline_at", as: Int64?.self) ?? now
            let due = LocalCalendar.local(ProtocolHandlers.date(deadline), timeZone: timeZone).date
            let newDue: CivilDate
            switch OuvidoriaDeadline.extended(due, extensions: try row.decode(column: "extensions", as: Int.self), reason: reason) {
            case .success(let d): newDue = d
            case .failure(let refusal): throw APIError(status: .conflict, code: "extension_refused", message: refusal.message)
            }
            let newDeadline = Int64(
                LocalCalendar.instant(newDue, minute: 23 * 60 + 59, timeZone: timeZone).timeIntervalSince1970)
            try await db.raw(
                """
                UPDATE protocols SET extensions = extensions + 1, deadline_at = \(bind: newDeadline), updated_at = \(bind: now)
                WHERE number = \(bind: number.compact)
                """
            ).run()
            let stepId = try await ProtocolRepository.insertStep(
                number, at: now, action: "extend", situation: situation, fromUnit: nil, toUnit: nil,
                text: "Prazo de resposta prorrogado até \(newDue.formatted). Motivo: \(reason)", isPublic: true, staff: staff.usuario,
                detail: "prazo: \(due.formatted) → \(newDue.formatted)", db: db)
            try await ProtocolRepository.tell(
                email: try row.decode(column: "email", as: String?.self), matricula: try row.decode(column: "matricula", as: String?.self),
                stepId: stepId, now: now, db: db)
            guard let key = Int64(number.compact) else { throw StorageError.corrupt("protocol number") }
            try await Idempotency.complete(claim, resource: key, db: db)
            return false
        }
    }

    /// Alerts the ouvidoria's address once a day (local `today`) of each manifestation still
    /// waiting to be received; a new one is alerted at once by its creation. The day is claimed
    /// row by row (`RETURNING`), so two instances running this never send one alert twice.
    func alertUnreceived(email: String, today: CivilDate, now: Int64) async throws -> Int {
        let waiting = try await store.read { db in
            try await db.raw(
                """
                SELECT number FROM protocols WHERE ouvidoria = 1 AND situation IN ('aberto', 'reaberto') AND unit = \(bind: unit)
                  AND (alerted_on IS NULL OR alerted_on < \(bind: today.iso))
                """
            ).all().map { try $0.decode(column: "number", as: String.self) }
        }
        var sent = 0
        for number in waiting {
            let claimed = try await store.write { db in
                guard
                    try await db.raw(
                        """
                        UPDATE protocols SET alerted_on = \(bind: today.iso)
                        WHERE number = \(bind: number) AND (alerted_on IS NULL OR alerted_on < \(bind: today.iso)) RETURNING number
                        """
                    ).first() != nil, let id = Int64(number)
                else { return false }
                try await Self.alert(email: email, number: id, today: today, now: now, db: db)
                return true
            }
            if claimed { sent += 1 }
        }
        return sent
    }

    /// Queues the unit's alert about one manifestation, inside the caller's transaction.
    static func alert(email: String, number: Int64, today: CivilDate, now: Int64, db: any SQLDatabase) async throws {
        try await db.raw("UPDATE protocols SET alerted_on = \(bind: today.iso) WHERE number = \(bind: String(number))").run()
        _ = try await OutboxRepository.enqueue(
            matricula: "", recipient: email, document: .ouvidoriaAlert, documentId: number, requestedBy: nil, now: now, db: db)
    }
}
