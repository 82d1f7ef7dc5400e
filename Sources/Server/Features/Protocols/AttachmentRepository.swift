import Crypto
import Domain
import Foundation
import SQLKit

/// A protocol attachment as lists show it (never its bytes).
struct AttachmentMeta: Sendable, Equatable {
    var id: Int64
    var name: String
    var kind: AttachmentKind
    var size: Int64
}

/// Protocol attachments (issue 11): counter and staff upload a file, then the step that carries
/// it binds it to the protocol in the step's own transaction; the bytes stay in the database so
/// any instance serves them. Served by `protocol_attachments_number` and, for the sweep of
/// uploads nobody used, `protocol_attachments_unbound`.
extension ProtocolRepository {
    /// Unused uploads are removed after this long.
    static let unboundLifetime: Int64 = 86_400

    /// Stores an upload (or replays the one stored under the same key) and sweeps unused old ones.
    func upload(
        name: String, kind: AttachmentKind, content: Data, by usuario: String, limits: AttachmentLimits, claim: IdempotencyClaim, now: Int64
    ) async throws -> AttachmentMeta {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: now) {
                guard let meta = try await Self.meta(id: id, db: db) else { throw StorageError.corrupt("attachment \(id)") }
                return meta
            }
            try await db.raw(
                "DELETE FROM protocol_attachments WHERE step_id IS NULL AND uploaded_at < \(bind: now - Self.unboundLifetime)"
            ).run()
            // The member's quotas, counted with their other uploads in flight waiting here
            // (PostgreSQL: one lock per member; SQLite: its single writer).
            if postgres { try await db.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "anexos:" + usuario)))").run() }
            let used = try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(CASE WHEN uploaded_at >= \(bind: now - 3600) THEN size ELSE 0 END), 0) AS BIGINT) AS hour,
                       CAST(COALESCE(SUM(size), 0) AS BIGINT) AS day
                FROM protocol_attachments WHERE uploaded_by = \(bind: usuario) AND uploaded_at >= \(bind: now - 86_400)
                """
            ).first()
            let hour = Int(try used?.decode(column: "hour", as: Int64.self) ?? 0)
            let day = Int(try used?.decode(column: "day", as: Int64.self) ?? 0)
            if let refusal = limits.quotaRefusal(size: content.count, hour: hour, day: day) {
                Telemetry.attachmentsRefused.increment()
                throw APIError(status: .tooManyRequests, code: "attachment_quota", message: refusal)
            }
            let digest = SHA256.hash(data: content).hex
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO protocol_attachments (name, media_type, size, sha256, content, uploaded_by, uploaded_at)
                    VALUES (\(bind: name), \(bind: kind.rawValue), \(bind: Int64(content.count)), \(bind: digest), \(bind: content),
                            \(bind: usuario), \(bind: now)) RETURNING id
                    """
                ).first()
            else { throw StorageError.corrupt("protocol_attachments: no id returned") }
            let id = try row.decode(column: "id", as: Int64.self)
            try await Idempotency.complete(claim, resource: id, db: db)
            Telemetry.attachmentBytes.increment(by: Int64(content.count))
            return AttachmentMeta(id: id, name: name, kind: kind, size: Int64(content.count))
        }
    }

    /// Binds the uploader's unused uploads to a step, inside the step's transaction; an id that
    /// is not theirs, already used or swept fails the whole step.
    static func bind(_ ids: [Int64], number: ProtocolNumber, stepId: Int64, by usuario: String, db: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        var sql: SQLQueryString = """
            UPDATE protocol_attachments SET number = \(bind: number.compact), step_id = \(bind: stepId)
            WHERE uploaded_by = \(bind: usuario) AND step_id IS NULL AND id IN (
            """
        for (i, id) in Set(ids).sorted().enumerated() {
            sql.appendInterpolation((i == 0 ? "\(bind: id)" : ", \(bind: id)") as SQLQueryString)
        }
        sql.appendInterpolation(") RETURNING id" as SQLQueryString)
        let bound = try await db.raw(sql).all().count
        guard bound == Set(ids).count else {
            throw APIError.invalid("Um dos anexos não está mais disponível (já usado ou expirado): anexe o arquivo de novo.")
        }
        try await IntegrationEvents.attachments(number, stepId: stepId, db: db)
    }

    /// The attachments of a protocol by step id.
    static func attachments(of number: ProtocolNumber, db: any SQLDatabase) async throws -> [Int64: [AttachmentMeta]] {
        var out: [Int64: [AttachmentMeta]] = [:]
        for r in try await db.raw(
            """
            SELECT id, step_id, name, media_type, size FROM protocol_attachments WHERE number = \(bind: number.compact) ORDER BY id
            """
        ).all() {
            guard let meta = try meta(r) else { continue }
            out[try r.decode(column: "step_id", as: Int64.self), default: []].append(meta)
        }
        return out
    }

    /// An attachment's file with whether its step is public, if it belongs to the protocol.
    func attachment(_ id: Int64, of number: ProtocolNumber) async throws -> (
        meta: AttachmentMeta, isPublic: Bool, stepAction: String, content: Data
    )? {
        try await store.read { db in
            guard
                let r = try await db.raw(
                    """
                    SELECT a.id, a.name, a.media_type, a.size, a.content, s.public, s.action FROM protocol_attachments a
                    JOIN protocol_steps s ON s.id = a.step_id WHERE a.id = \(bind: id) AND a.number = \(bind: number.compact)
                    """
                ).first(),
                let meta = try Self.meta(r)
            else { return nil }
            return (
                meta, try r.decode(column: "public", as: Int.self) != 0, try r.decode(column: "action", as: String.self),
                try r.decode(column: "content", as: Data.self)
            )
        }
    }

    private static func meta(id: Int64, db: any SQLDatabase) async throws -> AttachmentMeta? {
        try await db.raw("SELECT id, name, media_type, size FROM protocol_attachments WHERE id = \(bind: id)").first().flatMap(meta)
    }

    private static func meta(_ r: any SQLRow) throws -> AttachmentMeta? {
        guard let kind = AttachmentKind(rawValue: try r.decode(column: "media_type", as: String.self)) else { return nil }
        return AttachmentMeta(
            id: try r.decode(column: "id", as: Int64.self), name: try r.decode(column: "name", as: String.self), kind: kind,
            size: try r.decode(column: "size", as: Int64.self))
    }
}
