import Domain
import Foundation
import SQLKit

/// The supervisor's view of the webhooks' deliveries (issue 31): what is parked and why, what
/// waits, and the two ways out of a parked event — try it again now, or skip it (the source
/// will never take it; its protocol's later events then go).
enum IntegrationDeliveries {
    struct Item: Sendable, Equatable {
        var webhook: String
        var eventId: Int64
        var protocolNumber: String
        var type: String
        var state: String
        var attempts: Int
        var lastStatus: Int?
        var lastError: String?
        var nextAt: Int64
        var updatedAt: Int64
        /// Later events of the same protocol held behind this one.
        var waiting: Int
    }

    struct Counts: Sendable, Equatable {
        var pending = 0
        var parked = 0
    }

    static func counts(_ store: any Store) async throws -> [String: Counts] {
        try await store.read { db in
            var out: [String: Counts] = [:]
            for r in try await db.raw(
                "SELECT webhook, state, COUNT(*) AS n FROM integration_deliveries WHERE state IN ('pendente', 'parado') GROUP BY webhook, state"
            ).all() {
                let w = try r.decode(column: "webhook", as: String.self)
                let n = try r.decode(column: "n", as: Int.self)
                if try r.decode(column: "state", as: String.self) == "parado" { out[w, default: .init()].parked = n } else { out[w, default: .init()].pending = n }
            }
            return out
        }
    }

    /// The parked deliveries, and the pending ones that failed at least once, newest first.
    static func troubled(_ store: any Store, limit: Int = 200) async throws -> [Item] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT d.webhook, d.event_id, d.protocol, e.type, d.state, d.attempts, d.last_status, d.last_error, d.next_at, d.updated_at,
                  (SELECT COUNT(*) FROM integration_deliveries w
                   WHERE w.webhook = d.webhook AND w.protocol = d.protocol AND w.event_id > d.event_id AND w.state = 'pendente') AS waiting
                FROM integration_deliveries d JOIN integration_events e ON e.id = d.event_id
                WHERE d.state = 'parado' OR (d.state = 'pendente' AND d.attempts > 0)
                ORDER BY CASE d.state WHEN 'parado' THEN 0 ELSE 1 END, d.updated_at DESC, d.event_id DESC
                LIMIT \(unsafeRaw: String(limit))
                """
            ).all().map {
                let compact = try $0.decode(column: "protocol", as: String.self)
                return Item(
                    webhook: try $0.decode(column: "webhook", as: String.self), eventId: try $0.decode(column: "event_id", as: Int64.self),
                    protocolNumber: ProtocolNumber(parsing: compact)?.formatted ?? compact, type: try $0.decode(column: "type", as: String.self),
                    state: try $0.decode(column: "state", as: String.self), attempts: try $0.decode(column: "attempts", as: Int.self),
                    lastStatus: try $0.decode(column: "last_status", as: Int?.self), lastError: try $0.decode(column: "last_error", as: String?.self),
                    nextAt: try $0.decode(column: "next_at", as: Int64.self), updatedAt: try $0.decode(column: "updated_at", as: Int64.self),
                    waiting: try $0.decode(column: "waiting", as: Int.self))
            }
        }
    }

    enum Decision: String, Sendable {
        /// Tried again at once, with a fresh count of tries.
        case retry
        /// Given up: marked `ignorado`, its protocol's later events go.
        case skip
    }

    /// Applies the supervisor's decision to a parked (or failing) delivery; false when there is
    /// no such delivery in a state that allows it.
    static func decide(_ d: Decision, webhook: String, eventId: Int64, now: Int64, store: any Store) async throws -> Bool {
        try await store.write { db in
            let found = try await db.raw(
                """
                SELECT state FROM integration_deliveries WHERE webhook = \(bind: webhook) AND event_id = \(bind: eventId)
                  AND (state = 'parado' OR (state = 'pendente' AND attempts > 0))
                  AND (lease_until IS NULL OR lease_until < \(bind: now))
                """
            ).first()
            guard found != nil else { return false }
            switch d {
            case .retry:
                try await db.raw(
                    """
                    UPDATE integration_deliveries SET state = 'pendente', attempts = 0, next_at = \(bind: now), lease_owner = NULL,
                      lease_until = NULL, updated_at = \(bind: now)
                    WHERE webhook = \(bind: webhook) AND event_id = \(bind: eventId)
                    """
                ).run()
            case .skip:
                try await db.raw(
                    """
                    UPDATE integration_deliveries SET state = 'ignorado', lease_owner = NULL, lease_until = NULL, updated_at = \(bind: now)
                    WHERE webhook = \(bind: webhook) AND event_id = \(bind: eventId)
                    """
                ).run()
            }
            return true
        }
    }
}
