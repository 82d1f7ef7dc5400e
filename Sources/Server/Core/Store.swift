import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import ServiceLifecycle

/// Which database a store runs on: decides the few SQL differences (row locks, SKIP LOCKED).
public enum DatabaseEngine: String, Sendable {
    case sqlite, postgres
}

/// The database, as the rest of the server sees it: reads on any connection, writes in a
/// transaction. Each feature's repository writes its queries once for both engines.
public protocol Store: Sendable {
    var engine: DatabaseEngine { get }
    /// Runs `body` outside a transaction (reads).
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in a write transaction: committed when it returns, rolled back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Closes connections.
    func shutdown() async
}

/// Opens the store a `database` setting names (`sqlite:PATH` or `postgres://…`).
public enum StoreFactory {
    public static func open(_ url: String, logger: Logger) async throws -> any Store {
        if url.hasPrefix("sqlite:") {
            return try await SQLiteStore.open(path: String(url.dropFirst("sqlite:".count)), logger: logger)
        }
        return try PostgresStore(url: url, logger: logger)
    }
}

/// Serialises async critical sections (the SQLite writer) without blocking a thread.
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// SQLite in WAL mode: one writer connection (write transactions take it in turn, with
/// `BEGIN IMMEDIATE` so a transaction never has to upgrade its lock), several readers.
/// `synchronous=FULL`: an acknowledged write survives power loss.
public final class SQLiteStore: Store, @unchecked Sendable {
    public let engine = DatabaseEngine.sqlite
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let next = ManagedAtomicCounter()
    private let logger: Logger
    /// What this process's writes changed among the rows the server keeps in memory, announced
    /// after each commit, and that another process wrote (`watchChanges`, DECISIONS 71).
    let changes = ChangeFeed()
    /// Payloads the writer's temporary triggers reported in the open transaction.
    private let changed = NIOLockedValueBox<[ChangeFeed.Payload]>([])
    /// The writer's `PRAGMA data_version` when last looked at: it moves only when another
    /// connection — another process — commits.
    private let otherWrites = NIOLockedValueBox<Int64?>(nil)

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.logger = logger
    }

    public static func open(path: String, readers count: Int = 3, logger: Logger) async throws -> SQLiteStore {
        var log = logger
        log[metadataKey: "db"] = "\(DatabaseEngine.sqlite.rawValue)"
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: log)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=10000", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"] {
            _ = try await writer.query(pragma)
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<count {
            let r = try await SQLiteConnection.open(storage: .file(path: path), logger: log)
            _ = try await r.query("PRAGMA busy_timeout=10000")
            _ = try await r.query("PRAGMA query_only=ON")
            // Pages read through a memory map and a larger cache: a read of a random property
            // in a database bigger than SQLite's 2 MB default cache costs no read() calls.
            _ = try await r.query("PRAGMA mmap_size=1073741824")
            _ = try await r.query("PRAGMA cache_size=-32768")
            readers.append(r)
        }
        return SQLiteStore(writer: writer, readers: readers, logger: log)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let conn = readers[next.increment() % readers.count]
        return try await body(conn.sql(queryLogLevel: nil))
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        await writeLock.lock()
        do {
            let db = writer.sql(queryLogLevel: nil)
            changed.withLockedValue { $0.removeAll() }
            try await db.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                // Announced after the commit and before the write's caller hears of it: a
                // read that started earlier cannot put back what the change removed.
                let payloads = changed.withLockedValue { c in
                    defer { c.removeAll() }
                    return Set(c)
                }
                for p in payloads { changes.deliver(p) }
                await writeLock.unlock()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        } catch {
            await writeLock.unlock()
            throw error
        }
    }

    public func shutdown() async {
        for c in readers + [writer] { try? await c.close() }
    }

    /// Starts announcing changes on `changes`, the way migration 18's triggers do on
    /// PostgreSQL: temporary triggers on the writer connection (this process's writes all go
    /// through it) call `agencia_changed(payload)`; `write` delivers the payloads once
    /// committed. Call after the migrations; `noticeOtherWriters` covers other processes.
    func watchChanges() async throws {
        let changed = self.changed
        try await writer.install(
            customFunction: SQLiteCustomFunction("agencia_changed", argumentCount: 1) { args in
                if let payload = args.first?.string { changed.withLockedValue { $0.append(payload) } }
                return nil
            })
        // (event, table, payload): SQLite's triggers have one event each.
        let session = "'s:' || OLD.token_hash"
        let triggers = [
            ("UPDATE OF revoked_at, expires_at, idle_seconds, kind, matricula, documento, staff_usuario", "sessions", session),
            ("DELETE", "sessions", session), ("UPDATE", "staff", "'staff'"), ("DELETE", "staff", "'staff'"),
            ("INSERT", "correction_index", "'correction_index'"), ("UPDATE", "correction_index", "'correction_index'"),
            ("DELETE", "correction_index", "'correction_index'"),
        ]
        for (i, (event, table, payload)) in triggers.enumerated() {
            _ = try await writer.query(
                "CREATE TEMP TRIGGER agencia_changed_\(i) AFTER \(event) ON main.\(table) BEGIN SELECT agencia_changed(\(payload)); END")
        }
        try await noticeOtherWriters()
        changes.setLive(true)
    }

    /// Whether another process committed since the last look (`agencia-server staff`, SQL by
    /// hand); if so, every cache forgets everything. Polled twice a second (`SQLiteChangeWatch`).
    func noticeOtherWriters() async throws {
        await writeLock.lock()
        let version: Int64?
        do {
            version = try await writer.query("PRAGMA data_version").first?.column("data_version")?.integer.map(Int64.init)
        } catch {
            await writeLock.unlock()
            throw error
        }
        await writeLock.unlock()
        let moved = otherWrites.withLockedValue { last in
            defer { last = version }
            return last != nil && last != version
        }
        if moved { changes.setLive(true) }
    }
}

/// Looks twice a second for another process's writes to the SQLite database (`SQLiteStore.
/// noticeOtherWriters`): a staff account deactivated with `agencia-server staff` ends its
/// sessions within half a second.
struct SQLiteChangeWatch: Service {
    let store: SQLiteStore

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await store.noticeOtherWriters()
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}

/// PostgreSQL through a `PostgresClient` pool. `run()` must be running (the application adds
/// it as a service).
public final class PostgresStore: Store, @unchecked Sendable {
    public let engine = DatabaseEngine.postgres
    public let client: PostgresClient
    private let logger: Logger

    public init(url: String, logger: Logger) throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw ConfigurationError.invalid("database", "URL PostgreSQL inválida")
        }
        let query = components.queryItems ?? []
        let sslmode = query.first { $0.name == "sslmode" }?.value ?? "disable"
        var config = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: String(components.path.drop { $0 == "/" }).isEmpty ? nil : String(components.path.drop { $0 == "/" }),
            tls: sslmode == "require" ? .require(.makeClientConfiguration()) : .disable
        )
        config.options.maximumConnections = Int(query.first { $0.name == "pool" }?.value ?? "") ?? 16
        self.client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.logger = logger
    }

    /// How long a request waits for a connection from the pool. With the server down or
    /// restarting the pool keeps trying to connect; the request is answered 503 meanwhile
    /// instead of waiting for it (issue 15). Once it has a connection, its work is not timed.
    static let acquireTimeout: Duration = .seconds(3)

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnectionDeadline { lease in
            try await self.client.withConnection { conn in
                lease.hold { conn.isClosed }
                return try await body(conn.sql(queryLogLevel: nil))
            }
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await withConnectionDeadline { lease in
                try await self.client.withTransaction(logger: self.logger) { conn in
                    lease.hold { conn.isClosed }
                    return try await body(PostgresSession(sql: conn.sql(queryLogLevel: nil), connection: conn))
                }
            }
        } catch let e as PostgresTransactionError {
            // The caller's own error (an APIError refusing the request) comes out as it went in.
            if let inner = e.closureError, e.rollbackError == nil { throw inner }
            throw Self.unavailableIfConnectionLost(e.beginError ?? e.commitError ?? e)
        }
    }

    /// Runs `work` through `GuardedCall` (refused when no connection comes within
    /// `acquireTimeout`, or when the one it holds closes under it); a lost connection is
    /// `unavailable` too.
    private func withConnectionDeadline<T: Sendable>(
        _ work: @escaping @Sendable (LeaseWait) async throws -> T
    ) async throws -> T {
        do {
            return try await GuardedCall.run(
                acquireTimeout: Self.acquireTimeout,
                abandoned: { [logger] in logger.warning("database call left unanswered on a closed connection; refused") }, work)
        } catch {
            throw Self.unavailableIfConnectionLost(error)
        }
    }

    private static func unavailableIfConnectionLost(_ error: any Error) -> any Error {
        let mapped = mapConnectionLoss(error)
        if mapped as? StorageError == .unavailable { Telemetry.databaseUnavailable.increment() }
        return mapped
    }

    private static func mapConnectionLoss(_ error: any Error) -> any Error {
        // The pool's own refusals (its circuit breaker open after failed connection attempts,
        // while the server restarts) come from PostgresNIO's underscored pool module: known by
        // their type's name rather than by importing an unstable API.
        if String(reflecting: type(of: error)).contains("ConnectionPoolError") { return StorageError.unavailable }
        guard let e = error as? PSQLError else { return error }
        switch e.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return StorageError.unavailable
        default:
            return e
        }
    }

    /// Loads rows with COPY in one transaction (the demo tiers). A table with a conflict key
    /// goes through a temporary table and `INSERT … ON CONFLICT DO NOTHING`, as the INSERT path
    /// does; COPY itself cannot skip a duplicate.
    func bulkLoad(_ tables: [BulkTable]) async throws {
        try await client.withTransaction(logger: logger) { conn in
            for t in tables where !t.rows.isEmpty {
                let columns = t.columns.joined(separator: ", ")
                let target = t.conflict == nil ? t.name : "carga_\(t.name)"
                if t.conflict != nil {
                    _ = try await conn.query(
                        "CREATE TEMP TABLE \(unescaped: target) (LIKE \(unescaped: t.name) INCLUDING DEFAULTS) ON COMMIT DROP",
                        logger: logger)
                }
                try await BulkTable.copy(conn, target, t.columns, t.rows, logger: logger)
                if let conflict = t.conflict {
                    _ = try await conn.query(
                        """
                        INSERT INTO \(unescaped: t.name) (\(unescaped: columns)) SELECT \(unescaped: columns) FROM \(unescaped: target)
                        ON CONFLICT (\(unescaped: conflict)) DO NOTHING
                        """, logger: logger)
                    _ = try await conn.query("DROP TABLE \(unescaped: target)", logger: logger)
                }
            }
        }
    }

    public func shutdown() async {}
}

/// Rows for a table, loaded in bulk (`DemoData`): by COPY on PostgreSQL, by multi-row INSERTs
/// on SQLite.
struct BulkTable: Sendable {
    typealias Row = [(any Encodable & Sendable)?]
    var name: String
    var columns: [String]
    var rows: [Row]
    /// The unique columns whose duplicates are skipped.
    var conflict: String? = nil

    /// Multi-row INSERTs in chunks that stay under both engines' bind limits. A row whose
    /// `conflict` columns are taken is skipped, or, with `update`, has those columns replaced.
    /// Without `conflict`, in a PostgreSQL transaction, the rows go by COPY instead (DECISIONS 93:
    /// a fraction of the server's work per row).
    static func insert(
        _ db: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [Row], conflict: String? = nil, update: [String] = []
    ) async throws {
        if conflict == nil, rows.count > 1, let session = db as? PostgresSession {
            return try await copy(session.connection, table, columns, rows, logger: session.logger)
        }
        let per = max(1, 4000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + per)]
            var sql = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns.joined(separator: ", "))) VALUES ")
            values(chunk, into: &sql)
            if let conflict {
                sql.appendLiteral(
                    update.isEmpty
                        ? " ON CONFLICT (\(conflict)) DO NOTHING"
                        : " ON CONFLICT (\(conflict)) DO UPDATE SET " + update.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            }
            try await db.raw(sql).run()
            start += per
        }
    }

    /// `(?, ?…), (?, ?…)…`: the rows as a VALUES list, each value bound (NULL as is).
    static func values(_ rows: ArraySlice<Row>, into sql: inout SQLQueryString) {
        for (i, row) in rows.enumerated() {
            sql.appendLiteral(i > 0 ? ", (" : "(")
            for (j, v) in row.enumerated() {
                if j > 0 { sql.appendLiteral(", ") }
                if let v { sql.appendInterpolation(bind: v) } else { sql.appendLiteral("NULL") }
            }
            sql.appendLiteral(")")
        }
    }

    /// Updates many rows in one statement per chunk: `UPDATE table SET columns… FROM (VALUES …)`
    /// matched on the `keys` (each row: the keys' values, then the columns'). SQLite (3.33+) and
    /// PostgreSQL both name a VALUES list's columns `column1`, `column2`…; `condition` adds to
    /// the match (on `table`'s own columns).
    static func update(
        _ db: any SQLDatabase, _ table: String, keys: [String], columns: [String], _ rows: [Row], condition: String = ""
    ) async throws {
        let width = keys.count + columns.count
        let per = max(1, 4000 / width)
        let set = columns.enumerated().map { "\($0.element) = v.column\(keys.count + $0.offset + 1)" }.joined(separator: ", ")
        let match = keys.enumerated().map { "\(table).\($0.element) = v.column\($0.offset + 1)" }.joined(separator: " AND ")
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + per)]
            var sql = SQLQueryString("UPDATE \(unsafeRaw: table) SET \(unsafeRaw: set) FROM (VALUES ")
            values(chunk, into: &sql)
            sql.appendLiteral(") AS v WHERE \(match)\(condition.isEmpty ? "" : " AND \(condition)")")
            try await db.raw(sql).run()
            start += per
        }
    }

    /// `COPY table (columns) FROM STDIN` with the rows in COPY's text format, a megabyte at a time.
    static func copy(_ conn: PostgresConnection, _ table: String, _ columns: [String], _ rows: [Row], logger: Logger) async throws {
        try await conn.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            for row in rows {
                for (i, v) in row.enumerated() {
                    if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                    buffer.writeString(copyText(v))
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }

    /// A value in COPY's text format: `\N` for NULL; backslash, tab and line breaks escaped.
    static func copyText(_ value: (any Encodable & Sendable)?) -> String {
        switch value {
        case nil: return "\\N"
        case let s as String:
            guard s.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return s }
            return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        case let b as Bool: return b ? "t" : "f"
        case let v?: return "\(v)"
        }
    }
}

/// A PostgreSQL transaction's connection as SQLKit sees it, with the connection itself for what
/// SQLKit does not offer (COPY: `BulkTable.insert`).
struct PostgresSession: SQLDatabase {
    let sql: any SQLDatabase
    let connection: PostgresConnection
    var logger: Logger { sql.logger }
    var eventLoop: any EventLoop { sql.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var dialect: any SQLDialect { sql.dialect }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        sql.execute(sql: query, onRow)
    }
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await sql.execute(sql: query, onRow)
    }
}

/// A wait for a pooled connection: once `hold(isClosed:)` is called the acquire deadline no
/// longer applies, and the wait is measured (`agencia_db_connection_wait_seconds`).
final class LeaseWait: Sendable {
    private let asked = ContinuousClock.now
    private let box = NIOLockedValueBox<(@Sendable () -> Bool)?>(nil)

    /// Whether the connection held is closed; nil while none is held.
    var connectionClosed: (@Sendable () -> Bool)? { box.withLockedValue { $0 } }

    func hold(isClosed: @escaping @Sendable () -> Bool) {
        box.withLockedValue { $0 = isClosed }
        let waited = ContinuousClock.now - asked
        Telemetry.databaseWait.recordNanoseconds(waited.components.seconds * 1_000_000_000 + waited.components.attoseconds / 1_000_000_000)
    }
}

/// A call on a pooled PostgreSQL connection that cannot leave its caller waiting forever.
/// PostgresNIO can leave a query unanswered on a connection PostgreSQL's fast shutdown
/// terminated (issue 15: once in ~6 000 calls over 40 restarts; the background job that made it
/// never returned and the server ignored SIGTERM). A task group would wait for such a call
/// even after cancelling it, so the work runs in a task of its own and the caller takes the
/// first of: the work's answer; `unavailable` when no connection came within `acquireTimeout`;
/// `unavailable` when the connection held closed and the work still had not answered
/// `lostGrace` later — the work is then cancelled and left behind.
enum GuardedCall {
    static func run<T: Sendable>(
        acquireTimeout: Duration, lostGrace: Duration = .seconds(1), checkEvery: Duration = .milliseconds(250),
        abandoned: @escaping @Sendable () -> Void = {}, _ work: @escaping @Sendable (LeaseWait) async throws -> T
    ) async throws -> T {
        let lease = LeaseWait()
        let outcome = FirstOutcome<T>()
        let worker = Task {
            do { outcome.settle(.success(try await work(lease))) } catch { outcome.settle(.failure(error)) }
        }
        let watchdog = Task {
            try await Task.sleep(for: acquireTimeout)
            guard let closed = lease.connectionClosed else {
                worker.cancel()
                return outcome.settle(.failure(StorageError.unavailable))
            }
            while !closed() { try await Task.sleep(for: checkEvery) }
            try await Task.sleep(for: lostGrace)
            worker.cancel()
            abandoned()
            outcome.settle(.failure(StorageError.unavailable))
        }
        defer { watchdog.cancel() }
        // The caller's cancellation reaches the work; the answer is still awaited (the
        // watchdog bounds the wait).
        return try await withTaskCancellationHandler {
            try await outcome.value()
        } onCancel: {
            worker.cancel()
        }
    }
}

/// The first result settled wins; `value()` waits for it.
final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }
    private let state = NIOLockedValueBox(State())

    func settle(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLockedValue { s in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { c in
            let settled: Result<T, any Error>? = state.withLockedValue { s in
                if s.result == nil { s.waiter = c }
                return s.result
            }
            if let settled { c.resume(with: settled) }
        }
    }
}

/// A tiny lock-protected counter (round-robin over reader connections).
final class ManagedAtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value &+= 1
        return value & Int.max
    }
}

extension SQLRow {
    /// A nullable column. SQLKit decodes `Optional<T>` through a nested `Decoder` per value;
    /// asking for NULL first lets `T` take the driver's direct path (issue 15).
    func optional<T: Decodable>(_ column: String, as: T.Type) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: T.self)
    }
}
