import Crypto
import Foundation
import SQLKit

/// An idempotent write's key: who (scope: customer or attendant, and operation), the client's
/// `Idempotency-Key`, and a digest of the request (DECISIONS 20).
struct IdempotencyClaim: Sendable {
    var scope: String
    var key: String
    var requestHash: String

    init(_ p: Principal, operation: String, key: String, request: String) {
        let who: String
        switch p {
        case .customer(let m, let d, _): who = "c:\(d ?? m)"
        case .staff(let s, _): who = "s:\(s.usuario)"
        }
        self.init(scope: "\(who)|\(operation)", key: key, request: request)
    }

    /// A write without a session (a problem reported from a login screen): scoped by the client's address.
    init(anonymous address: String, operation: String, key: String, request: String) {
        self.init(scope: "a:\(address)|\(operation)", key: key, request: request)
    }

    private init(scope: String, key: String, request: String) {
        self.scope = scope
        self.key = key
        requestHash = SHA256.hash(data: Data(request.utf8)).hex
    }
}

/// Keys are claimed inside the write transaction that does the work: a second request with the
/// key waits for the first's transaction (PostgreSQL's unique index; SQLite's single writer)
/// and then replays its result; a different request under the same key is refused. Keys live
/// 24 hours.
enum Idempotency {
    static let lifetimeSeconds: Int64 = 86_400

    enum Outcome {
        case fresh
        case replay(Int64)
    }

    static func claim(_ c: IdempotencyClaim, db: any SQLDatabase, now: Int64) async throws -> Outcome {
        try await db.raw(
            "DELETE FROM idempotency_keys WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key) AND created_at < \(bind: now - lifetimeSeconds)"
        ).run()
        let inserted = try await db.raw(
            """
            INSERT INTO idempotency_keys (scope, idem_key, request_hash, resource_id, created_at)
            VALUES (\(bind: c.scope), \(bind: c.key), \(bind: c.requestHash), NULL, \(bind: now))
            ON CONFLICT (scope, idem_key) DO NOTHING RETURNING scope
            """
        ).first()
        if inserted != nil { return .fresh }
        guard
            let row = try await db.raw(
                "SELECT request_hash, resource_id FROM idempotency_keys WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key)"
            ).first()
        else { throw StorageError.idempotencyInProgress }
        guard try row.decode(column: "request_hash", as: String.self) == c.requestHash else { throw StorageError.idempotencyKeyReused }
        guard let id = try row.decode(column: "resource_id", as: Int64?.self) else { throw StorageError.idempotencyInProgress }
        return .replay(id)
    }

    /// The resource a finished request under this key made, read before any check: a retry
    /// replays it even when the checks would refuse a new request now (the agreement it signed
    /// made the debt it was checked against go away). A different request under the key is refused.
    static func completed(_ c: IdempotencyClaim, store: any Store, now: Int64) async throws -> Int64? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT request_hash, resource_id FROM idempotency_keys
                    WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key) AND created_at >= \(bind: now - lifetimeSeconds)
                    """
                ).first()
            else { return nil }
            guard try row.decode(column: "request_hash", as: String.self) == c.requestHash else { throw StorageError.idempotencyKeyReused }
            return try row.decode(column: "resource_id", as: Int64?.self)
        }
    }

    static func complete(_ c: IdempotencyClaim, resource: Int64, db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE idempotency_keys SET resource_id = \(bind: resource) WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key)"
        ).run()
    }

    /// Deletes the keys older than their lifetime; returns how many.
    static func sweep(_ store: any Store, now: Int64) async throws -> Int {
        try await store.write { db in
            try await db.raw(
                "DELETE FROM idempotency_keys WHERE created_at < \(bind: now - lifetimeSeconds) RETURNING scope"
            ).all().count
        }
    }
}
