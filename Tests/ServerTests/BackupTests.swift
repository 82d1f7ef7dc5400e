import Domain
import Foundation
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit
import XCTest

@testable import Server

/// Backups that restore (issue 29), on SQLite and PostgreSQL: a backup taken while statements,
/// protocols and payments from return files keep being written restores, into an empty
/// database, to a consistent snapshot that the API answers from as the original did; a cut or
/// altered backup, a newer schema and a non-empty target are refused with nothing written; an
/// older schema is migrated forward.
final class BackupTests: XCTestCase {
    /// Properties the writers never touch: the restored API answers for them as the original did.
    static let untouched = ["100021", "100048", "100056", "100064"]

    func testABackupTakenUnderWritesRestoresAConsistentSnapshot() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-backups-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let source = NIOLockedValueBox(ServerConfiguration())
            var summary: Backup.Summary?
            var answers: [String: String] = [:]
            var final: (protocols: Int64, statements: Int64, files: Int64) = (0, 0, 0)
            var atStart: (protocols: Int64, statements: Int64, files: Int64) = (0, 0, 0)
            try await Harness.withServer(engine, clock: clock, configure: { c in source.withLockedValue { $0 = c } }) { client, server in
                let ana = try await client.staffToken()
                for k in 0..<3 {
                    let r = try await client.post(
                        "/v1/protocols", ProtocolAPITests.request(k), token: ana, headers: ["Idempotency-Key": "antes-\(k)-\(engine)"])
                    AEq(r.status, .created, "\(engine): \(r.json)")
                }
                // What the API says, before any write, of what the writers will never touch.
                for m in Self.untouched {
                    answers["/v1/properties/\(m)"] = try await Self.canonical(client.get("/v1/properties/\(m)", token: ana))
                    answers["/v1/properties/\(m)/bills"] = try await Self.canonical(client.get("/v1/properties/\(m)/bills", token: ana))
                }
                for n in 1...3 {
                    let path = "/v1/protocols/202600000\(n)"
                    answers[path] = try await Self.canonical(client.get(path, token: ana))
                }
                // The open bills of the generated properties: one statement, paid by a return file, each.
                let open = try await server.store.read { db in
                    try await db.raw(
                        "SELECT id, matricula FROM bills WHERE situacao = 'aberta' AND matricula LIKE '2%' ORDER BY id LIMIT 400"
                    ).all().map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "matricula", as: String.self)) }
                }
                ATrue(open.count > 100, "\(engine): \(open.count) bills to pay")
                let stop = NIOLockedValueBox(false)
                let written = NIOLockedValueBox(0)
                let companies = DocumentFactory(utility: ServerConfiguration().utility).companies
                let writer = Task {
                    for (k, bill) in open.enumerated() {
                        if stop.withLockedValue({ $0 }) { break }
                        let s = try await client.post(
                            "/v1/properties/\(bill.1)/statements", ["billIds": [bill.0]], token: ana,
                            headers: ["Idempotency-Key": "ext-\(k)-\(engine)"])
                        guard s.status == .created, let pay = s.json["payment"] as? [String: Any],
                            let code = ArrecadacaoBarcode(reading: pay["barcode"] as? String ?? ""), let cents = pay["totalCents"] as? Int
                        else {
                            XCTFail("\(engine): statement \(s.status) \(s.json)")
                            break
                        }
                        let day = CivilDate(iso: "2026-11-23")!
                        let file = ArrecadacaoRetorno(
                            convenio: "000123", bank: "001", bankName: "BANCO", generatedOn: day, nsa: k + 1,
                            payments: [.init(nsr: 1, paidOn: day, creditedOn: day, barcode: code, amount: Money(cents: Int64(cents)), channel: "3")])
                        _ = try await ArrecadacaoImport.apply(
                            file, store: server.store, companies: companies, now: Int64(clock.now.timeIntervalSince1970))
                        let p = try await client.post(
                            "/v1/protocols", ProtocolAPITests.request(100 + k), token: ana, headers: ["Idempotency-Key": "durante-\(k)-\(engine)"])
                        AEq(p.status, .created, "\(engine): \(p.json)")
                        written.withLockedValue { $0 += 1 }
                    }
                }
                while written.withLockedValue({ $0 }) < 5 { try await Task.sleep(for: .milliseconds(20)) }
                atStart = try await Self.counts(server.store)
                let before = written.withLockedValue { $0 }
                summary = try await Backup.run(configuration: source.withLockedValue { $0 }, destination: folder, clock: { clock.now })
                ATrue(written.withLockedValue { $0 } > before, "\(engine): the writers wrote while the backup ran")
                // The writers go on after the backup, then stop.
                let after = written.withLockedValue { $0 } + 5
                while written.withLockedValue({ $0 }) < after && written.withLockedValue({ $0 }) < open.count {
                    try await Task.sleep(for: .milliseconds(20))
                }
                stop.withLockedValue { $0 = true }
                try await writer.value
                final = try await Self.counts(server.store)
                // The server reports the backup's age.
                let age = try await Backup.newest(server.store)
                AEq(age, Int64(clock.now.timeIntervalSince1970), "\(engine): the backup is recorded")
            }
            let backup = try XCTUnwrap(summary)
            let manifest = backup.manifest
            AEq(manifest.motor, engine.rawValue)
            AEq(manifest.esquema, Migrations.latest)

            // Restored into an empty database: the restore itself compares every table's rows
            // with the manifest; then integrity, the snapshot's consistency, and the API.
            var target = ServerConfiguration()
            target.database = try await Self.emptyDatabase(engine)
            let restored = try await Restore.run(origin: backup.folder, configuration: target, clock: { clock.now })
            AEq(restored.schemaAfter, Migrations.latest)
            try await Self.checkIntegrity(target.database)
            target.port = 0
            target.logLevel = "error"
            let app = try await buildApplication(target, clock: { clock.now })
            do {
                try await app.application.test(.live) { client in
                    let ana = try await client.staffToken()
                    for (path, before) in answers.sorted(by: { $0.key < $1.key }) {
                        let now = try await Self.canonical(client.get(path, token: ana))
                        AEq(now, before, "\(engine): \(path) answers as the original did")
                    }
                    // While the server runs (its PostgreSQL pool with it).
                    let got = try await Self.counts(app.store)
                    AEq(got.protocols, manifest.tabelas["protocols"], "\(engine)")
                    ATrue(
                        got.protocols >= atStart.protocols && got.protocols <= final.protocols,
                        "\(engine): a snapshot between the start (\(atStart)) and the end (\(final)): \(got)")
                    ATrue(got.files >= atStart.files && got.files < final.files, "\(engine): \(got) vs \(final)")
                    try await Self.checkConsistency(app.store, engine: engine)
                }
            } catch {
                await app.store.shutdown()
                throw error
            }
            await app.store.shutdown()
        }
    }

    /// A cut, an altered and a newer-schema backup, and a non-empty target: refused, and the
    /// target is left as it was. `--verificar` checks a backup and writes nothing.
    func testDamagedBackupsAndFullTargetsAreRefusedWithNothingWritten() async throws {
        try await forEachEngine { engine in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-backups-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let source = NIOLockedValueBox(ServerConfiguration())
            var backup: Backup.Summary?
            try await Harness.withServer(engine, configure: { c in source.withLockedValue { $0 = c } }) { _, _ in
                backup = try await Backup.run(configuration: source.withLockedValue { $0 }, destination: folder)
                // The same second again: a new name is never the old one overwritten.
                do {
                    _ = try await Backup.run(configuration: source.withLockedValue { $0 }, destination: folder, clock: {
                        Backup.date(ofFolder: (backup!.folder as NSString).lastPathComponent)!
                    })
                    XCTFail("\(engine): overwrote a backup")
                } catch let e as Backup.Refused {
                    ATrue(e.description.contains("nada foi sobrescrito"), e.description)
                }
            }
            let good = try XCTUnwrap(backup).folder
            let checked = try await Restore.run(origin: good, configuration: ServerConfiguration(), checkOnly: true)
            ATrue(checked.checkedOnly && checked.description.contains("nada gravado"), checked.description)

            func damaged(_ name: String, _ change: (String, inout Backup.Manifest) throws -> Void) throws -> String {
                let copy = (folder as NSString).appendingPathComponent(name)
                try FileManager.default.copyItem(atPath: good, toPath: copy)
                let manifestPath = (copy as NSString).appendingPathComponent(Backup.manifestName)
                var m = try JSONDecoder().decode(Backup.Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath)))
                try change((copy as NSString).appendingPathComponent(m.arquivo), &m)
                try JSONEncoder.manifest.encode(m).write(to: URL(fileURLWithPath: manifestPath))
                return copy
            }
            let cut = try damaged("cortado") { data, _ in
                let h = try FileHandle(forWritingTo: URL(fileURLWithPath: data))
                try h.truncate(atOffset: h.seekToEnd() / 2)
                try h.close()
            }
            let altered = try damaged("alterado") { data, _ in
                let h = try FileHandle(forUpdating: URL(fileURLWithPath: data))
                try h.seek(toOffset: 200)
                let b = try h.read(upToCount: 1)![0]
                try h.seek(toOffset: 200)
                try h.write(contentsOf: Data([b ^ 0xFF]))
                try h.close()
            }
            // Altered and its manifest's SHA-256 and size made to match: the data itself refuses.
            let forged = try damaged("forjado") { data, m in
                let h = try FileHandle(forUpdating: URL(fileURLWithPath: data))
                let size = try h.seekToEnd()
                try h.seek(toOffset: size / 2)
                try h.write(contentsOf: Data(repeating: 0x55, count: 64))
                try h.close()
                m.sha256 = try Backup.sha256(of: data)
            }
            let newer = try damaged("mais-novo") { _, m in m.esquema = Migrations.latest + 1 }
            let cases: [(String, String)] = [
                (cut, "cortado ou alterado"), (altered, "SHA-256"), (newer, "esquema mais novo"),
                (forged, engine == .sqlite ? "incompleto ou foi alterado" : "pg_restore"),
            ]
            for (path, said) in cases {
                var target = ServerConfiguration()
                target.database = try await Self.emptyDatabase(engine)
                do {
                    _ = try await Restore.run(origin: path, configuration: target)
                    XCTFail("\(engine): \(path) restored")
                } catch let e as Backup.Refused {
                    ATrue(e.description.contains(said), "\(engine): \(path): \(e)")
                }
                AEq(try await Self.tables(target.database), [], "\(engine): \(path): nothing written")
            }
            // A target that is not empty.
            var full = ServerConfiguration()
            full.database = try await Self.emptyDatabase(engine)
            _ = try await Restore.run(origin: good, configuration: full)
            let before = try await Self.tables(full.database)
            do {
                _ = try await Restore.run(origin: good, configuration: full)
                XCTFail("\(engine): restored over a database")
            } catch let e as Backup.Refused {
                ATrue(e.description.contains("vazio"), e.description)
            }
            AEq(try await Self.tables(full.database), before)
        }
    }

    /// A backup of an older release (its schema one migration behind) is restored and migrated
    /// forward, as a server's start would.
    func testAnOlderSchemaIsMigratedForward() async throws {
        try await forEachEngine { engine in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-backups-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let url = try await Harness.database(engine)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let store = try await StoreFactory.open(url, logger: logger)
            let manifest: Backup.Manifest = try await Self.withStore(store) {
                try await Migrations.run(on: store, now: 0, upTo: Migrations.latest - 1)
                if let pg = store as? PostgresStore {
                    return try await Backup.dumpPostgres(pg, url: url, into: folder, progress: { _ in })
                }
                return try await Backup.copySQLite(path: String(url.dropFirst("sqlite:".count)), into: folder, progress: { _ in })
            }
            AEq(manifest.esquema, Migrations.latest - 1)
            try JSONEncoder.manifest.encode(manifest).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(Backup.manifestName)))
            var target = ServerConfiguration()
            target.database = try await Self.emptyDatabase(engine)
            let restored = try await Restore.run(origin: folder, configuration: target)
            AEq(restored.schemaAfter, Migrations.latest, "\(engine)")
            ATrue(restored.description.contains("migrado para o esquema \(Migrations.latest)"), restored.description)
            ATrue(try await Self.tables(target.database).contains("backups"), "\(engine): the newer migration's table is there")
        }
    }

    /// The newest backup of each of the last N days and of the last M months stays; the rest,
    /// and a partial folder older than a day, go; nothing else in the folder is touched.
    func testRetentionKeepsDailyAndMonthlyCopies() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-retention-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fm = FileManager.default
        let now = ISO8601DateFormatter().date(from: "2026-12-05T05:30:00Z")!
        // Two a day (02:30 and 14:30 in Aracaju) for 400 days.
        var made: [String] = []
        for day in 0..<400 {
            for hour in [5.5, 17.5] {
                let date = now.addingTimeInterval(-Double(day) * 86_400 + (hour - 5.5) * 3600)
                guard date <= now else { continue }
                let name = Backup.folderName(date)
                let path = (folder as NSString).appendingPathComponent(name)
                try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
                fm.createFile(atPath: (path as NSString).appendingPathComponent(Backup.manifestName), contents: Data("{}".utf8))
                made.append(name)
            }
        }
        let stale = (folder as NSString).appendingPathComponent(".agencia-20261201T023000Z.parcial")
        try fm.createDirectory(atPath: stale, withIntermediateDirectories: true)
        try fm.setAttributes([.modificationDate: now.addingTimeInterval(-3 * 86_400)], ofItemAtPath: stale)
        fm.createFile(atPath: (folder as NSString).appendingPathComponent("LEIA-ME.txt"), contents: Data())
        fm.createFile(atPath: (folder as NSString).appendingPathComponent("agencia-sem-manifesto"), contents: Data())

        let removed = try Backup.retain(in: folder, keepDaily: 7, keepMonthly: 12, timeZone: "America/Maceio", now: now)
        let left = Set(try fm.contentsOfDirectory(atPath: folder))
        let kept = made.filter { left.contains($0) }.sorted()
        AEq(Set(removed).union(kept), Set(made), "every backup either kept or removed")
        let local = { (name: String) in LocalCalendar.local(Backup.date(ofFolder: name)!, timeZone: "America/Maceio").date.iso }
        let days = kept.map(local)
        let daily = Set(days.filter { $0 >= "2026-11-29" })
        AEq(daily.count, 7, "\(kept)")
        let months = Set(days.map { String($0.prefix(7)) })
        AEq(months.count, 12, "\(kept)")
        ATrue(months.contains("2026-01") && !months.contains("2025-12"), "\(months.sorted())")
        // Of each day and month, the newest copy.
        ATrue(kept.contains(Backup.folderName(now)), "today's")
        AEq(kept.count, 7 + 10, "seven days (of December and November), and ten more months")
        ATrue(!left.contains(".agencia-20261201T023000Z.parcial"), "a partial folder three days old goes")
        ATrue(left.contains("LEIA-ME.txt") && left.contains("agencia-sem-manifesto"), "nothing else is touched")
    }

    // MARK: Helpers

    /// An answer as compared between the original and the restored server: the JSON, keys sorted.
    static func canonical(_ r: TestResponse) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: r.body))
        return "\(r.status.code) " + String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func counts(_ store: any Store) async throws -> (protocols: Int64, statements: Int64, files: Int64) {
        try await store.read { db in
            func n(_ t: String) async throws -> Int64 {
                try await db.raw("SELECT COUNT(*) AS n FROM \(ident: t)").first()?.decode(column: "n", as: Int64.self) ?? -1
            }
            return (try await n("protocols"), try await n("statements"), try await n("arrecadacao_files"))
        }
    }

    /// What a torn copy would break: protocol numbers without gaps, each with its opening step;
    /// each imported file with its record, its statement paid and the statement's bills paid.
    static func checkConsistency(_ store: any Store, engine: Engine) async throws {
        try await store.read { db in
            let seqs = try await db.raw("SELECT seq FROM protocols WHERE year = 2026 ORDER BY seq").all().map {
                try $0.decode(column: "seq", as: Int.self)
            }
            AEq(seqs, Array(1...seqs.count), "\(engine): gap-free protocol numbers")
            let stepless = try await db.raw(
                "SELECT COUNT(*) AS n FROM protocols p WHERE NOT EXISTS (SELECT 1 FROM protocol_steps s WHERE s.number = p.number)"
            ).first()?.decode(column: "n", as: Int.self)
            AEq(stepless, 0, "\(engine): every protocol has its opening step")
            let files = try await db.raw("SELECT COUNT(*) AS n FROM arrecadacao_files").first()?.decode(column: "n", as: Int.self) ?? 0
            let applied = try await db.raw(
                "SELECT COUNT(*) AS n FROM arrecadacao_records WHERE outcome = 'aplicado'"
            ).first()?.decode(column: "n", as: Int.self)
            AEq(applied, files, "\(engine): each file with its one applied payment")
            let unpaid = try await db.raw(
                """
                SELECT COUNT(*) AS n FROM arrecadacao_records r JOIN statements s ON s.barcode = r.barcode
                  JOIN statement_lines l ON l.statement_id = s.id JOIN bills b ON b.id = l.bill_id
                WHERE r.outcome = 'aplicado' AND b.situacao <> 'paga'
                """
            ).first()?.decode(column: "n", as: Int.self)
            AEq(unpaid, 0, "\(engine): a paid statement's bills are paid")
        }
    }

    /// A new, empty database of the engine (SQLite: a path in a new folder; PostgreSQL: a
    /// database of its own on the test server, dropped and created again).
    static func emptyDatabase(_ engine: Engine) async throws -> String {
        switch engine {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-restore-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return "sqlite:\(dir.appendingPathComponent("restaurado.sqlite").path)"
        case .postgres:
            let url = try XCTUnwrap(Harness.postgresURL)
            var c = URLComponents(string: url)!
            let name = "agencia_restore_\(UUID().uuidString.prefix(8).lowercased())"
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let admin = try PostgresStore(url: url, logger: logger)
            try await withStore(admin) {
                try await admin.read { db in try await db.raw("CREATE DATABASE \(ident: name)").run() }
            }
            c.path = "/\(name)"
            return c.string!
        }
    }

    static func tables(_ url: String) async throws -> [String] {
        if url.hasPrefix("sqlite:") {
            let path = String(url.dropFirst("sqlite:".count))
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            return try await Restore.sqliteTables(path).sorted()
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try PostgresStore(url: url, logger: logger)
        return try await withStore(store) {
            try await store.read { db in
                try await db.raw("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").all().map {
                    try $0.decode(column: "tablename", as: String.self)
                }
            }
        }
    }

    /// `PRAGMA integrity_check` on SQLite; `pg_amcheck` (heap and B-tree indexes) on PostgreSQL.
    static func checkIntegrity(_ url: String) async throws {
        if url.hasPrefix("sqlite:") {
            let conn = try await SQLiteConnection.open(storage: .file(path: String(url.dropFirst("sqlite:".count))), logger: Backup.quiet)
            let rows = try await conn.sql().raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) }
            try await conn.close()
            AEq(rows, ["ok"])
            return
        }
        let bin = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last.map {
            "/usr/lib/postgresql/\($0)/bin/pg_amcheck"
        }
        let amcheck = try XCTUnwrap(bin, "pg_amcheck (postgresql) not installed")
        var env = try PostgresTools.environment(url)
        env["PATH"] = ((amcheck as NSString).deletingLastPathComponent) + ":" + (env["PATH"] ?? "/usr/bin")
        try PostgresTools.run(["pg_amcheck", "--install-missing", "--heapallindexed", "--database", env["PGDATABASE"]!], environment: env, what: "pg_amcheck")
    }

    /// Runs `body` with a store's PostgreSQL client running, then closes the store.
    static func withStore<T: Sendable>(_ store: any Store, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            let r = try await AdminStore.withClientRunning(store, body)
            await store.shutdown()
            return r
        } catch {
            await store.shutdown()
            throw error
        }
    }
}
