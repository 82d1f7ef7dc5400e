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
    /// Live sessions remembered between requests, while the store's change feed is live.
    var cache = SessionCache(feed: nil)

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

    /// A session about to be created: who, from where, and when it ends.
    struct NewSession: Sendable {
        var tokenHash: String
        var kind: Kind
        var matricula: String? = nil
        var documento: String? = nil
        var staff: String? = nil
        /// Staff: the terminal's mode.
        var mode: String? = nil
        var origin: Origin
        var now: Int64
        /// The absolute end.
        var expiresAt: Int64
        /// The end after this long without requests.
        var idleSeconds: Int64
    }

    /// How stale `last_seen_at` may get before a request refreshes it (one write per session
    /// per this many seconds, not one per request); the idle check allows for it.
    static let touchSeconds: Int64 = 15

    func create(_ n: NewSession) async throws {
        try await store.write { db in
            try await db.raw(
                """
                INSERT INTO sessions (token_hash, kind, matricula, documento, staff_usuario, created_at, expires_at,
                                      last_seen_at, idle_seconds, terminal, client_address, mode)
                VALUES (\(bind: n.tokenHash), \(bind: n.kind.rawValue), \(bind: n.matricula), \(bind: n.documento),
                        \(bind: n.staff), \(bind: n.now), \(bind: n.expiresAt), \(bind: n.now), \(bind: n.idleSeconds),
                        \(bind: n.origin.terminal), \(bind: n.origin.address), \(bind: n.mode))
                """
            ).run()
            // Housekeeping: sessions expired for a day are of no use to anyone.
            try await db.raw("DELETE FROM sessions WHERE expires_at < \(bind: n.now - 86_400)").run()
        }
    }

    /// The caller of a live session with this token hash, or nil (unknown, expired, idle too
    /// long, logged out, or a staff account deactivated since). A session opened by a terminal's
    /// credential is only for requests with that credential (`terminal`; issue 27). A live
    /// session seen more than `touchSeconds` ago is marked seen now.
    func principal(tokenHash: String, now: Int64, terminal: String?) async throws -> Principal? {
        func bound(_ e: SessionCache.Entry) throws -> Principal {
            guard e.terminal == nil || e.terminal == terminal else { throw APIError.sessionOfAnotherTerminal }
            return e.principal
        }
        if let hit = cache.live(tokenHash, now: now, touchSeconds: Self.touchSeconds) {
            Telemetry.sessionFromMemory.increment()
            let principal = try bound(hit)
            try await touch(tokenHash, lastSeen: hit.lastSeen, now: now)
            return principal
        }
        Telemetry.sessionFromDatabase.increment()
        let generation = cache.generation
        let found: SessionCache.Entry? = try await store.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT s.kind, s.matricula, s.documento, s.staff_usuario, s.last_seen_at, s.expires_at, s.idle_seconds, s.terminal,
                           st.papel, st.unidade, st.ativo
                    FROM sessions s LEFT JOIN staff st ON st.usuario = s.staff_usuario
                    WHERE s.token_hash = \(bind: tokenHash) AND s.revoked_at IS NULL AND s.expires_at > \(bind: now)
                      AND s.last_seen_at + s.idle_seconds + \(bind: Self.touchSeconds) > \(bind: now)
                    """
                ).first()
            else { return nil }
            let principal: Principal
            switch Kind(rawValue: try row.decode(column: "kind", as: String.self)) {
            case .customer:
                guard let m = try row.decode(column: "matricula", as: String?.self) else { return nil }
                principal = .customer(matricula: m, documento: try row.decode(column: "documento", as: String?.self), tokenHash: tokenHash)
            case .staff:
                guard let u = try row.decode(column: "staff_usuario", as: String?.self),
                    let role = StaffRole(rawValue: try row.decode(column: "papel", as: String?.self) ?? ""),
                    let unit = try row.decode(column: "unidade", as: String?.self),
                    try row.decode(column: "ativo", as: Int?.self) == 1
                else { return nil }
                principal = .staff(StaffMember(usuario: u, role: role, unit: unit), tokenHash: tokenHash)
            case nil:
                return nil
            }
            return try SessionCache.Entry(
                principal: principal, lastSeen: row.decode(column: "last_seen_at", as: Int64.self),
                expiresAt: row.decode(column: "expires_at", as: Int64.self),
                idleSeconds: row.decode(column: "idle_seconds", as: Int64.self), cachedAt: now,
                terminal: row.decode(column: "terminal", as: String?.self))
        }
        guard let found else { return nil }
        cache.store(tokenHash, found, readAt: generation)
        let principal = try bound(found)
        try await touch(tokenHash, lastSeen: found.lastSeen, now: now)
        return principal
    }

    /// Marks a live session seen now, if it was last marked `touchSeconds` ago or more.
    private func touch(_ tokenHash: String, lastSeen: Int64, now: Int64) async throws {
        guard now - lastSeen >= Self.touchSeconds else { return }
        try await store.write { db in
            try await db.raw("UPDATE sessions SET last_seen_at = \(bind: now) WHERE token_hash = \(bind: tokenHash)").run()
        }
        cache.touched(tokenHash, at: now)
    }

    /// When a session ends and where it was opened.
    func state(tokenHash: String) async throws -> (expiresAt: Int64, idleSeconds: Int64, terminal: String?, mode: String?)? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    "SELECT expires_at, idle_seconds, terminal, mode FROM sessions WHERE token_hash = \(bind: tokenHash)"
                ).first()
            else { return nil }
            return try (
                row.decode(column: "expires_at", as: Int64.self), row.decode(column: "idle_seconds", as: Int64.self),
                row.decode(column: "terminal", as: String?.self), row.decode(column: "mode", as: String?.self)
            )
        }
    }

    /// Ends a session; returns once the other instances have heard of it (`SessionCache`).
    func revoke(tokenHash: String, now: Int64) async throws {
        let heard = cache.expectChange(tokenHash)
        try await store.write { db in
            try await db.raw("UPDATE sessions SET revoked_at = \(bind: now) WHERE token_hash = \(bind: tokenHash)").run()
        }
        await heard.wait()
    }

    // MARK: Login attempts

    /// Counts one attempt for each scope and returns each one's count in its window with this
    /// one included, in one transaction (a window that has passed starts again): concurrent
    /// attempts, on any instance, each see the ones counted before them (issue 27).
    func reserve(scopes: [String], now: Int64, window: Int64) async throws -> [(count: Int, windowStart: Int64)] {
        try await store.write { db in
            var counts: [(count: Int, windowStart: Int64)] = []
            for scope in scopes {
                guard
                    let row = try await db.raw(
                        """
                        INSERT INTO login_attempts (scope, window_start, failures) VALUES (\(bind: scope), \(bind: now), 1)
                        ON CONFLICT (scope) DO UPDATE SET
                          failures = CASE WHEN login_attempts.window_start <= \(bind: now - window) THEN 1 ELSE login_attempts.failures + 1 END,
                          window_start = CASE WHEN login_attempts.window_start <= \(bind: now - window) THEN \(bind: now) ELSE login_attempts.window_start END
                        RETURNING failures, window_start
                        """
                    ).first()
                else { throw StorageError.corrupt("login_attempts: no row returned") }
                counts.append((try row.decode(column: "failures", as: Int.self), try row.decode(column: "window_start", as: Int64.self)))
            }
            return counts
        }
    }

    /// Takes back one attempt counted by `reserve` for each scope (it turned out not to count: a
    /// right password, a lookup that found, a refused attempt), in the same window only.
    func release(scopes: [String], now: Int64, window: Int64) async throws {
        guard !scopes.isEmpty else { return }
        try await store.write { db in
            for scope in scopes {
                try await db.raw(
                    """
                    UPDATE login_attempts SET failures = failures - 1
                    WHERE scope = \(bind: scope) AND failures > 0 AND window_start > \(bind: now - window)
                    """
                ).run()
            }
        }
    }

    /// Login counters of accounts (`m:…`, `s:…`), alone or per origin (`m:…@ip:…`), in the
    /// current window, most failures first.
    func accountAttempts(now: Int64, window: Int64) async throws -> [(account: String, origin: String?, count: Int, windowStart: Int64)] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT scope, window_start, failures FROM login_attempts
                WHERE window_start > \(bind: now - window) AND failures > 0 AND (scope LIKE 'm:%' OR scope LIKE 's:%')
                ORDER BY failures DESC, scope
                """
            ).all().map { row in
                let scope = try row.decode(column: "scope", as: String.self)
                let parts = scope.split(separator: "@", maxSplits: 1).map(String.init)
                return try (
                    parts[0], parts.count == 2 ? parts[1] : nil, row.decode(column: "failures", as: Int.self),
                    row.decode(column: "window_start", as: Int64.self)
                )
            }
        }
    }

    /// Clears an account's counters, alone and from every origin; how many there were.
    func clearAccount(_ account: String) async throws -> Int {
        try await store.write { db in
            let prefix = "\(account)@"
            let n =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM login_attempts
                    WHERE failures > 0 AND (scope = \(bind: account) OR substr(scope, 1, \(unsafeRaw: String(prefix.count))) = \(bind: prefix))
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            try await db.raw(
                """
                DELETE FROM login_attempts
                WHERE scope = \(bind: account) OR substr(scope, 1, \(unsafeRaw: String(prefix.count))) = \(bind: prefix)
                """
            ).run()
            return n
        }
    }

    func clear(scope: String) async throws {
        try await store.write { db in
            try await db.raw("DELETE FROM login_attempts WHERE scope = \(bind: scope)").run()
        }
    }
}
