import Foundation
import Logging
import PostgresKit
import SQLKit
import SQLiteKit

/// `agencia-server restore ORIGEM --database …` (issue 29): a backup into an empty database only.
/// Everything that can be checked is checked before anything is written — the manifest (its
/// format, the engine, a schema no newer than this program's), the data file's size and SHA-256
/// — and the rest before the database counts as restored: SQLite is uncompressed beside the
/// target under another name, passes `integrity_check`, has the manifest's rows per table, and
/// only then takes the target's name; PostgreSQL is restored and its rows compared to the
/// manifest in one transaction (psql `--single-transaction`), so a mismatch leaves it empty.
/// Then the migrations newer than the backup run, as at a server's start.
public enum Restore {
    public struct Summary: Sendable, CustomStringConvertible {
        public var manifest: Backup.Manifest
        public var schemaAfter: Int
        public var checkedOnly: Bool

        public var description: String {
            let m = manifest
            let what = checkedOnly ? "backup conferido (nada gravado)" : "restaurado"
            var s = "\(what): \(m.motor) de \(m.criadoEm), esquema \(m.esquema), \(m.tabelas.count) tabelas, \(m.linhas) linhas"
            if !checkedOnly && schemaAfter > m.esquema { s += "; migrado para o esquema \(schemaAfter)" }
            return s
        }
    }

    typealias Refused = Backup.Refused

    /// Reads and checks a backup folder's manifest and data file (nothing is written).
    public static func check(_ origin: String) throws -> (Backup.Manifest, data: String) {
        let manifestPath = (origin as NSString).appendingPathComponent(Backup.manifestName)
        guard let raw = FileManager.default.contents(atPath: manifestPath) else {
            throw Refused("\(origin) não é um backup da Agência Virtual: falta \(Backup.manifestName).")
        }
        guard let m = try? JSONDecoder().decode(Backup.Manifest.self, from: raw) else {
            throw Refused("O manifesto de \(origin) está ilegível ou incompleto: backup alterado ou cortado.")
        }
        guard m.formato <= Backup.Manifest.currentFormat else {
            throw Refused("Backup no formato \(m.formato), mais novo que este programa (\(Backup.Manifest.currentFormat)): atualize o agencia-server.")
        }
        guard m.esquema <= Migrations.latest else {
            throw Refused(
                "Backup de um esquema mais novo (\(m.esquema)) que o deste programa (\(Migrations.latest)): restaure com a versão \(m.versao) ou mais nova."
            )
        }
        guard m.arquivo == (m.arquivo as NSString).lastPathComponent, !m.arquivo.hasPrefix(".") else {
            throw Refused("O manifesto de \(origin) aponta para fora da pasta do backup.")
        }
        guard m.tabelas.keys.allSatisfy({ $0.range(of: #"^[a-z_][a-z0-9_]*$"#, options: .regularExpression) != nil }) else {
            throw Refused("O manifesto de \(origin) tem nomes de tabela inválidos: backup alterado.")
        }
        let data = (origin as NSString).appendingPathComponent(m.arquivo)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: data)[.size] as? NSNumber)?.int64Value else {
            throw Refused("Falta o arquivo de dados \(m.arquivo) em \(origin).")
        }
        guard size == m.bytes else {
            throw Refused("O arquivo \(m.arquivo) tem \(size) bytes e o manifesto diz \(m.bytes): backup cortado ou alterado, nada foi restaurado.")
        }
        guard try Backup.sha256(of: data) == m.sha256 else {
            throw Refused("O SHA-256 de \(m.arquivo) não confere com o manifesto: backup alterado, nada foi restaurado.")
        }
        return (m, data)
    }

    /// Restores `origin` into the configured database, which must be empty; `checkOnly`: checks
    /// everything a restore would (SQLite: uncompressed into a temporary file and verified) and
    /// writes nothing.
    public static func run(
        origin: String, configuration: ServerConfiguration, checkOnly: Bool = false,
        clock: @escaping @Sendable () -> Date = ServerClock.system, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Summary {
        progress("conferindo o manifesto e o SHA-256")
        let (m, data) = try check(origin)
        let url = configuration.database
        let engine = url.hasPrefix("sqlite:") ? "sqlite" : "postgres"
        if checkOnly {
            if m.motor == "sqlite" {
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-verifica-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: dir) }
                try await uncompressAndVerify(m, data: data, to: (dir as NSString).appendingPathComponent("banco.sqlite"), progress: progress)
            } else {
                try PostgresTools.run(
                    ["pg_restore", "--list", data], environment: ProcessInfo.processInfo.environment, what: "pg_restore --list")
            }
            return Summary(manifest: m, schemaAfter: m.esquema, checkedOnly: true)
        }
        guard m.motor == engine else {
            throw Refused("Backup de \(m.motor) não se restaura num banco \(engine): use um banco do mesmo tipo.")
        }
        if engine == "sqlite" {
            let path = String(url.dropFirst("sqlite:".count))
            try await restoreSQLite(m, data: data, path: path, progress: progress)
        } else {
            try await restorePostgres(m, data: data, url: url, progress: progress)
        }
        progress("aplicando as migrações mais novas")
        let after = try await AdminStore.run(configuration, clock: clock) { store in
            try await store.read { db in try await Backup.schemaVersion(db) }
        }
        return Summary(manifest: m, schemaAfter: after, checkedOnly: false)
    }

    // MARK: SQLite

    static func restoreSQLite(_ m: Backup.Manifest, data: String, path: String, progress: @escaping @Sendable (String) -> Void) async throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            guard try await sqliteTables(path).isEmpty else {
                throw Refused("O banco \(path) não está vazio: o restore só grava num banco novo (nada foi alterado).")
            }
        }
        let temp = path + ".restaurando"
        try? fm.removeItem(atPath: temp)
        do {
            try await uncompressAndVerify(m, data: data, to: temp, progress: progress)
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: path + suffix) }
            if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
            try fm.moveItem(atPath: temp, toPath: path)
            try Backup.syncDirectory((path as NSString).deletingLastPathComponent)
        } catch {
            try? fm.removeItem(atPath: temp)
            throw error
        }
    }

    /// Uncompresses the SQLite copy to `target` and checks it: its size, `integrity_check`, the
    /// schema and every table's rows against the manifest.
    static func uncompressAndVerify(_ m: Backup.Manifest, data: String, to target: String, progress: @escaping @Sendable (String) -> Void)
        async throws
    {
        progress("descomprimindo")
        let size = try Backup.gunzip(data, to: target)
        if let expected = m.bytesOriginais, expected != size {
            throw Refused("O banco descomprimido tem \(size) bytes e o manifesto diz \(expected): backup alterado.")
        }
        progress("conferindo o banco (integrity_check e linhas)")
        let (schema, tables) = try await Backup.inspectSQLite(target)
        try compare(m, schema: schema, tables: tables)
    }

    static func compare(_ m: Backup.Manifest, schema: Int, tables: [String: Int64]) throws {
        guard schema == m.esquema else { throw Refused("O banco do backup está no esquema \(schema) e o manifesto diz \(m.esquema).") }
        let differing = Set(tables.keys).union(m.tabelas.keys).sorted().filter { tables[$0] != m.tabelas[$0] }
        guard differing.isEmpty else {
            let list = differing.prefix(5).map { "\($0): \(tables[$0].map(String.init) ?? "ausente") (manifesto: \(m.tabelas[$0].map(String.init) ?? "ausente"))" }
            throw Refused("As linhas do backup não conferem com o manifesto — \(list.joined(separator: "; ")).")
        }
    }

    static func sqliteTables(_ path: String) async throws -> [String] {
        let conn = try await SQLiteConnection.open(storage: .file(path: path), logger: Backup.quiet)
        let names = try? await conn.sql().raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
            .map { try $0.decode(column: "name", as: String.self) }
        try await conn.close()
        guard let names else { throw Refused("\(path) existe e não é um banco SQLite: nada foi alterado.") }
        return names
    }

    // MARK: PostgreSQL

    /// pg_restore's SQL and, after it, one check per table of the manifest, in one psql
    /// transaction: a count that differs raises, and the whole restore rolls back.
    static func restorePostgres(_ m: Backup.Manifest, data: String, url: String, progress: @escaping @Sendable (String) -> Void) async throws {
        let env = try PostgresTools.environment(url)
        let store = try PostgresStore(url: url, logger: Backup.quiet)
        let tables = try await AdminStore.withClientRunning(store) {
            try await store.read { db in
                try await db.raw("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").all().map {
                    try $0.decode(column: "tablename", as: String.self)
                }
            }
        }
        guard tables.isEmpty else {
            throw Refused("O banco de destino já tem tabelas (\(tables.count)): o restore só grava num banco vazio (nada foi alterado).")
        }
        var checks = ""
        for (table, rows) in m.tabelas.sorted(by: { $0.key < $1.key }) {
            checks += """
                DO $$ BEGIN
                  IF (SELECT COUNT(*) FROM public.\(table)) <> \(rows) THEN
                    RAISE EXCEPTION 'tabela %: % linhas, o manifesto diz %', '\(table)', (SELECT COUNT(*) FROM public.\(table)), \(rows);
                  END IF;
                END $$;

                """
        }
        checks += """
            DO $$ BEGIN
              IF (SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public') <> \(m.tabelas.count) THEN
                RAISE EXCEPTION 'o backup tem tabelas que o manifesto não lista';
              END IF;
            END $$;

            """
        let checkFile = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-restore-\(UUID().uuidString).sql").path
        try Data(checks.utf8).write(to: URL(fileURLWithPath: checkFile))
        defer { try? FileManager.default.removeItem(atPath: checkFile) }
        progress("restaurando (pg_restore | psql, uma transação)")
        try PostgresTools.run(
            [
                "bash", "-c",
                #"set -o pipefail; { pg_restore --no-owner --no-privileges --file=- "$1"; cat "$2"; } | psql -X -q -v ON_ERROR_STOP=1 --single-transaction >/dev/null"#,
                "restore", data, checkFile,
            ], environment: env, what: "pg_restore | psql")
    }
}
