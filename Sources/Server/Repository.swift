import Domain
import Foundation
import SQLKit

/// Every query the server makes, written once for SQLite and PostgreSQL. Each one is served by
/// an index (see Migrations); `scripts/explain` shows the plans.
struct Repository: Sendable {
    let store: any Store

    // MARK: Properties

    func property(_ matricula: String) async throws -> PropertyRecord? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT p.matricula, p.logradouro, p.numero, p.complemento, p.bairro, p.cidade, p.uf, p.cep,
                           p.categoria, p.economias, p.situacao_ligacao, p.esgoto,
                           c.documento, c.nome, c.email, c.telefone
                    FROM properties p JOIN customers c ON c.documento = p.titular
                    WHERE p.matricula = \(bind: matricula)
                    """
                ).first()
            else { return nil }
            return try PropertyRecord(
                matricula: row.decode(column: "matricula", as: String.self),
                logradouro: row.decode(column: "logradouro", as: String.self),
                numero: row.decode(column: "numero", as: String.self),
                complemento: row.decode(column: "complemento", as: String?.self),
                bairro: row.decode(column: "bairro", as: String.self),
                cidade: row.decode(column: "cidade", as: String.self),
                uf: row.decode(column: "uf", as: String.self),
                cep: row.decode(column: "cep", as: String.self),
                categoria: row.decode(column: "categoria", as: String.self),
                economias: row.decode(column: "economias", as: Int.self),
                situacaoLigacao: row.decode(column: "situacao_ligacao", as: String.self),
                esgoto: row.decode(column: "esgoto", as: Int.self) != 0,
                titular: CustomerRecord(
                    documento: row.decode(column: "documento", as: String.self),
                    nome: row.decode(column: "nome", as: String.self),
                    email: row.decode(column: "email", as: String?.self),
                    telefone: row.decode(column: "telefone", as: String?.self)))
        }
    }

    func propertyExists(_ matricula: String) async throws -> Bool {
        try await store.read { db in
            try await db.raw("SELECT 1 AS x FROM properties WHERE matricula = \(bind: matricula)").first() != nil
        }
    }

    /// Whether `documento` is linked to the property (holder or another registered customer).
    func isLinked(matricula: String, documento: String) async throws -> Bool {
        try await store.read { db in
            try await db.raw(
                "SELECT 1 AS x FROM property_links WHERE matricula = \(bind: matricula) AND documento = \(bind: documento)"
            ).first() != nil
        }
    }

    func debtSummary(_ matricula: String, today: CivilDate) async throws -> DebtSummaryRecord {
        try await store.read { db in
            let row = try await db.raw(
                """
                SELECT
                  CAST(COALESCE(SUM(CASE WHEN situacao = 'aberta' THEN 1 ELSE 0 END), 0) AS BIGINT) AS open_count,
                  CAST(COALESCE(SUM(CASE WHEN situacao = 'aberta' THEN valor_centavos ELSE 0 END), 0) AS BIGINT) AS open_total,
                  CAST(COALESCE(SUM(CASE WHEN situacao = 'aberta' AND vencimento < \(bind: today.iso) THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue,
                  MIN(CASE WHEN situacao = 'aberta' THEN vencimento END) AS oldest,
                  CAST(COALESCE(SUM(CASE WHEN situacao = 'em_revisao' THEN 1 ELSE 0 END), 0) AS BIGINT) AS review
                FROM bills WHERE matricula = \(bind: matricula) AND situacao IN ('aberta', 'em_revisao')
                """
            ).first()
            guard let row else { return DebtSummaryRecord(openCount: 0, openTotalCents: 0, overdueCount: 0, underReviewCount: 0) }
            return try DebtSummaryRecord(
                openCount: Int(row.decode(column: "open_count", as: Int64.self)),
                openTotalCents: row.decode(column: "open_total", as: Int64.self),
                overdueCount: Int(row.decode(column: "overdue", as: Int64.self)),
                oldestDueDate: row.decode(column: "oldest", as: String?.self),
                underReviewCount: Int(row.decode(column: "review", as: Int64.self)))
        }
    }

    /// Properties linked to `documento`, except `excluding`, with their open-bill counts.
    func linkedProperties(documento: String, excluding: String) async throws -> [PropertyBriefRecord] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT p.matricula, p.logradouro, p.numero, p.complemento, p.bairro, p.cidade, p.uf, p.categoria,
                  (SELECT COUNT(*) FROM bills b WHERE b.matricula = p.matricula AND b.situacao = 'aberta') AS open_count
                FROM property_links l JOIN properties p ON p.matricula = l.matricula
                WHERE l.documento = \(bind: documento) AND p.matricula <> \(bind: excluding)
                ORDER BY p.matricula LIMIT 200
                """
            ).all().map { row in
                try PropertyBriefRecord(
                    matricula: row.decode(column: "matricula", as: String.self),
                    endereco: Self.oneLineAddress(row),
                    categoria: row.decode(column: "categoria", as: String.self),
                    openCount: Int(row.decode(column: "open_count", as: Int64.self)))
            }
        }
    }

    /// `Rua das Flores, 120 apto 2 - Centro, Aracaju/SE` from a row with the address columns.
    static func oneLineAddress(_ row: any SQLRow) throws -> String {
        try oneLineAddress(
            logradouro: row.decode(column: "logradouro", as: String.self), numero: row.decode(column: "numero", as: String.self),
            complemento: row.decode(column: "complemento", as: String?.self), bairro: row.decode(column: "bairro", as: String.self),
            cidade: row.decode(column: "cidade", as: String.self), uf: row.decode(column: "uf", as: String.self))
    }

    static func oneLineAddress(logradouro: String, numero: String, complemento: String?, bairro: String, cidade: String, uf: String)
        -> String
    {
        "\(logradouro), \(numero)\(complemento.map { " \($0)" } ?? "") - \(bairro), \(cidade)/\(uf)"
    }

    // MARK: Search (staff)

    enum SearchKey: Sendable {
        case matricula(String)
        case documento(String)
        case nome([String])
        case endereco([String])
    }

    /// Up to `limit + 1` hits (the extra one tells the caller the page is truncated).
    func search(_ key: SearchKey, limit: Int) async throws -> [SearchHitRecord] {
        try await store.read { db in
            var ids = SQLQueryString("")
            switch key {
            case .matricula(let m):
                ids = "SELECT matricula FROM properties WHERE matricula = \(bind: m)"
            case .documento(let d):
                ids = "SELECT matricula FROM property_links WHERE documento = \(bind: d)"
            case .nome(let terms), .endereco(let terms):
                let kind = { if case .nome = key { return "nome" } else { return "endereco" } }()
                for (i, t) in terms.prefix(6).enumerated() {
                    if i > 0 { ids.appendLiteral(" INTERSECT ") }
                    ids.appendInterpolation(
                        "SELECT matricula FROM search_terms WHERE kind = \(bind: kind) AND term >= \(bind: t) AND term < \(bind: SearchText.upperBound(ofPrefix: t))"
                            as SQLQueryString)
                }
            }
            let sql: SQLQueryString = """
                SELECT p.matricula, c.nome, c.documento, p.logradouro, p.numero, p.complemento, p.bairro, p.cidade, p.uf,
                       p.situacao_ligacao
                FROM properties p JOIN customers c ON c.documento = p.titular
                WHERE p.matricula IN (\(ids))
                ORDER BY c.nome, p.matricula LIMIT \(bind: limit + 1)
                """
            return try await db.raw(sql).all().map { row in
                try SearchHitRecord(
                    matricula: row.decode(column: "matricula", as: String.self),
                    nome: row.decode(column: "nome", as: String.self),
                    documento: row.decode(column: "documento", as: String.self),
                    endereco: Self.oneLineAddress(row),
                    situacaoLigacao: row.decode(column: "situacao_ligacao", as: String.self))
            }
        }
    }

    // MARK: Staff and sessions

    func staff(_ usuario: String) async throws -> StaffRecord? {
        try await store.read { db in
            guard let row = try await db.raw("SELECT * FROM staff WHERE usuario = \(bind: usuario)").first() else { return nil }
            return try StaffRecord(
                usuario: row.decode(column: "usuario", as: String.self),
                nome: row.decode(column: "nome", as: String.self),
                senhaHash: row.decode(column: "senha_hash", as: String.self),
                papel: row.decode(column: "papel", as: String.self),
                unidade: row.decode(column: "unidade", as: String.self),
                ativo: row.decode(column: "ativo", as: Int.self) != 0)
        }
    }

    func createSession(tokenHash: String, record: SessionRecord, now: Int64) async throws {
        try await store.write { db in
            try await db.raw(
                """
                INSERT INTO sessions (token_hash, kind, matricula, documento, staff_usuario, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: record.kind), \(bind: record.matricula), \(bind: record.documento),
                        \(bind: record.staffUsuario), \(bind: now), \(bind: record.expiresAt))
                """
            ).run()
            // Housekeeping: sessions expired for a day are of no use to anyone.
            try await db.raw("DELETE FROM sessions WHERE expires_at < \(bind: now - 86_400)").run()
        }
    }

    /// The live session with this token hash, or nil (unknown, expired or logged out).
    func session(tokenHash: String, now: Int64) async throws -> SessionRecord? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT kind, matricula, documento, staff_usuario, expires_at FROM sessions
                    WHERE token_hash = \(bind: tokenHash) AND revoked_at IS NULL AND expires_at > \(bind: now)
                    """
                ).first()
            else { return nil }
            return try SessionRecord(
                kind: row.decode(column: "kind", as: String.self),
                matricula: row.decode(column: "matricula", as: String?.self),
                documento: row.decode(column: "documento", as: String?.self),
                staffUsuario: row.decode(column: "staff_usuario", as: String?.self),
                expiresAt: row.decode(column: "expires_at", as: Int64.self))
        }
    }

    func revokeSession(tokenHash: String, now: Int64) async throws {
        try await store.write { db in
            try await db.raw("UPDATE sessions SET revoked_at = \(bind: now) WHERE token_hash = \(bind: tokenHash)").run()
        }
    }

    // MARK: Login attempts (shared by every instance through the database)

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

    // MARK: Audit

    /// Records an attendant's action: who, when, what, for which property (PRODUCT.md A3/A6).
    func audit(staff: String, action: String, matricula: String?, detail: String?, now: Int64) async throws {
        try await store.write { db in
            try await db.raw(
                """
                INSERT INTO audit_log (at, staff_usuario, action, matricula, detail)
                VALUES (\(bind: now), \(bind: staff), \(bind: action), \(bind: matricula), \(bind: detail))
                """
            ).run()
        }
    }

    struct AuditEntry: Sendable, Equatable {
        var staff: String
        var action: String
        var matricula: String?
        var detail: String?
    }

    func auditEntries(staff: String) async throws -> [AuditEntry] {
        try await store.read { db in
            try await db.raw(
                "SELECT staff_usuario, action, matricula, detail FROM audit_log WHERE staff_usuario = \(bind: staff) ORDER BY at, id"
            ).all().map {
                try AuditEntry(
                    staff: $0.decode(column: "staff_usuario", as: String.self),
                    action: $0.decode(column: "action", as: String.self),
                    matricula: $0.decode(column: "matricula", as: String?.self),
                    detail: $0.decode(column: "detail", as: String?.self))
            }
        }
    }
}
