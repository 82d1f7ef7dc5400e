import API
import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import SQLKit
import XCTest

@testable import Server

/// What every feature relies on: authorization by role and unit, health, idempotency keys'
/// lifetime, deactivated staff.
final class CoreTests: XCTestCase {
    func testAuthorizationByRoleAndUnit() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try await SQLiteStore.open(path: dir.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        defer { Task { await store.shutdown() } }
        let auth = Authorization(
            properties: PropertyRepository(store: store),
            audit: AuditLog(store: store, clock: AppClock(now: ServerClock.system, timeZone: "UTC")),
            clock: AppClock(now: ServerClock.system, timeZone: "UTC"))
        func staff(_ role: StaffRole, _ unit: String) -> Principal {
            .staff(StaffMember(usuario: "x", role: role, unit: unit), tokenHash: "h")
        }
        func outcome(_ p: Principal?, _ access: Access) async -> String {
            do {
                _ = try await Principal.$current.withValue(p) { try await auth.check(access) }
                return "ok"
            } catch let e as APIError {
                return e.code
            } catch {
                return "\(error)"
            }
        }
        let queue = Access.staff(unit: "Ouvidoria")
        let cases: [(Principal?, Access, String)] = [
            (nil, .session, "unauthenticated"),
            (.customer(matricula: "100013", documento: nil, tokenHash: "h"), .session, "ok"),
            (.customer(matricula: "100013", documento: nil, tokenHash: "h"), queue, "forbidden"),
            (staff(.backoffice, "Ouvidoria"), queue, "ok"),
            (staff(.backoffice, "Agência Centro"), queue, "forbidden"),
            // The unit is checked here; the role, before, by `Authorization.permit` (PermissionTests).
            (staff(.atendente, "Ouvidoria"), queue, "ok"),
            (staff(.supervisor, "Agência Centro"), queue, "ok"),
            (staff(.atendente, "Agência Centro"), .staff(), "ok"),
            (.customer(matricula: "100013", documento: nil, tokenHash: "h"), .property("100013"), "ok"),
            (.customer(matricula: "100013", documento: nil, tokenHash: "h"), .property("100021"), "not_found"),
            (.customer(matricula: "100013", documento: nil, tokenHash: "h"), .property("10001-3"), "not_found"),
        ]
        for (p, access, expected) in cases {
            let got = await outcome(p, access)
            XCTAssertEqual(got, expected, "\(String(describing: p)) \(access)")
        }
    }

    func testHealthReadsTheDatabaseAndReportsTheVersion() async throws {
        try await Harness.withServer(.sqlite) { client, server in
            let ok = try await client.get("/v1/health")
            XCTAssertEqual(ok.status, .ok)
            XCTAssertEqual(ok.json["version"] as? String, AgenciaVersion.current)
            // The database goes away under a running server: health says so.
            await server.store.shutdown()
            let down = try await client.get("/v1/health")
            XCTAssertEqual(down.status, .serviceUnavailable)
            XCTAssertEqual(down.errorCode, "database_unavailable")
        }
    }

    func testIdempotencyKeysExpireAfter24Hours() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            try await Harness.withServer(engine, clock: clock) { client, server in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let path = "/v1/properties/\(Demo.mariaNorm)/statements"
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
                let open = (bills.json["items"] as? [[String: Any]] ?? []).filter { $0["situacao"] as? String == "aberta" }
                    .compactMap { $0["id"] as? Int }
                XCTAssertGreaterThanOrEqual(open.count, 2)
                let first = try await client.post(path, ["billIds": [open[0]]], token: token, headers: ["Idempotency-Key": "chave-000001"])
                XCTAssertEqual(first.status, .created)
                let reused = try await client.post(path, ["billIds": [open[1]]], token: token, headers: ["Idempotency-Key": "chave-000001"])
                XCTAssertEqual(reused.status, .unprocessableContent, "within 24 h the key belongs to the first request")
                func keys() async throws -> Int {
                    try await server.store.read { db in
                        try await db.raw("SELECT COUNT(*) AS n FROM idempotency_keys").first()?.decode(column: "n", as: Int.self) ?? -1
                    }
                }
                let before = try await keys()
                XCTAssertGreaterThanOrEqual(before, 1)
                // A day later the background sweep removes it (it runs every few seconds).
                clock.advance(86_400 + 1)
                var after = before
                for _ in 0..<100 where after > 0 {
                    try await Task.sleep(for: .milliseconds(100))
                    after = try await keys()
                }
                XCTAssertEqual(after, 0, "expired keys are swept")
                // The same customer (the key's scope), in a new session since the old one expired.
                let again = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let fresh = try await client.post(path, ["billIds": [open[1]]], token: again, headers: ["Idempotency-Key": "chave-000001"])
                XCTAssertEqual(fresh.status, .created, "after 24 h the key is free again: \(fresh.json)")
            }
        }
    }

    func testADeactivatedStaffAccountLosesItsSession() async throws {
        try await Harness.withServer(.sqlite) { client, server in
            let token = try await client.staffToken()
            let before = try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token)
            XCTAssertEqual(before.status, .ok)
            try await server.store.write { db in try await db.raw("UPDATE staff SET ativo = 0 WHERE usuario = 'ana'").run() }
            let after = try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token)
            XCTAssertEqual(after.status, .unauthorized)
            XCTAssertEqual(after.errorCode, "session_expired")
        }
    }
}

/// The API's dates, written by arithmetic, against Foundation's own ISO 8601 formatter.
final class DateTranscoderTests: XCTestCase {
    func testSameTextAsFoundationsISO8601Formatter() throws {
        let foundation = ISO8601DateFormatter()
        let ours = RFC3339Transcoder()
        var rng = SystemRandomNumberGenerator()
        // 1900…2200, the epoch's edges, day and leap-day edges, and fractions (Foundation rounds to
        // the millisecond first: .999522 is the next second, .9994 is not).
        var instants: [Double] = [
            0, -1, 86_399, 86_400, -86_400, -86_401, 951_782_400, 951_868_799.999, 4_107_542_399, -2_208_988_800, 6_288_434_588.999522,
            6_288_434_588.9994, -1_001_194_152.0005,
        ]
        for _ in 0..<20_000 { instants.append(Double(Int64.random(in: -2_208_988_800...7_258_118_400, using: &rng))) }
        for _ in 0..<200_000 { instants.append(Double.random(in: -2_208_988_800...7_258_118_400, using: &rng)) }
        for t in instants {
            let date = Date(timeIntervalSince1970: t)
            XCTAssertEqual(try ours.encode(date), foundation.string(from: date), "\(t)")
        }
        XCTAssertEqual(try ours.decode("2026-12-03T13:00:00Z"), Date(timeIntervalSince1970: 1_796_302_800))
    }
}

/// COPY's text format (the demo tiers on PostgreSQL): what must be escaped is, the rest is not.
final class BulkTableTests: XCTestCase {
    func testCopyTextEscapesWhatTheFormatReserves() {
        XCTAssertEqual(BulkTable.copyText(nil), "\\N")
        XCTAssertEqual(BulkTable.copyText("Rua São José, 12"), "Rua São José, 12")
        XCTAssertEqual(BulkTable.copyText("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e")
        XCTAssertEqual(BulkTable.copyText(Int64(-4568)), "-4568")
        XCTAssertEqual(BulkTable.copyText(7), "7")
        XCTAssertEqual(BulkTable.copyText(true), "t")
    }
}
