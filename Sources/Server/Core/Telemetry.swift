import Foundation
import Logging
import Metrics
import Prometheus

/// The process's figures for Prometheus (`GET /metrics`, allowed from `server.metricsFrom`):
/// requests and their duration by route, method and status (Hummingbird's `MetricsMiddleware`),
/// plus what an operator watches here — the database pool's waits and refusals, the outbox's
/// backlog, refused logins and connections, the session cache's hits. No label carries a CPF,
/// a name or a matrícula: routes are their templates (`/v1/properties/{matricula}`).
enum Telemetry {
    /// Swift Metrics answers to Prometheus from the first use on, once per process (the tests
    /// build many servers in one).
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) }) }
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(3), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// `http.server.requests` → `http_server_requests` (Prometheus allows letters, digits, `_`, `:`).
    static func prometheusName(_ s: String) -> String {
        String(
            s.unicodeScalars.map { $0.isASCII && ($0 == "_" || $0 == ":" || CharacterSet.alphanumerics.contains($0)) ? Character($0) : "_" }
        )
    }

    /// The text Prometheus scrapes.
    static func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }

    // Each made after the bootstrap (a metric made before it would stay a no-op).
    static func loginsRefused(_ limit: String) -> Metrics.Counter {
        _ = registry
        return Metrics.Counter(label: "agencia_logins_refused_total", dimensions: [("limit", limit)])
    }
    static func connectionsClosed(_ reason: String) -> Metrics.Counter {
        _ = registry
        return Metrics.Counter(label: "agencia_connections_closed_total", dimensions: [("reason", reason)])
    }
    static let sessionFromMemory: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "agencia_session_lookups_total", dimensions: [("from", "memory")])
    }()
    static let sessionFromDatabase: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "agencia_session_lookups_total", dimensions: [("from", "database")])
    }()
    static let databaseWait: Metrics.Timer = {
        _ = registry
        return Metrics.Timer(label: "agencia_db_connection_wait_seconds")
    }()
    static let databaseUnavailable: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "agencia_db_unavailable_total")
    }()
    /// Attachment bytes stored, and uploads or steps refused by a quota (issue 27).
    static let attachmentBytes: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "agencia_attachment_bytes_total")
    }()
    static let attachmentsRefused: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "agencia_attachments_refused_total")
    }()
    /// Uploads refused because their format's library could not read them (issue 27).
    static let attachmentsUnreadable: Metrics.Counter = {
        _ = registry
        return Metrics.Counter(label: "agencia_attachments_unreadable_total")
    }()

    /// Seconds since the newest good backup (`agencia-server backup`); +Inf when there is none.
    static let backupAge: Metrics.Gauge = {
        _ = registry
        return Metrics.Gauge(label: "agencia_backup_age_seconds")
    }()

    static let outboxPending: Metrics.Gauge = {
        _ = registry
        return Metrics.Gauge(label: "agencia_outbox_pending")
    }()

    /// Webhook events waiting to be delivered, and parked after their last try (issue 31).
    static func webhookBacklog(_ webhook: String) -> Metrics.Gauge {
        _ = registry
        return Metrics.Gauge(label: "agencia_webhook_backlog", dimensions: [("webhook", webhook)])
    }
    static func webhookParked(_ webhook: String) -> Metrics.Gauge {
        _ = registry
        return Metrics.Gauge(label: "agencia_webhook_parked", dimensions: [("webhook", webhook)])
    }
    static func webhookDelivered(_ webhook: String) -> Metrics.Counter {
        _ = registry
        return Metrics.Counter(label: "agencia_webhook_delivered_total", dimensions: [("webhook", webhook)])
    }
    static func webhookFailures(_ webhook: String) -> Metrics.Counter {
        _ = registry
        return Metrics.Counter(label: "agencia_webhook_failures_total", dimensions: [("webhook", webhook)])
    }
}

/// One JSON object per line (`server.logFormat: json`), for a log collector: `ts` (UTC, ms),
/// `level`, `label`, `message` and the metadata as strings. Masking happens before a message
/// gets here, as for the text format.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let clock: @Sendable () -> Date
    var write: @Sendable (Data) -> Void = { FileHandle.standardOutput.write($0) }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[k] = "\(v)" }
        fields["ts"] = clock().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = "\(event.message)"
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        line.append(0x0A)
        write(line)
    }
}
