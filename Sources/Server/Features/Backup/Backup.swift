import API
import CompressNIO
import Crypto
import Domain
import Foundation
import Logging
import NIOCore
import PostgresKit
import SQLKit
import SQLiteKit

/// Backups that restore (issue 29): `agencia-server backup DESTINO` takes a consistent copy
/// while the server runs and writes — SQLite through `VACUUM INTO` (a read transaction: writers
/// go on), PostgreSQL through `pg_dump --snapshot` of a repeatable-read transaction in which the
/// rows were counted, so the manifest's counts are the copy's. Each backup is a folder
/// `agencia-AAAAMMDDTHHMMSSZ/` with `manifest.json` and the data (`banco.sqlite.gz`, or
/// `banco.pgdump`, pg_dump's compressed custom format), written under a hidden name and renamed
/// once complete and verified; an existing name is never overwritten. The newest backup of each
/// of the last `keepDaily` days and of the last `keepMonthly` months is kept, the rest removed.
/// Each good backup is recorded in the database (`backups`): the server reports the newest one's
/// age (`agencia_backup_age_seconds`).
public enum Backup {
    /// What a backup is, written beside its data and checked before anything is restored.
    public struct Manifest: Codable, Sendable, Equatable {
        /// This layout; a restore refuses a newer one.
        public static let currentFormat = 1
        public var formato: Int
        public var produto: String
        public var versao: String
        public var motor: String
        /// The highest migration applied in the copy: a restore refuses a newer one and migrates
        /// an older one forward.
        public var esquema: Int
        public var criadoEm: String
        public var arquivo: String
        public var bytes: Int64
        public var sha256: String
        /// The database file's own size (SQLite), checked when it is uncompressed.
        public var bytesOriginais: Int64?
        /// Rows per table in the copy, as counted inside the copy's own snapshot.
        public var tabelas: [String: Int64]
        public var segundos: Double

        public var linhas: Int64 { tabelas.values.reduce(0, +) }
    }

    /// A backup or restore refused before anything was written (exit code 2), said in Portuguese.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
        init(_ message: String) { description = message }
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var folder: String
        public var manifest: Manifest
        public var removed: [String]

        /// One line for the log (`journalctl -u agencia-backup`).
        public var description: String {
            let m = manifest
            var s =
                "backup ok: \(folder) — \(m.motor), esquema \(m.esquema), \(m.tabelas.count) tabelas, \(m.linhas) linhas, "
                + "\(Backup.size(m.bytes)), \(String(format: "%.1f", m.segundos)) s, sha256 \(m.sha256.prefix(16))…"
            if !removed.isEmpty { s += "; removidos pela retenção: \(removed.joined(separator: ", "))" }
            return s
        }
    }

    static let manifestName = "manifest.json"
    static let prefix = "agencia-"

    /// The folder name of a backup taken at `date` (UTC, sortable).
    static func folderName(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return prefix + f.string(from: date)
    }

    static func date(ofFolder name: String) -> Date? {
        guard name.hasPrefix(prefix) else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.date(from: String(name.dropFirst(prefix.count)))
    }

    static func size(_ bytes: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)
    }

    /// Takes a backup of the configured database into `destination`.
    public static func run(
        configuration: ServerConfiguration, destination: String, keepDaily: Int = 7, keepMonthly: Int = 12,
        clock: @escaping @Sendable () -> Date = ServerClock.system, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Summary {
        guard keepDaily >= 1, keepMonthly >= 0 else { throw Refused("Guarde ao menos uma cópia diária (--manter-diarias 1 ou mais).") }
        let fm = FileManager.default
        // Opening a SQLite path that does not exist would create an empty database to back up.
        if configuration.database.hasPrefix("sqlite:"), !fm.fileExists(atPath: String(configuration.database.dropFirst("sqlite:".count))) {
            throw Refused("Banco SQLite não encontrado: \(configuration.database.dropFirst("sqlite:".count)) (confira --database ou a configuração).")
        }
        var isDirectory: ObjCBool = false
        if !fm.fileExists(atPath: destination, isDirectory: &isDirectory) {
            try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } else if !isDirectory.boolValue {
            throw Refused("\(destination) não é uma pasta.")
        }
        let started = clock()
        let name = folderName(started)
        let folder = (destination as NSString).appendingPathComponent(name)
        guard !fm.fileExists(atPath: folder) else { throw Refused("Já existe um backup em \(folder): nada foi sobrescrito.") }
        let partial = (destination as NSString).appendingPathComponent(".\(name).parcial")
        // The copy holds CPFs and names: readable by the server's user only, whatever the umask.
        guard (try? fm.createDirectory(atPath: partial, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])) != nil
        else {
            throw Refused("Outro backup com o mesmo nome está em andamento (\(partial)).")
        }
        do {
            return try await AdminStore.run(configuration, clock: clock) { store in
                var manifest: Manifest
                if let pg = store as? PostgresStore {
                    manifest = try await dumpPostgres(pg, url: configuration.database, into: partial, progress: progress)
                } else {
                    manifest = try await copySQLite(
                        path: String(configuration.database.dropFirst("sqlite:".count)), into: partial, progress: progress)
                }
                manifest.criadoEm = started.formatted(.iso8601)
                manifest.segundos = clock().timeIntervalSince(started)
                let data = try JSONEncoder.manifest.encode(manifest)
                try write(data, to: (partial as NSString).appendingPathComponent(manifestName))
                try fm.moveItem(atPath: partial, toPath: folder)
                try syncDirectory(destination)
                try await record(manifest, folder: folder, store: store, at: Int64(started.timeIntervalSince1970))
                progress("retenção")
                let removed = try retain(
                    in: destination, keepDaily: keepDaily, keepMonthly: keepMonthly, timeZone: configuration.timeZone, now: clock())
                return Summary(folder: folder, manifest: manifest, removed: removed)
            }
        } catch {
            try? fm.removeItem(atPath: partial)
            throw error
        }
    }

    // MARK: SQLite

    /// `VACUUM INTO` a snapshot, checked (`integrity_check`) and counted, then gzipped (SHA-256
    /// taken while writing) and read back whole before it counts as done.
    static func copySQLite(path: String, into folder: String, progress: @escaping @Sendable (String) -> Void) async throws -> Manifest {
        let snapshot = (folder as NSString).appendingPathComponent("banco.sqlite")
        progress("copiando o banco (VACUUM INTO)")
        let live = try await SQLiteConnection.open(storage: .file(path: path), logger: quiet)
        do {
            _ = try await live.query("PRAGMA busy_timeout=30000")
            try await live.sql().raw("VACUUM INTO \(bind: snapshot)").run()
        } catch {
            try? await live.close()
            throw error
        }
        try await live.close()
        progress("conferindo a cópia (integrity_check)")
        let (schema, tables) = try await inspectSQLite(snapshot)
        let data = (folder as NSString).appendingPathComponent("banco.sqlite.gz")
        let size = (try FileManager.default.attributesOfItem(atPath: snapshot)[.size] as? NSNumber)?.int64Value ?? 0
        let (bytes, sha) = try gzip(snapshot, to: data) { progress("comprimindo \(Int($0 * 100)) %") }
        try FileManager.default.removeItem(atPath: snapshot)
        progress("relendo o arquivo gravado")
        guard try sha256(of: data) == sha, try gunzip(data, to: nil) == size else {
            throw StorageError.corrupt("o arquivo gravado não confere com o que foi escrito")
        }
        return Manifest(
            formato: Manifest.currentFormat, produto: "agencia-server", versao: AgenciaVersion.current, motor: "sqlite",
            esquema: schema, criadoEm: "", arquivo: "banco.sqlite.gz", bytes: bytes, sha256: sha, bytesOriginais: size, tabelas: tables,
            segundos: 0)
    }

    /// A SQLite file's schema version and rows per table, after `PRAGMA integrity_check`.
    static func inspectSQLite(_ path: String) async throws -> (schema: Int, tables: [String: Int64]) {
        let conn = try await SQLiteConnection.open(storage: .file(path: path), logger: quiet)
        do {
            let db = conn.sql()
            let check = try await db.raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) }
            guard check == ["ok"] else { throw Refused("A cópia do banco não passou no integrity_check: \(check.prefix(3).joined(separator: "; "))") }
            let tables = try await rowCounts(
                db, tablesQuery: "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            let schema = try await schemaVersion(db)
            try await conn.close()
            return (schema, tables)
        } catch {
            try? await conn.close()
            throw error
        }
    }

    /// The rows of each table `tablesQuery` names (in its column `t`).
    static func rowCounts(_ db: any SQLDatabase, tablesQuery: String) async throws -> [String: Int64] {
        var tables: [String: Int64] = [:]
        for row in try await db.raw(SQLQueryString(tablesQuery)).all() {
            let n = try row.decode(column: "t", as: String.self)
            tables[n] = try await db.raw("SELECT COUNT(*) AS n FROM \(ident: n)").first()?.decode(column: "n", as: Int64.self) ?? 0
        }
        return tables
    }

    static func schemaVersion(_ db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT MAX(version) AS v FROM schema_migrations").first()?.decode(column: "v", as: Int?.self) ?? 0
    }

    // MARK: PostgreSQL

    /// Counts the rows inside a repeatable-read transaction and has pg_dump copy that very
    /// snapshot (`--snapshot`), then checks that pg_restore reads the archive's table of contents.
    static func dumpPostgres(_ pg: PostgresStore, url: String, into folder: String, progress: @escaping @Sendable (String) -> Void)
        async throws -> Manifest
    {
        let data = (folder as NSString).appendingPathComponent("banco.pgdump")
        let env = try PostgresTools.environment(url)
        progress("contando as linhas do instantâneo")
        let (schema, tables) = try await pg.client.withConnection { conn in
            let db = conn.sql()
            try await db.raw("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
            do {
                guard let id = try await db.raw("SELECT pg_export_snapshot() AS s").first()?.decode(column: "s", as: String.self) else {
                    throw StorageError.corrupt("pg_export_snapshot")
                }
                let tables = try await rowCounts(db, tablesQuery: "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")
                let schema = try await schemaVersion(db)
                progress("pg_dump do mesmo instantâneo")
                try PostgresTools.run(
                    ["pg_dump", "--format=custom", "--snapshot=\(id)", "--file=\(data)"], environment: env, what: "pg_dump")
                try await db.raw("COMMIT").run()
                return (schema, tables)
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
        progress("relendo o arquivo gravado")
        try PostgresTools.run(["pg_restore", "--list", data], environment: env, what: "pg_restore --list")
        let bytes = (try FileManager.default.attributesOfItem(atPath: data)[.size] as? NSNumber)?.int64Value ?? 0
        return Manifest(
            formato: Manifest.currentFormat, produto: "agencia-server", versao: AgenciaVersion.current, motor: "postgres",
            esquema: schema, criadoEm: "", arquivo: "banco.pgdump", bytes: bytes, sha256: try sha256(of: data), bytesOriginais: nil,
            tabelas: tables, segundos: 0)
    }

    // MARK: Record and retention

    /// The backup as the server's metric reads it (`agencia_backup_age_seconds`).
    static func record(_ m: Manifest, folder: String, store: any Store, at: Int64) async throws {
        try await store.write { db in
            try await db.raw(
                """
                INSERT INTO backups (taken_at, folder, engine, schema_version, bytes, sha256, row_count)
                VALUES (\(bind: at), \(bind: folder), \(bind: m.motor), \(bind: m.esquema), \(bind: m.bytes), \(bind: m.sha256), \(bind: m.linhas))
                """
            ).run()
        }
    }

    /// When the newest good backup was taken (nil: never), for the metric.
    static func newest(_ store: any Store) async throws -> Int64? {
        try await store.read { db in
            try await db.raw("SELECT MAX(taken_at) AS t FROM backups").first()?.decode(column: "t", as: Int64?.self)
        }
    }

    /// Removes the backups of `destination` that are neither the newest of one of the last
    /// `keepDaily` days nor the newest of one of the last `keepMonthly` months (days and months
    /// in the utility's zone), and hidden partial folders older than a day (a backup that died).
    /// Only folders named and laid out as backups are touched. Returns the names removed.
    static func retain(in destination: String, keepDaily: Int, keepMonthly: Int, timeZone: String, now: Date) throws -> [String] {
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: destination)
        var backups: [(name: String, date: Date)] = []
        for n in names {
            let path = (destination as NSString).appendingPathComponent(n)
            if n.hasPrefix(".\(prefix)"), n.hasSuffix(".parcial"),
                let modified = try? fm.attributesOfItem(atPath: path)[.modificationDate] as? Date, now.timeIntervalSince(modified) > 86_400
            {
                try? fm.removeItem(atPath: path)
                continue
            }
            guard let d = date(ofFolder: n), fm.fileExists(atPath: (path as NSString).appendingPathComponent(manifestName)) else { continue }
            backups.append((n, d))
        }
        backups.sort { $0.date > $1.date }
        var keep: Set<String> = []
        var days: [String] = []
        var months: [String] = []
        for b in backups {
            let day = LocalCalendar.local(b.date, timeZone: timeZone).date
            let dayKey = day.iso
            let monthKey = String(day.iso.prefix(7))
            if !days.contains(dayKey), days.count < keepDaily {
                days.append(dayKey)
                keep.insert(b.name)
            }
            if !months.contains(monthKey), months.count < keepMonthly {
                months.append(monthKey)
                keep.insert(b.name)
            }
        }
        var removed: [String] = []
        for b in backups where !keep.contains(b.name) {
            try fm.removeItem(atPath: (destination as NSString).appendingPathComponent(b.name))
            removed.append(b.name)
        }
        return removed
    }

    // MARK: Files

    static let quiet: Logger = {
        var l = Logger(label: "agencia-backup")
        l.logLevel = .critical
        return l
    }()

    static let chunk = 1 << 20

    /// Gzips `source` into `target` (zlib through CompressNIO), fsynced; the compressed size and
    /// its SHA-256, taken as it is written.
    static func gzip(_ source: String, to target: String, progress: (Double) -> Void) throws -> (bytes: Int64, sha: String) {
        guard let input = FileHandle(forReadingAtPath: source) else { throw StorageError.corrupt("não foi possível ler \(source)") }
        defer { try? input.close() }
        let total = max(1, (try FileManager.default.attributesOfItem(atPath: source)[.size] as? NSNumber)?.int64Value ?? 1)
        guard FileManager.default.createFile(atPath: target, contents: nil), let output = FileHandle(forWritingAtPath: target) else {
            throw StorageError.corrupt("não foi possível criar \(target)")
        }
        defer { try? output.close() }
        let compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: 3))
        var hash = SHA256()
        var written: Int64 = 0
        var read: Int64 = 0
        var out = ByteBufferAllocator().buffer(capacity: 2 * chunk)
        func emit() throws {
            guard out.readableBytes > 0 else { return }
            let bytes = Data(out.readableBytesView)
            hash.update(data: bytes)
            try output.write(contentsOf: bytes)
            written += Int64(bytes.count)
            out.clear()
        }
        while true {
            let data = try input.read(upToCount: chunk) ?? Data()
            read += Int64(data.count)
            let last = data.isEmpty
            var buffer = ByteBufferAllocator().buffer(capacity: max(16, data.count))
            buffer.writeBytes(data)
            // Until zlib has taken the whole chunk (and, at the end, written its trailer).
            while true {
                var more = false
                do {
                    try compressor.deflate(from: &buffer, to: &out, flush: last ? .finish : .no)
                } catch let e as CompressNIOError where e == .bufferOverflow {
                    more = true
                }
                try emit()
                if !more && buffer.readableBytes == 0 { break }
            }
            if last { break }
            progress(Double(read) / Double(total))
        }
        try output.synchronize()
        return (written, hash.finalize().hex)
    }

    /// Reads a gzip file through, writing what it holds to `target` when given; a truncated file,
    /// one altered inside (CRC) or with anything after its end throws `Refused`. Returns the
    /// uncompressed size.
    @discardableResult
    static func gunzip(_ source: String, to target: String?) throws -> Int64 {
        guard let input = FileHandle(forReadingAtPath: source) else { throw Refused("Não foi possível ler \(source).") }
        defer { try? input.close() }
        var output: FileHandle?
        if let target {
            guard FileManager.default.createFile(atPath: target, contents: nil), let h = FileHandle(forWritingAtPath: target) else {
                throw StorageError.corrupt("não foi possível criar \(target)")
            }
            output = h
        }
        defer { try? output?.close() }
        let damaged = Refused("O arquivo \(source) está incompleto ou foi alterado (o gzip não confere).")
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        var written: Int64 = 0
        var out = ByteBufferAllocator().buffer(capacity: 4 * chunk)
        var ended = false
        func inflate(_ buffer: inout ByteBuffer) throws {
            do {
                try decompressor.inflate(from: &buffer, to: &out)
                // No error and input left over: the stream ended (Z_STREAM_END) before it.
                if buffer.readableBytes > 0 { ended = true }
            } catch let e as CompressNIOError where e == .bufferOverflow || e == .inputBufferOverflow {
                // output full, or all input taken and more is needed
            } catch {
                throw damaged
            }
            written += Int64(out.readableBytes)
            if let output, out.readableBytes > 0 { try output.write(contentsOf: Data(out.readableBytesView)) }
            out.clear()
        }
        while let data = try input.read(upToCount: chunk), !data.isEmpty {
            var buffer = ByteBuffer(bytes: data)
            while buffer.readableBytes > 0 {
                if ended { throw Refused("O arquivo \(source) tem dados depois do fim do gzip: foi alterado.") }
                try inflate(&buffer)
            }
        }
        // Fed nothing more, a finished stream says so again; an unfinished one asks for input.
        if !ended {
            var empty = ByteBufferAllocator().buffer(capacity: 16)
            do {
                try decompressor.inflate(from: &empty, to: &out)
            } catch {
                throw damaged
            }
        }
        try output?.synchronize()
        return written
    }

    static func sha256(of path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw Refused("Não foi possível ler \(path).") }
        defer { try? h.close() }
        var hash = SHA256()
        while let d = try h.read(upToCount: chunk), !d.isEmpty { hash.update(data: d) }
        return hash.finalize().hex
    }

    static func write(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data), let h = FileHandle(forWritingAtPath: path) else {
            throw StorageError.corrupt("não foi possível gravar \(path)")
        }
        try h.synchronize()
        try h.close()
    }

    /// A rename survives a crash once its folder is synced.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        fsync(fd)
    }
}

extension JSONEncoder {
    static var manifest: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// PostgreSQL's own tools (pg_dump, pg_restore, psql), given the connection by environment
/// (the password never on a command line, where `ps` would show it).
enum PostgresTools {
    static func environment(_ url: String) throws -> [String: String] {
        guard let c = URLComponents(string: url), let host = c.host else { throw ConfigurationError.invalid("database", "URL PostgreSQL inválida") }
        var env = ProcessInfo.processInfo.environment
        env["PGHOST"] = host
        env["PGPORT"] = String(c.port ?? 5432)
        env["PGUSER"] = c.user ?? "postgres"
        if let p = c.password { env["PGPASSWORD"] = p } else { env["PGPASSWORD"] = nil }
        env["PGDATABASE"] = String(c.path.drop { $0 == "/" })
        env["PGSSLMODE"] = c.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        env["PGAPPNAME"] = "agencia-backup"
        return env
    }

    /// Runs a tool; its error output becomes the error when it fails.
    static func run(_ arguments: [String], environment: [String: String], what: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.environment = environment
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do {
            try p.run()
        } catch {
            throw Backup.Refused("\(what) não pôde ser executado (\(error)): instale o cliente do PostgreSQL (postgresql-client).")
        }
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Backup.Refused("\(what) falhou: \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

}
