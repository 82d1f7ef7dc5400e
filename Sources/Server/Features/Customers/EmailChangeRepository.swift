import Crypto
import Domain
import Foundation
import SQLKit

/// A person's e-mail address changed (PRODUCT.md E3, issue 12): by a 6-digit code sent to the new
/// address, typed back within 15 minutes, 5 wrong codes ending it; or recorded at a counter with
/// the person present. The old address is told either way. Served by `email_changes_documento`.
struct EmailChangeRepository: Sendable {
    let store: any Store

    static let validSeconds: Int64 = 15 * 60
    static let maxAttempts = 5

    struct Change: Sendable, Equatable {
        enum Status: String, Sendable { case pendente, confirmado, cancelado }
        var id: Int64
        var documento: String
        var matricula: String
        var newEmail: String
        var oldEmail: String?
        var code: String?
        var expiresAt: Int64
        var attempts: Int
        var status: Status
        var byStaff: String?
        var createdAt: Int64
        var endedAt: Int64?
    }

    /// How typing a code ended.
    enum Outcome: Equatable {
        case confirmed
        case wrong(left: Int)
        /// The fifth wrong code: the change is cancelled.
        case exhausted
        case expired
        /// Confirmed or cancelled before.
        case ended
    }

    static func hash(_ code: String, documento: String) -> String {
        SHA256.hash(data: Data("email-code:\(documento):\(code)".utf8)).hex
    }

    /// Starts a change by code: any pending one of the person ends, the code goes to the new
    /// address through the outbox, in one transaction (or the same request is replayed).
    func start(
        documento: String, matricula: String, newEmail: String, oldEmail: String?, code: String, claim: IdempotencyClaim, now: Int64
    ) async throws -> (id: Int64, replayed: Bool) {
        try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) { return (id, true) }
            try await Self.cancelPending(documento, now: now, db: db)
            let id = try await Self.insert(
                documento: documento, matricula: matricula, newEmail: newEmail, oldEmail: oldEmail, code: code, status: .pendente,
                byStaff: nil, expiresAt: now + Self.validSeconds, now: now, db: db)
            _ = try await OutboxRepository.enqueue(
                matricula: matricula, recipient: newEmail, document: .emailCode, documentId: id, requestedBy: nil, now: now, db: db)
            try await Idempotency.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    /// Records a change made at a counter with the person present: applied at once, the old
    /// address told.
    func record(
        documento: String, matricula: String, newEmail: String, oldEmail: String?, staff: String, claim: IdempotencyClaim, now: Int64
    ) async throws -> (id: Int64, replayed: Bool) {
        try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) { return (id, true) }
            try await Self.cancelPending(documento, now: now, db: db)
            let id = try await Self.insert(
                documento: documento, matricula: matricula, newEmail: newEmail, oldEmail: oldEmail, code: nil, status: .confirmado,
                byStaff: staff, expiresAt: now, now: now, db: db)
            try await Self.apply(
                id: id, documento: documento, newEmail: newEmail, oldEmail: oldEmail, matricula: matricula, now: now, db: db)
            try await Idempotency.complete(claim, resource: id, db: db)
            return (id, false)
        }
    }

    /// Checks a typed code against the change (locked on PostgreSQL): right and in time applies
    /// it; wrong counts; the fifth wrong, or a late one, ends it.
    func confirm(id: Int64, matricula: String, code: String, now: Int64) async throws -> Outcome? {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT documento, new_email, old_email, code_hash, expires_at, attempts, status FROM email_changes
                    WHERE id = \(bind: id) AND matricula = \(bind: matricula)\(unsafeRaw: postgres ? " FOR UPDATE" : "")
                    """
                ).first()
            else { return nil }
            guard try row.decode(column: "status", as: String.self) == Change.Status.pendente.rawValue else { return .ended }
            let documento = try row.decode(column: "documento", as: String.self)
            if now > (try row.decode(column: "expires_at", as: Int64.self)) {
                try await Self.end(id, status: .cancelado, now: now, db: db)
                return .expired
            }
            guard Self.hash(code, documento: documento) == (try row.decode(column: "code_hash", as: String.self)) else {
                let attempts = try row.decode(column: "attempts", as: Int.self) + 1
                try await db.raw("UPDATE email_changes SET attempts = \(bind: attempts) WHERE id = \(bind: id)").run()
                if attempts >= Self.maxAttempts {
                    try await Self.end(id, status: .cancelado, now: now, db: db)
                    return .exhausted
                }
                return .wrong(left: Self.maxAttempts - attempts)
            }
            try await Self.end(id, status: .confirmado, now: now, db: db)
            try await Self.apply(
                id: id, documento: documento, newEmail: try row.decode(column: "new_email", as: String.self),
                oldEmail: try row.decode(column: "old_email", as: String?.self), matricula: matricula, now: now, db: db)
            return .confirmed
        }
    }

    func change(_ id: Int64) async throws -> Change? {
        try await store.read { db in
            try await db.raw(
                """
                SELECT id, documento, matricula, new_email, old_email, code, expires_at, attempts, status, by_staff, created_at, ended_at
                FROM email_changes WHERE id = \(bind: id)
                """
            ).first().map { r in
                Change(
                    id: try r.decode(column: "id", as: Int64.self), documento: try r.decode(column: "documento", as: String.self),
                    matricula: try r.decode(column: "matricula", as: String.self),
                    newEmail: try r.decode(column: "new_email", as: String.self),
                    oldEmail: try r.decode(column: "old_email", as: String?.self), code: try r.decode(column: "code", as: String?.self),
                    expiresAt: try r.decode(column: "expires_at", as: Int64.self), attempts: try r.decode(column: "attempts", as: Int.self),
                    status: Change.Status(rawValue: try r.decode(column: "status", as: String.self)) ?? .cancelado,
                    byStaff: try r.decode(column: "by_staff", as: String?.self),
                    createdAt: try r.decode(column: "created_at", as: Int64.self),
                    endedAt: try r.decode(column: "ended_at", as: Int64?.self))
            }
        }
    }

    private static func insert(
        documento: String, matricula: String, newEmail: String, oldEmail: String?, code: String?, status: Change.Status, byStaff: String?,
        expiresAt: Int64, now: Int64, db: any SQLDatabase
    ) async throws -> Int64 {
        guard
            let row = try await db.raw(
                """
                INSERT INTO email_changes (documento, matricula, new_email, old_email, code, code_hash, expires_at, status, by_staff,
                  created_at, ended_at)
                VALUES (\(bind: documento), \(bind: matricula), \(bind: newEmail), \(bind: oldEmail), \(bind: code),
                  \(bind: code.map { Self.hash($0, documento: documento) } ?? ""), \(bind: expiresAt), \(bind: status.rawValue),
                  \(bind: byStaff), \(bind: now), \(bind: status == .pendente ? nil : now))
                RETURNING id
                """
            ).first()
        else { throw StorageError.corrupt("email_changes: no id returned") }
        return try row.decode(column: "id", as: Int64.self)
    }

    /// A new change of the person ends the one waiting for its code.
    private static func cancelPending(_ documento: String, now: Int64, db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE email_changes SET status = 'cancelado', code = NULL, ended_at = \(bind: now)
            WHERE documento = \(bind: documento) AND status = 'pendente'
            """
        ).run()
    }

    private static func end(_ id: Int64, status: Change.Status, now: Int64, db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE email_changes SET status = \(bind: status.rawValue), code = NULL, ended_at = \(bind: now) WHERE id = \(bind: id)"
        ).run()
    }

    /// The person's address changes; the old one (if any, and different) is told.
    private static func apply(
        id: Int64, documento: String, newEmail: String, oldEmail: String?, matricula: String, now: Int64, db: any SQLDatabase
    ) async throws {
        try await db.raw("UPDATE customers SET email = \(bind: newEmail) WHERE documento = \(bind: documento)").run()
        if let oldEmail, !oldEmail.isEmpty, oldEmail.lowercased() != newEmail.lowercased() {
            _ = try await OutboxRepository.enqueue(
                matricula: matricula, recipient: oldEmail, document: .emailChanged, documentId: id, requestedBy: nil, now: now, db: db)
        }
    }
}
