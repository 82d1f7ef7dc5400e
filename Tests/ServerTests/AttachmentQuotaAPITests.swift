import Documents
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import XCTest

@testable import Server

/// Issue 27, finding 9 (quotas), on both engines: a staff member's uploads are limited per hour
/// and per day — counted one by one even in a burst of concurrent uploads — and a protocol holds
/// a bounded number of files; each refusal is counted in the metrics.
final class AttachmentQuotaAPITests: XCTestCase {
    func testUploadsPerHourPerDayAndPerProtocol() async throws {
        let clock = TestClock()
        // A scan of about 60 KiB (random pixels do not compress); what counts is what is stored,
        // the PDF as poppler draws it again: four fit in an hour, eight in a day.
        let pdf = scannedPDF("anexo", noise: 59_000)
        let stored = try AttachmentCleaner.clean(pdf, as: .pdf, name: "a.pdf").count
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine, clock: clock,
                configure: {
                    $0.attachmentMaxBytes = 64 * 1024
                    $0.attachmentsPerStep = 2
                    $0.attachmentBytesPerHour = 4 * stored + stored / 2
                    $0.attachmentBytesPerDay = 8 * stored + stored / 2
                    $0.attachmentsPerProtocol = 3
                    $0.staffIdleSeconds = 7200
                }
            ) { client in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                let diego = try await client.staffToken("diego", "comercial123")
                let port = try XCTUnwrap(client.port)
                /// Uploads at once, each on its own connection; their statuses and ids.
                func burst(_ range: Range<Int>) async throws -> [(HTTPResponse.Status, Int?)] {
                    try await withThrowingTaskGroup(of: (HTTPResponse.Status, Int?).self) { group in
                        for i in range {
                            group.addTask {
                                var h: HTTPFields = [.contentType: "application/octet-stream", .authorization: "Bearer \(diego)"]
                                h[HTTPField.Name("Idempotency-Key")!] = "quota-\(engine)-\(i)"
                                return try await TestClient.withClient(host: "127.0.0.1", port: port) { c in
                                    let r = try await c.post("/v1/attachments?name=a\(i).pdf", headers: h, body: ByteBuffer(data: pdf))
                                    let id =
                                        (try? JSONSerialization.jsonObject(with: Data(buffer: r.body ?? ByteBuffer())) as? [String: Any])?[
                                            "id"] as? Int
                                    return (r.status, id)
                                }
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                // 20 uploads at once against four and a half an hour: four.
                var answers = try await burst(0..<20)
                AEq(answers.filter { $0.0 == .created }.count, 4, "\(engine): \(answers.map(\.0.code))")
                AEq(answers.filter { $0.0 == .tooManyRequests }.count, 16)
                var ids = answers.compactMap(\.1)
                // An hour later, four more; then the day's 512 KiB are used.
                clock.advance(3601)
                answers = try await burst(20..<30)
                AEq(answers.filter { $0.0 == .created }.count, 4, "\(engine): \(answers.map(\.0.code))")
                ids += answers.compactMap(\.1)
                clock.advance(3601)
                let daily = try await burst(30..<31)
                AEq(daily.first?.0, .tooManyRequests, "\(engine): the day's quota")

                // A protocol holds three files: two in one step, then two more are refused.
                let opened = try await client.post(
                    "/v1/protocols", ProtocolAPITests.request(1), token: diego, headers: ["Idempotency-Key": "quota-p-\(engine)"])
                let number = try XCTUnwrap(opened.json["number"] as? String, "\(opened.json)")
                var key = 0
                func step(_ files: [Int]) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/protocols/\(number)/steps",
                        ["action": "dispatch", "text": "Documentos.", "public": false, "attachments": files],
                        token: diego, headers: ["Idempotency-Key": "quota-s-\(engine)-\(key)"])
                }
                AEq(try await step([]).status, .conflict, "\(engine): a dispatch before the receipt")
                AEq(
                    try await client.post(
                        "/v1/protocols/\(number)/steps", ["action": "receive"], token: diego,
                        headers: ["Idempotency-Key": "quota-r-\(engine)"]
                    ).status, .ok)
                AEq(try await step(Array(ids[0..<2])).status, .ok, "\(engine)")
                let over = try await step(Array(ids[2..<4]))
                AEq(over.status, .conflict, "\(engine): \(over.json)")
                AEq(over.errorCode, "attachment_quota")
                AEq(try await step(Array(ids[2..<3])).status, .ok, "\(engine): the third fits")

                let metrics = String(buffer: try await client.get("/metrics").body)
                ATrue(metrics.contains("agencia_attachments_refused_total"), metrics)
                ATrue(metrics.contains("agencia_attachment_bytes_total"), metrics)
            }
        }
    }
}
