import Foundation
import SQLKit

/// Versioned schema migrations, applied in order at start, each in its own transaction and
/// recorded in `schema_migrations`. Never edit a released migration: add a new one.
enum Migrations {
    /// A migration's statements; `{{ID}}` becomes an auto-increment key and `{{C}}` a byte-wise
    /// collation (so prefix ranges on search columns use the index on both engines).
    static let all: [(version: Int, name: String, statements: [String])] = [
        (
            1, "foundation",
            [
                """
                CREATE TABLE customers (
                    documento TEXT PRIMARY KEY,
                    nome TEXT NOT NULL,
                    email TEXT,
                    telefone TEXT)
                """,
                """
                CREATE TABLE properties (
                    matricula TEXT PRIMARY KEY,
                    logradouro TEXT NOT NULL,
                    numero TEXT NOT NULL,
                    complemento TEXT,
                    bairro TEXT NOT NULL,
                    cidade TEXT NOT NULL,
                    uf TEXT NOT NULL,
                    cep TEXT NOT NULL,
                    categoria TEXT NOT NULL,
                    economias INTEGER NOT NULL,
                    situacao_ligacao TEXT NOT NULL,
                    esgoto INTEGER NOT NULL,
                    titular TEXT NOT NULL REFERENCES customers(documento))
                """,
                "CREATE INDEX properties_titular ON properties(titular)",
                """
                CREATE TABLE property_links (
                    matricula TEXT NOT NULL REFERENCES properties(matricula),
                    documento TEXT NOT NULL REFERENCES customers(documento),
                    papel TEXT NOT NULL,
                    PRIMARY KEY (matricula, documento))
                """,
                "CREATE INDEX property_links_documento ON property_links(documento)",
                """
                CREATE TABLE search_terms (
                    kind TEXT NOT NULL,
                    term TEXT {{C}} NOT NULL,
                    matricula TEXT NOT NULL,
                    PRIMARY KEY (kind, term, matricula))
                """,
                """
                CREATE TABLE bills (
                    id BIGINT PRIMARY KEY,
                    matricula TEXT NOT NULL REFERENCES properties(matricula),
                    competencia TEXT NOT NULL,
                    vencimento TEXT NOT NULL,
                    valor_centavos BIGINT NOT NULL,
                    situacao TEXT NOT NULL,
                    consumo_m3 INTEGER NOT NULL,
                    leitura_estimada INTEGER NOT NULL,
                    pago_em TEXT)
                """,
                "CREATE UNIQUE INDEX bills_matricula_competencia ON bills(matricula, competencia)",
                "CREATE INDEX bills_open ON bills(matricula, situacao, vencimento)",
                """
                CREATE TABLE staff (
                    usuario TEXT PRIMARY KEY,
                    nome TEXT NOT NULL,
                    senha_hash TEXT NOT NULL,
                    papel TEXT NOT NULL,
                    unidade TEXT NOT NULL,
                    ativo INTEGER NOT NULL)
                """,
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    matricula TEXT,
                    documento TEXT,
                    staff_usuario TEXT,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT)
                """,
                "CREATE INDEX sessions_expires ON sessions(expires_at)",
                """
                CREATE TABLE login_attempts (
                    scope TEXT PRIMARY KEY,
                    window_start BIGINT NOT NULL,
                    failures INTEGER NOT NULL)
                """,
                """
                CREATE TABLE audit_log (
                    id {{ID}},
                    at BIGINT NOT NULL,
                    staff_usuario TEXT NOT NULL,
                    action TEXT NOT NULL,
                    matricula TEXT,
                    detail TEXT)
                """,
                "CREATE INDEX audit_log_staff ON audit_log(staff_usuario, at)",
                "CREATE INDEX audit_log_matricula ON audit_log(matricula, at)",
            ]
        )
    ]

    /// Applies the migrations not yet recorded. On PostgreSQL an advisory lock makes several
    /// instances starting together apply each migration once; SQLite's `BEGIN IMMEDIATE` does
    /// the same.
    static func run(on store: any Store) async throws {
        let postgres = store.engine == "postgres"
        try await store.write { db in
            if postgres { try await db.raw("SELECT pg_advisory_xact_lock(424242)").run() }
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
        }
        for m in all {
            try await store.write { db in
                if postgres { try await db.raw("SELECT pg_advisory_xact_lock(424242)").run() }
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: m.version)").first()
                guard done == nil else { return }
                for s in m.statements {
                    let sql =
                        s
                        .replacingOccurrences(of: "{{ID}}", with: postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT")
                        .replacingOccurrences(of: "{{C}}", with: postgres ? "COLLATE \"C\"" : "")
                    try await db.raw(SQLQueryString(sql)).run()
                }
                try await db.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: m.version), \(bind: m.name), \(bind: Int64(Date().timeIntervalSince1970)))"
                ).run()
            }
        }
    }
}
