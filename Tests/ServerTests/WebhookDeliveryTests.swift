import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// A real HTTP receiver on loopback (Hummingbird) that checks every signature the way
/// docs/INTEGRATION.md tells a receiver to, and answers as the test says.
final class WebhookReceiver: @unchecked Sendable {
    struct Delivery: Equatable {
        var id: Int64
        var protocolo: String
        var sequencia: Int
        var tipo: String
        var attempt: Int
    }

    static let secret = "segredo-de-teste-com-mais-de-32-caracteres"
    private let lock = NSLock()
    private var _received: [Delivery] = []
    private var _badSignatures = 0
    private var _failing: Set<String> = []
    private var _down = false
    private var task: Task<Void, any Error>?
    private(set) var port = 0

    var received: [Delivery] { lock.withLock { _received } }
    var badSignatures: Int { lock.withLock { _badSignatures } }
    /// Answers 503 to everything while true.
    var down: Bool {
        get { lock.withLock { _down } }
        set { lock.withLock { _down = newValue } }
    }
    /// Protocols whose events answer 500 (by "2026/000123").
    func fail(_ protocolo: String?, clear: Bool = false) {
        lock.withLock {
            if clear { _failing = [] }
            if let protocolo { _failing.insert(protocolo) }
        }
    }

    var url: String { "http://127.0.0.1:\(port)/eventos" }

    func start() async throws {
        let router = Router()
        router.post("eventos") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let text = String(buffer: body)
            return self.take(request.headers, text)
        }
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) })
        task = Task { try await app.runService() }
        for await p in ready.stream {
            port = p
            break
        }
    }

    func stop() { task?.cancel() }

    private func take(_ headers: HTTPFields, _ body: String) -> Response {
        func header(_ n: String) -> String? { headers[HTTPField.Name(n)!] }
        let timestamp = header("X-Agencia-Timestamp") ?? ""
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))
        let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        guard header("X-Agencia-Signature") == expected,
            let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let id = header("X-Agencia-Event-Id").flatMap(Int64.init)
        else {
            lock.withLock { _badSignatures += 1 }
            return Response(status: .unauthorized)
        }
        let protocolo = json["protocolo"] as? String ?? ""
        return lock.withLock {
            if _down { return Response(status: .serviceUnavailable) }
            if _failing.contains(protocolo) { return Response(status: .internalServerError) }
            _received.append(
                Delivery(
                    id: id, protocolo: protocolo, sequencia: json["sequencia"] as? Int ?? 0, tipo: json["tipo"] as? String ?? "",
                    attempt: Int(header("X-Agencia-Attempt") ?? "") ?? 0))
            return Response(status: .noContent)
        }
    }
}

/// Issue 31, webhook delivery: signed, at least once, in order per protocol, parked after its
/// tries and shown to the supervisor, who retries it; two instances send each event once.
final class WebhookDeliveryTests: XCTestCase {
    func configure(_ c: inout ServerConfiguration, _ receiver: WebhookReceiver) {
        c.integration.webhooks = [.init(name: "gsan", url: receiver.url, secret: WebhookReceiver.secret)]
        c.integration.maxAttempts = 3
        c.integration.retryBaseSeconds = 2
        c.integration.retryMaxSeconds = 4
        c.integration.leaseSeconds = 20
    }

    /// Waits (real time, the test clock moved forward meanwhile so retries come due) until `done`.
    func wait(_ what: String, clock: TestClock, seconds: Double = 30, _ done: () async throws -> Bool) async throws {
        // A timeout in elapsed time (the monotonic clock), not a date: the server's dates are the test clock's.
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try await !done() {
            guard ContinuousClock.now < deadline else { return XCTFail("timed out: \(what)") }
            clock.advance(3)
            try await Task.sleep(for: .milliseconds(150))
        }
    }

    /// Opens a protocol at the counter and moves it: three events (criado, andamento, concluído).
    func life(_ client: any TestClientProtocol, _ n: Int, ana: String, diego: String) async throws -> String {
        let opened = try await client.post(
            "/v1/protocols", ProtocolAPITests.request(n), token: ana, headers: ["Idempotency-Key": "hook-open-\(n)"])
        XCTAssertEqual(opened.status, .created, "\(opened.json)")
        let number = try XCTUnwrap(opened.json["number"] as? String)
        for (i, step) in [
            ["action": "receive"], ["action": "dispatch", "text": "Nota interna", "public": false],
            ["action": "dispatch", "text": "Equipe designada.", "public": true],
            ["action": "conclude", "text": "Conta revista.", "public": true],
        ].enumerated() {
            let r = try await client.post("/v1/protocols/\(number)/steps", step, token: diego, headers: ["Idempotency-Key": "hook-\(n)-\(i)"])
            XCTAssertEqual(r.status, .ok, "\(r.json)")
        }
        return ProtocolNumber(parsing: number)?.formatted ?? number
    }

    func testEventsArriveSignedInOrderAndAFailingOneIsParkedForTheSupervisor() async throws {
        try await forEachEngine { engine in
            let receiver = WebhookReceiver()
            try await receiver.start()
            defer { receiver.stop() }
            let clock = TestClock()
            try await Harness.withServer(engine, clock: clock, configure: { configure(&$0, receiver) }) { client, server in
                let ana = try await client.staffToken()
                let diego = try await client.staffToken("diego", "comercial123")
                let carla = try await client.staffToken("carla", "supervisao123")
                let first = try await life(client, 1, ana: ana, diego: diego)
                receiver.fail("2026/000002")  // the next protocol's number: 500 to each of its events, forever
                let second = try await life(client, 2, ana: ana, diego: diego)
                let third = try await life(client, 3, ana: ana, diego: diego)
                XCTAssertEqual(second, "2026/000002", "\(engine)")

                try await wait("the others delivered, the failing one parked", clock: clock) {
                    let got = receiver.received.filter { $0.protocolo != second }.count
                    let items = try await client.get("/v1/integration/deliveries", token: carla).json["items"] as? [[String: Any]] ?? []
                    return got == 6 && items.contains { $0["state"] as? String == "parado" }
                }
                XCTAssertEqual(receiver.badSignatures, 0, "\(engine): every signature checked")
                for p in [first, third] {
                    let seqs = receiver.received.filter { $0.protocolo == p }.map(\.sequencia)
                    XCTAssertEqual(seqs, [1, 2, 3], "\(engine): \(p) in order")
                    XCTAssertEqual(
                        receiver.received.filter { $0.protocolo == p }.map(\.tipo),
                        ["protocolo.criado", "protocolo.andamento", "protocolo.concluido"])
                }
                XCTAssertTrue(receiver.received.allSatisfy { $0.protocolo != second })

                // The supervisor sees what failed, why, and what waits behind it.
                let list = try await client.get("/v1/integration/deliveries", token: carla)
                XCTAssertEqual(list.status, .ok, "\(engine): \(list.json)")
                let parked = try XCTUnwrap((list.json["items"] as? [[String: Any]])?.first { $0["state"] as? String == "parado" })
                XCTAssertEqual(parked["protocol"] as? String, second)
                XCTAssertEqual(parked["attempts"] as? Int, 3)
                XCTAssertEqual(parked["lastStatus"] as? Int, 500)
                XCTAssertEqual(parked["waiting"] as? Int, 2, "\(engine): its protocol's later events wait")
                let hooks = try XCTUnwrap(list.json["webhooks"] as? [[String: Any]])
                XCTAssertEqual(hooks.first?["parked"] as? Int, 1)
                // And Prometheus does (the gauges are refreshed every few seconds).
                try await wait("the parked gauge", clock: clock) {
                    let metrics = String(buffer: try await client.get("/metrics").body)
                    let parked = #"agencia_webhook_parked{webhook="gsan"} "#
                    return (metrics.contains(parked + "1\n") || metrics.contains(parked + "1.0\n"))
                        && metrics.contains(#"agencia_webhook_failures_total{webhook="gsan"}"#)
                }
                // Nobody else may see or decide it.
                let refused = try await client.get("/v1/integration/deliveries", token: diego)
                XCTAssertEqual(refused.status, .forbidden)
                let eventId = try XCTUnwrap(parked["eventId"] as? Int)

                // Fixed at the source; retried: the three arrive in order, the first with its id.
                receiver.fail(nil, clear: true)
                let retry = try await client.post("/v1/integration/deliveries/gsan/\(eventId)", ["decision": "retry"], token: carla)
                XCTAssertEqual(retry.status, .noContent, "\(engine): \(retry.json)")
                let again = try await client.post("/v1/integration/deliveries/gsan/\(eventId)", ["decision": "retry"], token: carla)
                XCTAssertEqual(again.status, .notFound, "\(engine): nothing parked any more")
                try await wait("the parked protocol delivered", clock: clock) {
                    receiver.received.filter { $0.protocolo == second }.count == 3
                }
                let delivered = receiver.received.filter { $0.protocolo == second }
                XCTAssertEqual(delivered.map(\.sequencia), [1, 2, 3], "\(engine)")
                XCTAssertEqual(delivered.first?.id, Int64(eventId))
                XCTAssertEqual(receiver.received.count, 9, "\(engine): each once")
                let audited = try await client.get("/v1/audit?action=reenviar_evento", token: carla)
                XCTAssertEqual((audited.json["items"] as? [Any])?.count, 1, "\(engine): \(audited.json)")

                // A request delivered counts as sent: its screens say so.
                let detail = try await client.get("/v1/protocols/\(first.replacingOccurrences(of: "/", with: ""))", token: ana)
                XCTAssertNotNil((detail.json["source"] as? [String: Any])?["sentAt"], "\(engine)")
                _ = server
            }
        }
    }

    func testAReceiverDownComesBackToEveryEventWithItsId() async throws {
        try await forEachEngine { engine in
            let receiver = WebhookReceiver()
            try await receiver.start()
            defer { receiver.stop() }
            let clock = TestClock()
            try await Harness.withServer(
                engine, clock: clock,
                configure: {
                    configure(&$0, receiver)
                    $0.integration.maxAttempts = 50
                }
            ) { client, server in
                let ana = try await client.staffToken()
                let diego = try await client.staffToken("diego", "comercial123")
                receiver.down = true
                _ = try await life(client, 1, ana: ana, diego: diego)
                _ = try await life(client, 2, ana: ana, diego: diego)
                // Tried (and refused) a few times while down.
                try await wait("tries while down", clock: clock) {
                    let tries = try await server.store.read { db in
                        try await db.raw("SELECT COUNT(*) AS n FROM integration_deliveries WHERE state = 'pendente' AND attempts >= 2").first()?
                            .decode(column: "n", as: Int.self) ?? 0
                    }
                    return tries == 2  // the first event of each protocol; the others wait behind them
                }
                XCTAssertTrue(receiver.received.isEmpty)
                receiver.down = false
                try await wait("all delivered after the receiver came back", clock: clock) { receiver.received.count == 6 }
                let ids = try await server.store.read { db in
                    try await db.raw("SELECT id FROM integration_events ORDER BY id").all().map { try $0.decode(column: "id", as: Int64.self) }
                }
                XCTAssertEqual(Set(receiver.received.map(\.id)), Set(ids), "\(engine): nothing lost, the same ids")
                let openings = receiver.received.filter { $0.sequencia == 1 }
                XCTAssertEqual(openings.count, 2)
                XCTAssertTrue(openings.allSatisfy { $0.attempt >= 3 }, "\(engine): tried while down, delivered on a later attempt")
                for p in Set(receiver.received.map(\.protocolo)) {
                    XCTAssertEqual(receiver.received.filter { $0.protocolo == p }.map(\.sequencia), [1, 2, 3], "\(engine): \(p) in order")
                }
            }
        }
    }

    func testTwoInstancesSendEachEventOnce() async throws {
        try await forEachEngine { engine in
            let receiver = WebhookReceiver()
            try await receiver.start()
            defer { receiver.stop() }
            let clock = TestClock()
            var config = ServerConfiguration()
            try await Harness.withServer(
                engine, clock: clock,
                configure: {
                    configure(&$0, receiver)
                    config = $0
                }
            ) { client, _ in
                config.seed = nil
                let second = try await buildApplication(config, clock: { clock.now })
                try await second.application.test(.live) { other in
                    let ana = try await client.staffToken()
                    let diego = try await other.staffToken("diego", "comercial123")
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for n in 1...12 {
                            group.addTask { _ = try await self.life(n % 2 == 0 ? client : other, n, ana: ana, diego: diego) }
                        }
                        try await group.waitForAll()
                    }
                    try await wait("36 events delivered", clock: clock) { receiver.received.count >= 36 }
                    try await Task.sleep(for: .seconds(1))
                    let counts = Dictionary(grouping: receiver.received, by: \.id).mapValues(\.count)
                    XCTAssertEqual(counts.count, 36, "\(engine)")
                    XCTAssertEqual(counts.values.filter { $0 > 1 }.count, 0, "\(engine): each event sent once")
                    for (p, ds) in Dictionary(grouping: receiver.received, by: \.protocolo) {
                        XCTAssertEqual(ds.map(\.sequencia), [1, 2, 3], "\(engine): \(p) in order")
                    }
                }
                await second.store.shutdown()
            }
        }
    }
}
