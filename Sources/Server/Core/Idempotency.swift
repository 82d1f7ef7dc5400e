import Crypto
import Foundation
import SQLKit

/// An idempotent write's key: who (scope: customer or attendant, and operation), the client's
/// `Idempotency-Key`, and a digest of the request as the client sent it (DECISIONS 20, 77).
struct IdempotencyClaim: Sendable {
    var scope: String
    var key: String
    var requestHash: String

    /// The request as sent: the operation's path parameters and its JSON body, re-encoded with
    /// sorted keys (the same body always gives the same digest) — never a value the server
    /// derives from it, from the database or from the clock (a default deadline counted from
    /// now made every retry a different request, issue 27).
    init(_ p: Principal, operation: String, key: String, path: [String] = [], body: some Encodable) {
        self.init(scope: "\(Self.who(p))|\(operation)", key: key, request: Self.request(path, body))
    }

    /// An operation without a body: its path parameters are the request.
    init(_ p: Principal, operation: String, key: String, path: [String]) {
        self.init(p, operation: operation, key: key, path: path, body: String?.none)
    }

    /// A write without a session (a problem reported from a login screen, an anonymous
    /// manifestation): scoped by the client's address.
    init(anonymous address: String, operation: String, key: String, path: [String] = [], body: some Encodable) {
        self.init(scope: "a:\(address)|\(operation)", key: key, request: Self.request(path, body))
    }

    /// A binary upload: its name and a digest of its bytes.
    init(_ p: Principal, operation: String, key: String, name: String, content: Data) {
        self.init(scope: "\(Self.who(p))|\(operation)", key: key, request: "\(name)|\(content.count)|\(SHA256.hash(data: content).hex)")
    }

    private init(scope: String, key: String, request: String) {
        self.scope = scope
        self.key = key
        requestHash = SHA256.hash(data: Data(request.utf8)).hex
    }

    private static func who(_ p: Principal) -> String {
        switch p {
        case .customer(let m, let d, _): return "c:\(d ?? m)"
        case .staff(let s, _): return "s:\(s.usuario)"
        case .integration(let name, _): return "i:\(name)"
        }
    }

    private static func request(_ path: [String], _ body: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The generated bodies always encode; were one not to, the digest of its description
        // still tells two bodies apart.
        let json = (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? String(describing: body)
        return (path + [json]).joined(separator: "|")
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
    static func completed(_ c: IdempotencyClaim, store: any Store, now: Int64) async throws -> Completed? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT request_hash, resource_id, first_status FROM idempotency_keys
                    WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key) AND created_at >= \(bind: now - lifetimeSeconds)
                    """
                ).first()
            else { return nil }
            guard try row.decode(column: "request_hash", as: String.self) == c.requestHash else { throw StorageError.idempotencyKeyReused }
            guard let id = try row.decode(column: "resource_id", as: Int64?.self) else { return nil }
            return Completed(id: id, status: try row.optional("first_status", as: Int.self))
        }
    }

    /// What a finished request under a key made, and its status when it was not the operation's
    /// usual one (a statement already issued answers 200, not 201): a replay answers the same.
    struct Completed: Sendable {
        var id: Int64
        var status: Int?
    }

    static func complete(_ c: IdempotencyClaim, resource: Int64, status: Int? = nil, db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE idempotency_keys SET resource_id = \(bind: resource), first_status = \(bind: status)
            WHERE scope = \(bind: c.scope) AND idem_key = \(bind: c.key)
            """
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
