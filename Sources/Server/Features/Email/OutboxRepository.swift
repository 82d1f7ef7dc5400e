import Foundation
import SQLKit

/// A message waiting in the outbox.
struct OutboxMessage: Sendable {
    var id: Int64
    /// The message's Message-ID, the same on every attempt (a receiver drops a duplicate).
    var dedupeKey: String
    var matricula: String
    var recipient: String
    var document: DocumentKind
    var documentId: Int64
    var attempts: Int
}

/// The e-mail outbox (DECISIONS 21): a row written in the same transaction as the request's
/// idempotency key, claimed with a lease by the sender. Served by `email_outbox_due`,
/// `email_outbox_dedupe` and `email_outbox_matricula`.
struct OutboxRepository: Sendable {
    enum Status: String, Sendable {
        case pendente, enviado, falhou
    }

    let store: any Store

    /// Queues an e-mail in the same transaction as its idempotency key (or replays it).
    func enqueue(
        matricula: String, recipient: String, document: DocumentKind, documentId: Int64, claim: IdempotencyClaim,
        requestedBy: String?, now: Int64
    ) async throws -> (id: Int64, replayed: Bool) {
        try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) { return (id, true) }
            let id = try await Self.enqueue(
                matricula: matricula, recipient: recipient, document: document, documentId: documentId, requestedBy: requestedBy, now: now,
                db: db)
            try await Idempotency.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    /// Queues an e-mail inside the caller's transaction: it exists exactly when what it tells of
    /// does (a protocol's step), so it is never lost and never sent twice.
    static func enqueue(
        matricula: String, recipient: String, document: DocumentKind, documentId: Int64, requestedBy: String?, now: Int64,
        db: any SQLDatabase
    ) async throws -> Int64 {
        let dedupe = "\(UUID().uuidString.lowercased())@agencia"
        guard
            let row = try await db.raw(
                """
                INSERT INTO email_outbox (dedupe_key, matricula, recipient, document_kind, document_id, status, attempts,
                                          next_attempt_at, created_at, requested_by)
                VALUES (\(bind: dedupe), \(bind: matricula), \(bind: recipient), \(bind: document.rawValue), \(bind: documentId),
                        \(bind: Status.pendente.rawValue), 0, \(bind: now), \(bind: now), \(bind: requestedBy)) RETURNING id
                """
            ).first()
        else { throw StorageError.corrupt("email_outbox: no id returned") }
        return try row.decode(column: "id", as: Int64.self)
    }

    /// Messages waiting to be sent (the backlog an operator watches), by `email_outbox_due`.
    func pendingCount() async throws -> Int {
        try await store.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM email_outbox WHERE status = \(bind: Status.pendente.rawValue)").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
    }

    func status(id: Int64) async throws -> (recipient: String, status: Status)? {
        try await store.read { db in
            guard let row = try await db.raw("SELECT recipient, status FROM email_outbox WHERE id = \(bind: id)").first() else {
                return nil
            }
            let raw = try row.decode(column: "status", as: String.self)
            guard let status = Status(rawValue: raw) else { throw StorageError.corrupt("email_outbox.status \(raw)") }
            return (try row.decode(column: "recipient", as: String.self), status)
        }
    }

    /// Claims the oldest message due for sending, leasing it for `lease` seconds: two senders
    /// never hold the same row (SKIP LOCKED on PostgreSQL; the single writer on SQLite).
    func claim(now: Int64, lease: Int64) async throws -> OutboxMessage? {
        let lock = store.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await store.write { db in
            guard
                let row = try await db.raw(
                    """
                    UPDATE email_outbox SET claimed_until = \(bind: now + lease), attempts = attempts + 1
                    WHERE id = (SELECT id FROM email_outbox
                                WHERE status = \(bind: Status.pendente.rawValue) AND next_attempt_at <= \(bind: now)
                                  AND (claimed_until IS NULL OR claimed_until < \(bind: now))
                                ORDER BY next_attempt_at, id LIMIT 1\(unsafeRaw: lock))
                    RETURNING id, dedupe_key, matricula, recipient, document_kind, document_id, attempts
                    """
                ).first()
            else { return nil }
            let kind = try row.decode(column: "document_kind", as: String.self)
            guard let document = DocumentKind(rawValue: kind) else { throw StorageError.corrupt("email_outbox.document_kind \(kind)") }
            return try OutboxMessage(
                id: row.decode(column: "id", as: Int64.self), dedupeKey: row.decode(column: "dedupe_key", as: String.self),
                matricula: row.decode(column: "matricula", as: String.self), recipient: row.decode(column: "recipient", as: String.self),
                document: document, documentId: row.decode(column: "document_id", as: Int64.self),
                attempts: row.decode(column: "attempts", as: Int.self))
        }
    }

    func markSent(_ m: OutboxMessage, now: Int64) async throws {
        try await store.write { db in
            try await db.raw(
                """
                UPDATE email_outbox SET status = \(bind: Status.enviado.rawValue), sent_at = \(bind: now), claimed_until = NULL,
                  last_error = NULL WHERE id = \(bind: m.id)
                """
            ).run()
            try await Self.forgetCode(m, db: db)
        }
    }

    /// An e-mail change's code is kept in clear only until its message leaves (or is given up):
    /// from then on only its hash is left to compare what the customer types (issue 27).
    private static func forgetCode(_ m: OutboxMessage, db: any SQLDatabase) async throws {
        guard m.document == .emailCode else { return }
        try await db.raw("UPDATE email_changes SET code = NULL WHERE id = \(bind: m.documentId)").run()
    }

    /// Records a failed attempt: due again at `retryAt`, or given up (`falhou`) without one.
    func markFailed(_ m: OutboxMessage, error: String, retryAt: Int64?, now: Int64) async throws {
        let status = retryAt == nil ? Status.falhou : .pendente
        try await store.write { db in
            try await db.raw(
                """
                UPDATE email_outbox SET status = \(bind: status.rawValue),
                  next_attempt_at = \(bind: retryAt ?? now), claimed_until = NULL, last_error = \(bind: String(error.prefix(500)))
                WHERE id = \(bind: m.id)
                """
            ).run()
            if retryAt == nil { try await Self.forgetCode(m, db: db) }
        }
    }
}
