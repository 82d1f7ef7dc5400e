import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import XCTest

@testable import Server

/// Issue 27, findings 6 and 7, on both engines: a retried write is the request as sent — the same
/// key and body a few seconds later, and again after the server restarts, get the first answer
/// (same status, same resource, marked as a replay), never "chave já usada", never a second
/// resource, never a limit reached in between.
final class IdempotentRetryAPITests: XCTestCase {
    /// One write of each kind a client retries after losing the answer.
    struct Write {
        var name: String
        var path: String
        var body: [String: Any]
        var token: String?
        /// The field that names what was made (`id` or `number`).
        var field: String
    }

    func testEveryWriteRetriedLaterAndAfterARestartIsTheFirstAnswer() async throws {
        for engine in Engine.allCases {
            let url = try await Harness.database(engine)
            let clock = TestClock()
            var c = Harness.config(url)
            c.sandboxCardCompany = 0
            c.documentRequestsPerHour = 3
            var writes: [Write] = []
            var first: [String: (status: HTTPResponse.Status, made: String)] = [:]
            func send(_ client: any TestClientProtocol, _ w: Write) async throws -> TestResponse {
                var headers: HTTPFields = [
                    .contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "retry-\(engine)-\(w.name)",
                ]
                if let t = w.token { headers[.authorization] = "Bearer \(t)" }
                return try await client.execute(
                    uri: w.path, method: .post, headers: headers, body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: w.body))
                )
            }
            func made(_ r: TestResponse, _ w: Write) -> String { "\(r.json[w.field] ?? "nada")" }

            let a = try await buildApplication(c, clock: { clock.now })
            try await a.application.test(.live) { client in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let ana = try await client.staffToken()
                let bills =
                    try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: maria).json["items"] as? [[String: Any]] ?? []
                let open = bills.filter { $0["situacao"] as? String == "aberta" }.compactMap { $0["id"] as? Int }
                XCTAssertGreaterThanOrEqual(open.count, 3)
                let protocolBody = ProtocolAPITests.request(1)
                writes = [
                    // The catalogue's type has a default deadline, counted from now.
                    Write(name: "protocolo", path: "/v1/protocols", body: protocolBody, token: ana, field: "number"),
                    Write(
                        name: "extrato", path: "/v1/properties/\(Demo.mariaNorm)/statements", body: ["billIds": [open[0]]], token: maria,
                        field: "id"),
                    // The same bills again today: the statement already issued, 200.
                    Write(
                        name: "extrato-existente", path: "/v1/properties/\(Demo.mariaNorm)/statements", body: ["billIds": [open[0]]],
                        token: maria, field: "id"),
                    Write(name: "certidao", path: "/v1/properties/\(Demo.mariaPaid)/certidoes", body: [:], token: maria, field: "id"),
                    Write(
                        name: "cartao", path: "/v1/properties/\(Demo.mariaNorm)/card-payments",
                        body: ["companyId": "sandbox", "billIds": [open[1]]], token: maria, field: "id"),
                    Write(
                        name: "manifestacao", path: "/v1/ouvidoria/manifestations",
                        body: ["typeCode": "reclamacao", "text": "Atendimento demorado na agência do centro, três horas de espera."],
                        token: maria, field: "number"),
                    Write(
                        name: "problema", path: "/v1/problem-reports",
                        body: ["text": "A impressora do quiosque não imprime.", "screen": "Entrar", "mode": "kiosk"], token: nil,
                        field: "number"),
                ]
                for w in writes {
                    let r = try await send(client, w)
                    ATrue([.ok, .created].contains(r.status), "\(engine) \(w.name): \(r.status) \(r.json)")
                    first[w.name] = (r.status, made(r, w))
                }
                AEq(first["extrato-existente"]?.status, .ok, "\(engine): the statement already issued")
                AEq(first["extrato-existente"]?.made, first["extrato"]?.made)
                // The hourly document limit (3) is now reached by new statements…
                for bill in open.dropFirst(1).prefix(3) {
                    _ = try await client.post(
                        "/v1/properties/\(Demo.mariaNorm)/statements", ["billIds": [bill, open[0]]], token: maria,
                        headers: ["Idempotency-Key": "retry-\(engine)-fill-\(bill)"])
                }
                let limited = try await client.post(
                    "/v1/properties/\(Demo.mariaNorm)/statements", ["billIds": open], token: maria,
                    headers: ["Idempotency-Key": "retry-\(engine)-over"])
                AEq(limited.status, .tooManyRequests, "\(engine): \(limited.json)")
                // …and a few seconds later every retry is its first answer, limit or not.
                clock.advance(5)
                for w in writes {
                    let r = try await send(client, w)
                    AEq(r.status, first[w.name]?.status ?? .internalServerError, "\(engine) \(w.name) 5 s later: \(r.json)")
                    AEq(made(r, w), first[w.name]?.made ?? "", "\(engine) \(w.name)")
                    AEq(r.headers[HTTPField.Name("Idempotency-Replayed")!], "true", "\(engine) \(w.name)")
                }
                // Every protocol was opened once.
                let count = try await a.store.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM protocols").first()?.decode(column: "n", as: Int.self) ?? -1
                }
                AEq(count, 2 + 1, "\(engine): the protocol, the manifestation, the problem report")
            }
            await a.store.shutdown()

            // The server restarts (the client never got its answers): the same again.
            c.seed = nil
            let b = try await buildApplication(c, clock: { clock.now })
            try await b.application.test(.live) { client in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let ana = try await client.staffToken()
                for var w in writes {
                    if w.token != nil { w.token = w.path == "/v1/protocols" ? ana : maria }
                    let r = try await send(client, w)
                    AEq(r.status, first[w.name]?.status ?? .internalServerError, "\(engine) \(w.name) after a restart: \(r.json)")
                    AEq(made(r, w), first[w.name]?.made ?? "", "\(engine) \(w.name) after a restart")
                }
            }
            await b.store.shutdown()
        }
    }
}
