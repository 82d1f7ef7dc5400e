import API
import Crypto
import Curl
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import SQLKit
import ServiceLifecycle

/// Sends the events to the configured webhooks (issue 31, DECISIONS 95), in every instance:
/// each round publishes what was committed, gives each webhook a delivery row per new event of
/// its types (a cursor per webhook, advanced in the same transaction), claims the due ones with a
/// lease — the oldest of each protocol only, so a protocol's events arrive in order — and POSTs
/// them, signed. A 2xx delivers; anything else is tried again after a delay that doubles (with
/// jitter), and after `maxAttempts` the event is parked (its protocol's later events wait
/// behind it) until the supervisor retries or skips it.
struct WebhookDelivery: Service {
    let store: any Store
    let settings: IntegrationSettings
    let clock: AppClock
    let runtime: ServerRuntime
    let logger: Logger
    /// This instance, as the lease's holder.
    let owner = UUID().uuidString
    let transport: CurlTransport = {
        var o = CurlTransport.Options()
        o.connectTimeout = .seconds(3)
        o.totalTimeout = .seconds(15)
        return CurlTransport(options: o)
    }()

    /// Deliveries claimed per webhook and round.
    static let batch = 200

    enum State: String {
        case pendente, entregue, parado, ignorado
    }

    func run() async throws {
        // A round in flight finishes (its leases recorded) before the service stops.
        try? await cancelWhenGracefulShutdown { try await loop() }
    }

    func loop() async throws {
        var lastReport = Int64(0)
        while true {
            var worked = false
            if runtime.port != 0 {
                do {
                    worked = try await round()
                    if clock.epochSeconds - lastReport >= 5 {
                        lastReport = clock.epochSeconds
                        try await report()
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.warning("webhook delivery failed", metadata: ["error": "\(error)"])
                }
            }
            if !worked { try await Task.sleep(for: .milliseconds(500)) }
        }
    }

    /// One round over every webhook; whether anything was sent.
    func round() async throws -> Bool {
        try await IntegrationEvents.publish(store)
        var worked = false
        for w in settings.webhooks {
            try await enqueue(w)
            let claimed = try await claim(w)
            guard !claimed.isEmpty else { continue }
            worked = true
            let results = await send(claimed, to: w)
            try await record(results, webhook: w)
        }
        return worked
    }

    /// Delivery rows for the events published since the webhook's cursor (of its types).
    func enqueue(_ w: IntegrationSettings.Webhook) async throws {
        let postgres = store.engine == .postgres
        let now = clock.epochSeconds
        try await store.write { db in
            try await db.raw(
                "INSERT INTO integration_webhook_cursors (webhook, last_event_id) VALUES (\(bind: w.name), 0) ON CONFLICT (webhook) DO NOTHING"
            ).run()
            guard
                let cursor = try await db.raw(
                    "SELECT last_event_id FROM integration_webhook_cursors WHERE webhook = \(bind: w.name)\(unsafeRaw: postgres ? " FOR UPDATE" : "")"
                ).first()?.decode(column: "last_event_id", as: Int64.self)
            else { return }
            let events = try await db.raw(
                "SELECT id, protocol, type FROM integration_events WHERE id > \(bind: cursor) ORDER BY id LIMIT 2000"
            ).all()
            guard let last = try events.last?.decode(column: "id", as: Int64.self) else { return }
            for e in events {
                let type = try e.decode(column: "type", as: String.self)
                guard w.types.isEmpty || w.types.contains(type) else { continue }
                try await db.raw(
                    """
                    INSERT INTO integration_deliveries (webhook, event_id, protocol, state, attempts, next_at, updated_at)
                    VALUES (\(bind: w.name), \(bind: try e.decode(column: "id", as: Int64.self)), \(bind: try e.decode(column: "protocol", as: String.self)),
                            'pendente', 0, \(bind: now), \(bind: now))
                    ON CONFLICT (webhook, event_id) DO NOTHING
                    """
                ).run()
            }
            try await db.raw("UPDATE integration_webhook_cursors SET last_event_id = \(bind: last) WHERE webhook = \(bind: w.name)").run()
        }
    }

    struct Claimed: Sendable {
        var eventId: Int64
        var type: String
        var body: String
        var attempts: Int
    }

    /// Takes the due deliveries that no one holds, the oldest of each protocol only.
    func claim(_ w: IntegrationSettings.Webhook) async throws -> [Claimed] {
        let postgres = store.engine == .postgres
        let now = clock.epochSeconds
        return try await store.write { db in
            let rows = try await db.raw(
                """
                SELECT d.event_id, d.attempts, e.type, e.body FROM integration_deliveries d JOIN integration_events e ON e.id = d.event_id
                WHERE d.webhook = \(bind: w.name) AND d.state = 'pendente' AND d.next_at <= \(bind: now)
                  AND (d.lease_until IS NULL OR d.lease_until < \(bind: now))
                  AND NOT EXISTS (
                    SELECT 1 FROM integration_deliveries p
                    WHERE p.webhook = d.webhook AND p.protocol = d.protocol AND p.event_id < d.event_id AND p.state IN ('pendente', 'parado'))
                ORDER BY d.event_id LIMIT \(unsafeRaw: String(Self.batch))\(unsafeRaw: postgres ? " FOR UPDATE OF d SKIP LOCKED" : "")
                """
            ).all()
            let claimed = try rows.map {
                Claimed(
                    eventId: try $0.decode(column: "event_id", as: Int64.self), type: try $0.decode(column: "type", as: String.self),
                    body: try $0.decode(column: "body", as: String.self), attempts: try $0.decode(column: "attempts", as: Int.self))
            }
            guard !claimed.isEmpty else { return [] }
            let ids = claimed.map { String($0.eventId) }.joined(separator: ", ")
            try await db.raw(
                """
                UPDATE integration_deliveries SET lease_owner = \(bind: owner), lease_until = \(bind: now + Int64(settings.leaseSeconds))
                WHERE webhook = \(bind: w.name) AND event_id IN (\(unsafeRaw: ids))
                """
            ).run()
            return claimed
        }
    }

    struct Outcome: Sendable {
        var eventId: Int64
        var attempts: Int
        var status: Int?
        var error: String?
        var delivered: Bool { status.map { (200..<300).contains($0) } ?? false }
    }

    /// The signature a receiver checks: HMAC-SHA256 with the webhook's secret over the timestamp,
    /// a dot and the body, in lowercase hex, after `sha256=`.
    static func signature(secret: String, timestamp: Int64, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Data(mac).hex
    }

    /// POSTs the claimed events, `concurrency` at a time.
    func send(_ claimed: [Claimed], to w: IntegrationSettings.Webhook) async -> [Outcome] {
        guard let url = URL(string: w.url) else {
            return claimed.map { Outcome(eventId: $0.eventId, attempts: $0.attempts + 1, status: nil, error: "URL inválida") }
        }
        return await withTaskGroup(of: Outcome.self) { group in
            var out: [Outcome] = []
            var next = claimed.makeIterator()
            func start() -> Bool {
                guard let c = next.next() else { return false }
                group.addTask { await self.post(c, to: url, secret: w.secret) }
                return true
            }
            for _ in 0..<settings.concurrency where !start() { break }
            while let o = await group.next() {
                out.append(o)
                _ = start()
            }
            return out
        }
    }

    func post(_ c: Claimed, to url: URL, secret: String) async -> Outcome {
        let timestamp = clock.epochSeconds
        var request = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "")
        request.headerFields[.contentType] = "application/json; charset=utf-8"
        request.headerFields[HTTPField.Name("X-Agencia-Event-Id")!] = String(c.eventId)
        request.headerFields[HTTPField.Name("X-Agencia-Event-Type")!] = c.type
        request.headerFields[HTTPField.Name("X-Agencia-Timestamp")!] = String(timestamp)
        request.headerFields[HTTPField.Name("X-Agencia-Signature")!] = Self.signature(secret: secret, timestamp: timestamp, body: c.body)
        request.headerFields[HTTPField.Name("X-Agencia-Attempt")!] = String(c.attempts + 1)
        do {
            let (response, body) = try await transport.send(request, body: HTTPBody(c.body), baseURL: url, operationID: "webhook")
            var answer = ""
            if let body { answer = String(decoding: try await Data(collecting: body, upTo: 1 << 16).prefix(200), as: UTF8.self) }
            let status = response.status.code
            return Outcome(
                eventId: c.eventId, attempts: c.attempts + 1, status: status,
                error: (200..<300).contains(status) ? nil : "HTTP \(status)\(answer.isEmpty ? "" : ": \(answer)")")
        } catch {
            return Outcome(eventId: c.eventId, attempts: c.attempts + 1, status: nil, error: Self.describe(error))
        }
    }

    /// Why a POST got no answer, for the supervisor (the receiver is the subject, not "the server").
    static func describe(_ error: any Error) -> String {
        switch error as? CurlTransportError {
        case .unreachable?: return "sem conexão com o receptor (recusada ou fora do ar)"
        case .timedOut?: return "o receptor não respondeu a tempo"
        case .badReply?: return "resposta incompleta ou que não é HTTP"
        case .tls(let m)?: return "falha na conexão segura (\(m))"
        case .other(let code, let m)?: return "falha de comunicação (curl \(code): \(m))"
        case .cancelled?, nil: return String(describing: error)
        }
    }

    /// The delay before try `attempts + 1`: base × 2^(attempts−1), capped, times 0.5–1.5.
    static func delay(attempts: Int, settings: IntegrationSettings, jitter: Double = Double.random(in: 0.5...1.5)) -> Int64 {
        let doubled = Double(settings.retryBaseSeconds) * pow(2, Double(max(0, attempts - 1)))
        return Int64(max(1, min(Double(settings.retryMaxSeconds), doubled) * jitter))
    }

    /// Records what each POST did, for the deliveries this instance still holds.
    func record(_ outcomes: [Outcome], webhook w: IntegrationSettings.Webhook) async throws {
        let now = clock.epochSeconds
        try await store.write { db in
            var delivered: [Int64] = []
            for o in outcomes {
                let state: State = o.delivered ? .entregue : (o.attempts >= settings.maxAttempts ? .parado : .pendente)
                let next = o.delivered ? now : now + Self.delay(attempts: o.attempts, settings: settings)
                try await db.raw(
                    """
                    UPDATE integration_deliveries SET state = \(bind: state.rawValue), attempts = \(bind: o.attempts), next_at = \(bind: next),
                      lease_owner = NULL, lease_until = NULL, last_status = \(bind: o.status), last_error = \(bind: o.error.map { String($0.prefix(300)) }),
                      delivered_at = \(bind: o.delivered ? now : nil), updated_at = \(bind: now)
                    WHERE webhook = \(bind: w.name) AND event_id = \(bind: o.eventId) AND lease_owner = \(bind: owner)
                    """
                ).run()
                if o.delivered { delivered.append(o.eventId) } else { Telemetry.webhookFailures(w.name).increment() }
                if state == .parado {
                    logger.warning("webhook event parked", metadata: ["webhook": "\(w.name)", "event": "\(o.eventId)", "error": "\(o.error ?? "")"])
                }
            }
            if !delivered.isEmpty {
                Telemetry.webhookDelivered(w.name).increment(by: delivered.count)
                try await db.raw(
                    """
                    UPDATE integration_events SET sent_at = \(bind: now)
                    WHERE id IN (\(unsafeRaw: delivered.map(String.init).joined(separator: ", "))) AND protocol_seq = 1 AND sent_at IS NULL
                    """
                ).run()
            }
        }
    }

    /// The backlog and the parked, per webhook, for Prometheus.
    func report() async throws {
        let counts = try await IntegrationDeliveries.counts(store)
        for w in settings.webhooks {
            Telemetry.webhookBacklog(w.name).record(counts[w.name]?.pending ?? 0)
            Telemetry.webhookParked(w.name).record(counts[w.name]?.parked ?? 0)
        }
    }
}
