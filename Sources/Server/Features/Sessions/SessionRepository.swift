import Domain
import SQLKit

/// A staff account as stored.
struct StaffAccount: Sendable {
    var usuario: String
    var nome: String
    var senhaHash: String
    var role: StaffRole
    var unit: String
    var ativo: Bool

    var member: StaffMember { StaffMember(usuario: usuario, role: role, unit: unit) }
}

/// Staff accounts, sessions and login-attempt counters: all in the database, so every instance
/// agrees (DECISIONS 6). Served by the primary keys of `staff`, `sessions`, `login_attempts`.
struct SessionRepository: Sendable {
    let store: any Store

    enum Kind: String { case customer, staff }

    func staff(_ usuario: String) async throws -> StaffAccount? {
        try await store.read { db in
            guard let row = try await db.raw("SELECT * FROM staff WHERE usuario = \(bind: usuario)").first() else { return nil }
            let papel = try row.decode(column: "papel", as: String.self)
            guard let role = StaffRole(rawValue: papel) else { throw StorageError.corrupt("staff.papel \(papel)") }
            return try StaffAccount(
                usuario: row.decode(column: "usuario", as: String.self),
                nome: row.decode(column: "nome", as: String.self),
                senhaHash: row.decode(column: "senha_hash", as: String.self),
                role: role,
                unit: row.decode(column: "unidade", as: String.self),
                ativo: row.decode(column: "ativo", as: Int.self) != 0)
        }
    }

    func createCustomerSession(tokenHash: String, matricula: String, documento: String?, now: Int64, expiresAt: Int64) async throws {
        try await create(
            tokenHash: tokenHash, kind: .customer, matricula: matricula, documento: documento, staff: nil, now: now, expiresAt: expiresAt)
    }

    func createStaffSession(tokenHash: String, usuario: String, now: Int64, expiresAt: Int64) async throws {
        try await create(tokenHash: tokenHash, kind: .staff, matricula: nil, documento: nil, staff: usuario, now: now, expiresAt: expiresAt)
    }

    private func create(
        tokenHash: String, kind: Kind, matricula: String?, documento: String?, staff: String?, now: Int64, expiresAt: Int64
    ) async throws {
        try await store.write { db in
            try await db.raw(
                """
                INSERT INTO sessions (token_hash, kind, matricula, documento, staff_usuario, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: kind.rawValue), \(bind: matricula), \(bind: documento),
                        \(bind: staff), \(bind: now), \(bind: expiresAt))
                """
            ).run()
            // Housekeeping: sessions expired for a day are of no use to anyone.
            try await db.raw("DELETE FROM sessions WHERE expires_at < \(bind: now - 86_400)").run()
        }
    }

    /// The caller of a live session with this token hash, or nil (unknown, expired, logged out,
    /// or a staff account deactivated since).
    func principal(tokenHash: String, now: Int64) async throws -> Principal? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT s.kind, s.matricula, s.documento, s.staff_usuario, st.papel, st.unidade, st.ativo
                    FROM sessions s LEFT JOIN staff st ON st.usuario = s.staff_usuario
                    WHERE s.token_hash = \(bind: tokenHash) AND s.revoked_at IS NULL AND s.expires_at > \(bind: now)
                    """
                ).first()
            else { return nil }
            switch Kind(rawValue: try row.decode(column: "kind", as: String.self)) {
            case .customer:
                guard let m = try row.decode(column: "matricula", as: String?.self) else { return nil }
                return .customer(matricula: m, documento: try row.decode(column: "documento", as: String?.self), tokenHash: tokenHash)
            case .staff:
                guard let u = try row.decode(column: "staff_usuario", as: String?.self),
                    let role = StaffRole(rawValue: try row.decode(column: "papel", as: String?.self) ?? ""),
                    let unit = try row.decode(column: "unidade", as: String?.self),
                    try row.decode(column: "ativo", as: Int?.self) == 1
                else { return nil }
                return .staff(StaffMember(usuario: u, role: role, unit: unit), tokenHash: tokenHash)
            case nil:
                return nil
            }
        }
    }

    func revoke(tokenHash: String, now: Int64) async throws {
        try await store.write { db in
            try await db.raw("UPDATE sessions SET revoked_at = \(bind: now) WHERE token_hash = \(bind: tokenHash)").run()
        }
    }

    // MARK: Login attempts

    /// Failures counted in the current window for `scope`, and when that window started.
    func attempts(scope: String, now: Int64, window: Int64) async throws -> (failures: Int, windowStart: Int64) {
        try await store.read { db in
            guard let row = try await db.raw("SELECT window_start, failures FROM login_attempts WHERE scope = \(bind: scope)").first()
            else { return (0, now) }
            let start = try row.decode(column: "window_start", as: Int64.self)
            if start <= now - window { return (0, now) }
            return (try row.decode(column: "failures", as: Int.self), start)
        }
    }

    /// Counts one failure for each scope, atomically (a window that has passed starts again).
    func recordFailure(scopes: [String], now: Int64, window: Int64) async throws {
        try await store.write { db in
            for scope in scopes {
                try await db.raw(
                    """
                    INSERT INTO login_attempts (scope, window_start, failures) VALUES (\(bind: scope), \(bind: now), 1)
                    ON CONFLICT (scope) DO UPDATE SET
                      failures = CASE WHEN login_attempts.window_start <= \(bind: now - window) THEN 1 ELSE login_attempts.failures + 1 END,
                      window_start = CASE WHEN login_attempts.window_start <= \(bind: now - window) THEN \(bind: now) ELSE login_attempts.window_start END
                    """
                ).run()
            }
        }
    }

    func clearFailures(scope: String) async throws {
        try await store.write { db in
            try await db.raw("DELETE FROM login_attempts WHERE scope = \(bind: scope)").run()
        }
    }
}
