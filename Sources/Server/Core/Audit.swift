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
