import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import SQLKit
import XCTest

@testable import Server

/// A mutable clock the tests move forward (session expiry, attempt windows).
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    /// Starts at a pinned instant (a Monday, 10:00 in Aracaju), never at the machine's now.
    init(_ iso: String = "2026-11-23T13:00:00Z") { value = ISO8601DateFormatter().date(from: iso)! }
    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    func advance(_ seconds: TimeInterval) {
        lock.lock()
        value += seconds
        lock.unlock()
    }
}

enum Engine: String, CaseIterable {
    case sqlite, postgres
}

/// Starts a real server (live, loopback) over a fresh database of the given engine, seeded with
/// the demo data. PostgreSQL comes from `AGENCIA_TEST_POSTGRES` (`scripts/test` starts one).
/// Without it a test needing PostgreSQL is reported as skipped, never as passed; with `CI` set
/// it fails, and so does an unreachable server named by `AGENCIA_TEST_POSTGRES`.
enum Harness {
    /// The sandbox card company's secret in tests (its endpoints ask for it).
    static let sandboxSecret = "segredo-da-operadora-sandbox-de-teste"
    static var sandboxHeaders: HTTPFields { [HTTPField.Name("X-Api-Key")!: sandboxSecret] }
    static var postgresURL: String? { ProcessInfo.processInfo.environment["AGENCIA_TEST_POSTGRES"] }
    static var postgresRequired: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    struct PostgresMissing: Error, CustomStringConvertible {
        var description: String { "CI definido e AGENCIA_TEST_POSTGRES ausente: o PostgreSQL tem de ser testado aqui" }
    }

    static func database(_ engine: Engine) async throws -> String {
        switch engine {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return "sqlite:\(dir.appendingPathComponent("db.sqlite").path)"
        case .postgres:
            guard let url = postgresURL else {
                if postgresRequired { throw PostgresMissing() }
                throw XCTSkip("PostgreSQL não testado: AGENCIA_TEST_POSTGRES não definido")
            }
            try await resetPostgres(url)
            return url
        }
    }

    struct PostgresUnreachable: Error, CustomStringConvertible {
        let url: String
        var description: String { "PostgreSQL de teste inacessível em \(url) (AGENCIA_TEST_POSTGRES)" }
    }

    /// Drops every table: each test starts from an empty database. A server that does not
    /// answer within 15 s fails the test (the pool would otherwise retry for ever).
    static func resetPostgres(_ url: String) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try PostgresStore(url: url, logger: logger)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                await store.client.run()
                return false
            }
            group.addTask {
                try await store.write { db in
                    try await db.raw("DROP SCHEMA public CASCADE").run()
                    try await db.raw("CREATE SCHEMA public").run()
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(15))
                throw PostgresUnreachable(url: url)
            }
            while let done = try await group.next() {
                if done { break }
            }
            group.cancelAll()
        }
    }

    /// A trigger named `name` that refuses a row inserted into `table` when `condition` (SQL on
    /// `NEW`, the same on both engines) holds: a write that fails inside its transaction.
    static func refuseInserts(
        _ store: any Store, name: String, into table: String, when condition: String, after: Bool = false
    ) async throws {
        let timing = after ? "AFTER" : "BEFORE"
        try await store.write { db in
            if store.engine == .postgres {
                try await db.raw(
                    SQLQueryString(
                        "CREATE FUNCTION \(name)() RETURNS trigger AS $$ BEGIN IF \(condition) THEN RAISE EXCEPTION 'falha'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                    )
                ).run()
                try await db.raw(SQLQueryString("CREATE TRIGGER \(name) \(timing) INSERT ON \(table) FOR EACH ROW EXECUTE FUNCTION \(name)()")).run()
            } else {
                try await db.raw(
                    SQLQueryString("CREATE TRIGGER \(name) \(timing) INSERT ON \(table) WHEN \(condition) BEGIN SELECT RAISE(ABORT, 'falha'); END")
                ).run()
            }
        }
    }

    static func config(_ database: String) -> ServerConfiguration {
        var c = ServerConfiguration()
        c.database = database
        c.port = 0
        c.seed = "demo"
        c.logLevel = "error"
        // The login delay's numbers are the configuration's shape, in milliseconds instead of
        // seconds: tests check that it grows, not how long a kiosk waits.
        c.loginDelayBaseMilliseconds = 20
        c.loginDelayMaxSeconds = 1
        return c
    }

    /// Runs `body` against a live server.
    static func withServer(
        _ engine: Engine, clock: TestClock = TestClock(), configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await withServer(engine, clock: clock, configure: configure) { client, _ in try await body(client) }
    }

    /// Runs `body` against a live server, with its store at hand for checks the API cannot show.
    static func withServer(
        _ engine: Engine, clock: TestClock = TestClock(), configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (any TestClientProtocol, AgenciaServer) async throws -> Void
    ) async throws {
        var c = config(try await database(engine))
        configure(&c)
        // A pinned demo date (`demoToday`) is the server's own clock; otherwise the test's.
        var testClock: (@Sendable () -> Date)?
        if c.demoToday == nil { testClock = { @Sendable in clock.now } }
        let server = try await buildApplication(c, clock: testClock)
        do {
            try await server.application.test(.live) { client in try await body(client, server) }
        } catch {
            await server.store.shutdown()
            throw error
        }
        await server.store.shutdown()
    }
}

extension XCTestCase {
    /// Runs `body` on SQLite, then on PostgreSQL. Without PostgreSQL the test ends as skipped
    /// (after the SQLite half), so a partial run never reads as a pass.
    func forEachEngine(_ body: (Engine) async throws -> Void) async throws {
        for engine in Engine.allCases { try await body(engine) }
    }
}

/// Small JSON helpers for assertions.
extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
}

extension TestClientProtocol {
    func post(_ path: String, _ object: [String: Any], token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(data: data))
    }

    func get(_ path: String, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: path, method: .get, headers: headers)
    }

    func delete(_ path: String, token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: path, method: .delete, headers: headers)
    }

    /// Uploads a small scanned PDF as the staff member of `token` (each `key` a new upload); its id.
    func uploadPDF(_ name: String, token: String, key: String) async throws -> Int {
        var headers: HTTPFields = [.contentType: "application/octet-stream", .authorization: "Bearer \(token)"]
        headers[HTTPField.Name("Idempotency-Key")!] = key
        let r = try await execute(
            uri: "/v1/attachments?name=\(name)", method: .post, headers: headers,
            body: ByteBuffer(data: scannedPDF("\(name), digitalizado (\(key))")))
        XCTAssertEqual(r.status, .created, "upload: \(r.json)")
        return r.json["id"] as? Int ?? -1
    }

    /// Logs in as a demo customer; returns the token.
    func customerToken(_ matricula: String, _ documento: String) async throws -> String {
        let r = try await post("/v1/sessions/customer", ["matricula": matricula, "documento": documento])
        XCTAssertEqual(r.status, .created, "login \(matricula): \(r.json)")
        return try XCTUnwrap(r.json["token"] as? String)
    }

    func staffToken(_ usuario: String = "ana", _ senha: String = "atende123") async throws -> String {
        let r = try await post("/v1/sessions/staff", ["usuario": usuario, "senha": senha, "modo": Demo.mode(of: usuario)])
        XCTAssertEqual(r.status, .created, "\(r.json)")
        return try XCTUnwrap(r.json["token"] as? String)
    }
}

/// Demo fixtures used across the tests (DemoData.fixtures).
enum Demo {
    /// The terminal mode each demo staff member logs in from: back office at staff terminals,
    /// the others at counters.
    static func mode(of usuario: String) -> String { ["bruno", "diego"].contains(usuario) ? "staff" : "counter" }

    static let maria = (m: "10001-3", doc: "111.444.777-35")  // 3 properties: 10001, 10002, 10003
    static let mariaPaid = "100021"
    static let mariaReview = "100030"
    static let company = (m: "10004-8", doc: "12.ABC.345/01DE-35")
    static let companyNorm = "100048"
    static let mariaNorm = "100013"
}

/// XCTest's assertions take autoclosures, which cannot await: these take values.
func AEq<T: Equatable>(_ a: T, _ b: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a, b, message, file: file, line: line)
}

func ATrue(_ a: Bool, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(a, message, file: file, line: line)
}

/// A one-page PDF as a scanner writes it, for uploads: `text` on the page and, when `noise` is
/// given, a gray image of that many random bytes (they stay that size however they are compressed).
func scannedPDF(_ text: String, noise: Int = 0, seed: UInt64 = 1) -> Data {
    let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(")
        .replacingOccurrences(of: ")", with: "\\)")
    let width = 248
    let height = max(1, noise / width)
    var content = "BT /F1 12 Tf 72 720 Td (\(escaped)) Tj ET"
    if noise > 0 { content += " q 400 0 0 400 72 200 cm /Im1 Do Q" }
    var objects: [Data] = [
        Data("<< /Type /Catalog /Pages 2 0 R >>".utf8),
        Data("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8),
        Data(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>"
                .utf8),
        Data("<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream".utf8),
        Data("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".utf8),
    ]
    var rng = SplitMix64(seed: seed)
    var pixels = Data((0..<(width * height)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    if noise == 0 { pixels = Data(repeating: 255, count: width * height) }
    objects.append(
        Data(
            "<< /Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceGray /BitsPerComponent 8 /Length \(pixels.count) >>\nstream\n"
                .utf8) + pixels + Data("\nendstream".utf8))
    var out = Data("%PDF-1.4\n".utf8)
    var offsets: [Int] = []
    for (i, body) in objects.enumerated() {
        offsets.append(out.count)
        out += Data("\(i + 1) 0 obj\n".utf8) + body + Data("\nendobj\n".utf8)
    }
    let xref = out.count
    out += Data("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
    for o in offsets { out += Data(String(format: "%010d 00000 n \n", o).utf8) }
    out += Data("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
    return out
}

