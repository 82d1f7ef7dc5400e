import Foundation
import HummingbirdTesting
import Logging
import XCTest

@testable import Server

/// Issue 15: what an operator reads off a running server — Prometheus figures at `/metrics`
/// (from allowed addresses only, never a personal value in them) and JSON log lines.
final class TelemetryTests: XCTestCase {
    /// The value of the first sample line starting with `prefix` (a metric and its labels).
    private func sample(_ text: String, _ prefix: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    func testMetricsCountRequestsByRouteAndRefusalsWithoutPersonalData() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let before = String(buffer: try await client.get("/metrics").body)
                let route =
                    "hb_requests{http_route=\"/v1/properties/{matricula}\",http_request_method=\"GET\",http_response_status_code=\"200\"}"
                let refused = "agencia_logins_refused_total{limit=\"account_at_origin\"}"
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                for _ in 0..<3 { AEq(try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token).status, .ok) }
                for _ in 0..<6 {
                    _ = try await client.post("/v1/sessions/customer", ["matricula": Demo.company.m, "documento": "529.982.247-25"])
                }
                let r = try await client.get("/metrics")
                AEq(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
                let after = String(buffer: r.body)
                XCTAssertEqual(sample(after, route)! - (sample(before, route) ?? 0), 3, "\(engine): three summaries counted")
                XCTAssertGreaterThanOrEqual(sample(after, refused)! - (sample(before, refused) ?? 0), 1, "\(engine): lockout counted")
                XCTAssertNotNil(sample(after, "http_server_request_duration_count{http_route=\"/v1/properties/{matricula}\""))
                XCTAssertNotNil(sample(after, "agencia_session_lookups_total{from=\"database\"}"))
                if engine == .postgres {
                    XCTAssertNotNil(sample(after, "agencia_db_connection_wait_seconds_count"), "the pool's waits")
                }
                for personal in [Demo.mariaNorm, "11144477735", "111.444.777-35", token, "Maria"] {
                    XCTAssertFalse(after.contains(personal), "\(engine): \(personal) in /metrics")
                }
            }
        }
    }

    func testMetricsRefusedOutsideMetricsFrom() async throws {
        try await Harness.withServer(.sqlite, configure: { $0.metricsFrom = ["10.9.0.0/16"] }) { client in
            let r = try await client.get("/metrics")
            AEq(r.status, .forbidden)
            XCTAssertEqual(r.errorCode, "metrics_forbidden")
        }
    }

    func testJSONLogLinesCarryLevelMessageAndMetadata() throws {
        let lines = NIOLockedLines()
        var logger = Logger(label: "agencia-server") { label in
            JSONLogHandler(label: label, clock: { Date(timeIntervalSince1970: 1_795_000_000.25) }, write: { lines.append($0) })
        }
        logger[metadataKey: "instancia"] = "a1"
        logger.warning("connections closed", metadata: ["over_limit": "3", "aspas": "\"x\"\n"])
        logger.debug("not at info level")
        let all = lines.all
        XCTAssertEqual(all.count, 1)
        XCTAssertEqual(all.first?.last, 0x0A, "one object per line")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: all[0]) as? [String: String])
        XCTAssertEqual(
            object,
            [
                "ts": "2026-11-18T11:06:40.250Z", "level": "warning", "label": "agencia-server", "message": "connections closed",
                "instancia": "a1", "over_limit": "3", "aspas": "\"x\"\n",
            ])
    }
}

/// Lines written by a log handler under test.
final class NIOLockedLines: @unchecked Sendable {
    private var lines: [Data] = []
    private let lock = NSLock()
    func append(_ d: Data) { lock.withLock { lines.append(d) } }
    var all: [Data] { lock.withLock { lines } }
}
