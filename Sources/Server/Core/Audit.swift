import SQLKit

/// The attendants' audit trail (PRODUCT.md A3/A6): who, when, what, for which property. A
/// customer's own actions are not audited here (the session is the customer's).
struct AuditLog: Sendable {
    let store: any Store
    let clock: AppClock

    /// Records `action` when `principal` is staff; does nothing for a customer.
    func record(_ principal: Principal, _ action: String, matricula: String? = nil, detail: String? = nil) async throws {
        guard let s = principal.staff else { return }
        try await record(staff: s.usuario, action, matricula: matricula, detail: detail)
    }

    func record(staff: String, _ action: String, matricula: String? = nil, detail: String? = nil) async throws {
        let now = clock.epochSeconds
        let origin = Principal.origin
        try await store.write { db in
            try await db.raw(
                """
                INSERT INTO audit_log (at, staff_usuario, action, matricula, detail, terminal, client_address)
                VALUES (\(bind: now), \(bind: staff), \(bind: action), \(bind: matricula), \(bind: detail),
                        \(bind: origin.terminal), \(bind: origin.address))
                """
            ).run()
        }
    }

    /// Whether `staff` opened the property `matricula` on their screen (`consultar_imovel`) since
    /// `since`: the customer at their counter. Served by `audit_log_staff_id`.
    func consulted(staff: String, matricula: String, since: Int64) async throws -> Bool {
        try await store.read { db in
            try await db.raw(
                """
                SELECT 1 AS x FROM audit_log
                WHERE staff_usuario = \(bind: staff) AND matricula = \(bind: matricula) AND action = 'consultar_imovel' AND at >= \(bind: since)
                LIMIT 1
                """
            ).first() != nil
        }
    }

    /// What the supervisor's trail screen asks for: each filter optional, `from`/`until` as
    /// epoch seconds (until excluded), `before` the previous page's last id.
    struct Filter: Sendable {
        var staff: String?
        var matricula: String?
        var action: String?
        var from: Int64?
        var until: Int64?
        var before: Int64?
    }

    struct Row: Sendable {
        var id: Int64
        var at: Int64
        var staff: String
        var action: String
        var matricula: String?
        var detail: String?
        var terminal: String?
        var clientAddress: String?
    }

    /// Newest first, by the indexes on (staff, id), (matricula, id), (action, id) and (at).
    func page(_ f: Filter, limit: Int) async throws -> [Row] {
        try await store.read { db in
            var q = db.select()
                .columns("id", "at", "staff_usuario", "action", "matricula", "detail", "terminal", "client_address")
                .from("audit_log")
            if let v = f.staff { q = q.where("staff_usuario", .equal, v) }
            if let v = f.matricula { q = q.where("matricula", .equal, v) }
            if let v = f.action { q = q.where("action", .equal, v) }
            if let v = f.from { q = q.where("at", .greaterThanOrEqual, v) }
            if let v = f.until { q = q.where("at", .lessThan, v) }
            if let v = f.before { q = q.where("id", .lessThan, v) }
            return try await q.orderBy("id", .descending).limit(limit).all().map {
                try Row(
                    id: $0.decode(column: "id", as: Int64.self), at: $0.decode(column: "at", as: Int64.self),
                    staff: $0.decode(column: "staff_usuario", as: String.self), action: $0.decode(column: "action", as: String.self),
                    matricula: $0.decode(column: "matricula", as: String?.self), detail: $0.decode(column: "detail", as: String?.self),
                    terminal: $0.decode(column: "terminal", as: String?.self),
                    clientAddress: $0.decode(column: "client_address", as: String?.self))
            }
        }
    }

    struct Entry: Sendable, Equatable {
        var staff: String
        var action: String
        var matricula: String?
        var detail: String?
    }

    func entries(staff: String) async throws -> [Entry] {
        try await store.read { db in
            try await db.raw(
                "SELECT staff_usuario, action, matricula, detail FROM audit_log WHERE staff_usuario = \(bind: staff) ORDER BY at, id"
            ).all().map {
                try Entry(
                    staff: $0.decode(column: "staff_usuario", as: String.self),
                    action: $0.decode(column: "action", as: String.self),
                    matricula: $0.decode(column: "matricula", as: String?.self),
                    detail: $0.decode(column: "detail", as: String?.self))
            }
        }
    }
}
