import Domain
import Foundation
import SQLKit

/// What the utility's service-management system hears of the agência's protocols (issue 31,
/// DECISIONS 94): an event row written in the same transaction as the change it tells of — never
/// lost, never told of a change that rolled back. Public steps only: a private dispatch, a receipt,
/// an edit and every staff name stay inside.
///
/// Rows are written with their order of writing (`seq`) and no public id; `publish` gives the
/// committed ones their ids, one publisher at a time, so that the feed's ids only grow: a reader
/// that has read up to an id never sees a smaller one appear after (a write's own sequence number
/// cannot promise that on PostgreSQL, where a later number may commit first).
enum IntegrationEvents {
    enum Kind: String, CaseIterable, Sendable {
        case criado = "protocolo.criado"
        case andamento = "protocolo.andamento"
        case concluido = "protocolo.concluido"
        case reaberto = "protocolo.reaberto"
        case anexo = "protocolo.anexo"
    }

    /// The event a step makes, if any: public steps that say something. A receipt ("recebido")
    /// and an edit (type, subject, deadline, with their old values) are the unit's own business.
    static func kind(action: String, situation: ProtocolSituation, isPublic: Bool) -> Kind? {
        guard isPublic else { return nil }
        switch action {
        case "open": return .criado
        case "conclude": return .concluido
        case "source": return situation == .concluido ? .concluido : .andamento
        case "reopen": return .reaberto
        case "receive", "edit": return nil
        default: return .andamento
        }
    }

    /// The body of an event, as sent (documented in `openapi.yaml`, `EventoIntegracao`). The
    /// public id and the type ride beside it, in the feed and in the webhook's headers.
    struct Body: Codable, Sendable, Equatable {
        var tipo: String
        /// The agência's protocol number, "2026/000123".
        var protocolo: String
        /// 1, 2, 3… within the protocol: a receiver applies them in this order.
        var sequencia: Int
        var em: String
        var situacao: String
        var unidade: String
        var texto: String?
        /// The source system that posted the step (its key's name): a system may ignore its own.
        var origem: String?
        /// What was asked, with the event that opens the protocol.
        var solicitacao: Request?
        /// The files a public step added (their metadata).
        var anexos: [Attachment]?
    }

    struct Request: Codable, Sendable, Equatable {
        var tipo: String
        var assunto: String
        var descricao: String
        var canal: String
        var matricula: String?
        var prazo: String?
        var ouvidoria: Bool
        /// Absent for an ouvidoria manifestation: its requester's identity is restricted to the
        /// ouvidoria (Lei 13.460/2017, art. 10 § 7); the matrícula and the text say what to do.
        var solicitante: Requester?
    }

    struct Requester: Codable, Sendable, Equatable {
        var tipo: String
        var documento: String
        var nome: String
        var telefone: String?
        var email: String?
    }

    struct Attachment: Codable, Sendable, Equatable {
        var id: Int64
        var nome: String
        var tipo: String
        var bytes: Int64
    }

    static func time(_ t: Int64) throws -> String { try RFC3339Transcoder().encode(Date(timeIntervalSince1970: TimeInterval(t))) }

    /// Records the event of a step just inserted, in the step's transaction.
    static func step(
        _ number: ProtocolNumber, action: String, situation: ProtocolSituation, isPublic: Bool, text: String?, source: String?, at: Int64,
        db: any SQLDatabase
    ) async throws {
        guard let kind = kind(action: action, situation: situation, isPublic: isPublic) else { return }
        guard
            let p = try await db.raw(
                """
                SELECT type_code, subject, body, situation, unit, requester_kind, requester_document, requester_name, matricula, phone,
                  email, channel, deadline_at, ouvidoria
                FROM protocols WHERE number = \(bind: number.compact)
                """
            ).first()
        else { throw StorageError.corrupt("integration event: protocol \(number.compact) not found") }
        var body = Body(
            tipo: kind.rawValue, protocolo: number.formatted, sequencia: 0, em: try time(at),
            situacao: try p.decode(column: "situation", as: String.self), unidade: try p.decode(column: "unit", as: String.self),
            texto: kind == .criado ? nil : text, origem: source)
        if kind == .criado {
            let ouvidoria = try p.decode(column: "ouvidoria", as: Int.self) != 0
            body.solicitacao = Request(
                tipo: try p.decode(column: "type_code", as: String.self), assunto: try p.decode(column: "subject", as: String.self),
                descricao: try p.decode(column: "body", as: String.self), canal: try p.decode(column: "channel", as: String.self),
                matricula: try p.decode(column: "matricula", as: String?.self),
                prazo: try p.decode(column: "deadline_at", as: Int64?.self).map(time), ouvidoria: ouvidoria,
                solicitante: ouvidoria
                    ? nil
                    : Requester(
                        tipo: try p.decode(column: "requester_kind", as: String.self),
                        documento: try p.decode(column: "requester_document", as: String.self),
                        nome: try p.decode(column: "requester_name", as: String.self),
                        telefone: try p.decode(column: "phone", as: String?.self), email: try p.decode(column: "email", as: String?.self)))
        }
        try await insert(body, number: number, at: at, db: db)
    }

    /// Records the files bound to a public step, in the step's transaction.
    static func attachments(_ number: ProtocolNumber, stepId: Int64, db: any SQLDatabase) async throws {
        guard
            let step = try await db.raw("SELECT at, public FROM protocol_steps WHERE id = \(bind: stepId)").first(),
            try step.decode(column: "public", as: Int.self) != 0
        else { return }
        let files = try await db.raw(
            "SELECT id, name, media_type, size FROM protocol_attachments WHERE step_id = \(bind: stepId) ORDER BY id"
        ).all().map {
            Attachment(
                id: try $0.decode(column: "id", as: Int64.self), nome: try $0.decode(column: "name", as: String.self),
                tipo: try $0.decode(column: "media_type", as: String.self), bytes: try $0.decode(column: "size", as: Int64.self))
        }
        guard !files.isEmpty,
            let p = try await db.raw("SELECT situation, unit FROM protocols WHERE number = \(bind: number.compact)").first()
        else { return }
        let at = try step.decode(column: "at", as: Int64.self)
        let body = Body(
            tipo: Kind.anexo.rawValue, protocolo: number.formatted, sequencia: 0, em: try time(at),
            situacao: try p.decode(column: "situation", as: String.self), unidade: try p.decode(column: "unit", as: String.self),
            anexos: files)
        try await insert(body, number: number, at: at, db: db)
    }

    /// The event row, with the protocol's next sequence (the protocol's writes are serialized: its
    /// row is locked by the step, or new).
    static func insert(_ body: Body, number: ProtocolNumber, at: Int64, db: any SQLDatabase) async throws {
        var body = body
        body.sequencia =
            try await db.raw(
                "SELECT COALESCE(MAX(protocol_seq), 0) + 1 AS n FROM integration_events WHERE protocol = \(bind: number.compact)"
            ).first()?.decode(column: "n", as: Int.self) ?? 1
        let json = String(decoding: try encode(body), as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO integration_events (protocol, protocol_seq, type, body, created_at)
            VALUES (\(bind: number.compact), \(bind: body.sequencia), \(bind: body.tipo), \(bind: json), \(bind: at))
            """
        ).run()
    }

    /// An event's body as stored, served and signed: sorted keys, UTF-8.
    static func encode(_ body: Body) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(body)
    }

    /// Records that the events `from...to` reached a source system (the first time only): a
    /// request's opening sent is what its screens call "enviada à concessionária".
    static func markSent(from: Int64, to: Int64, now: Int64, store: any Store) async throws {
        try await store.write { db in
            try await db.raw(
                """
                UPDATE integration_events SET sent_at = \(bind: now)
                WHERE id BETWEEN \(bind: from) AND \(bind: to) AND sent_at IS NULL AND protocol_seq = 1
                """
            ).run()
        }
    }

    /// Gives the events committed so far their public ids, in the order they were written (at most
    /// `limit` a call); returns how many. One publisher at a time: on PostgreSQL an advisory lock
    /// held to the commit, on SQLite its one writer.
    @discardableResult
    static func publish(_ store: any Store, limit: Int = 5_000) async throws -> Int {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            if postgres { try await db.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(publisherLock)))").run() }
            let pending = try await db.raw(
                "SELECT seq FROM integration_events WHERE id IS NULL ORDER BY seq LIMIT \(unsafeRaw: String(limit))"
            ).all().map { try $0.decode(column: "seq", as: Int64.self) }
            guard !pending.isEmpty else { return 0 }
            let last =
                try await db.raw("SELECT COALESCE(MAX(id), 0) AS m FROM integration_events").first()?.decode(column: "m", as: Int64.self) ?? 0
            try await BulkTable.update(
                db, "integration_events", keys: ["seq"], columns: ["id"],
                pending.enumerated().map { [$0.element, last + Int64($0.offset) + 1] })
            return pending.count
        }
    }

    /// The advisory lock of `publish` on PostgreSQL.
    static let publisherLock = 310_031

    /// An event as the feed gives it.
    struct Published: Sendable, Equatable {
        var id: Int64
        var type: String
        var body: Body
    }

    /// The published events after `after`, in id order.
    static func after(_ after: Int64, limit: Int, db: any SQLDatabase) async throws -> [Published] {
        try await db.raw(
            """
            SELECT id, type, body FROM integration_events WHERE id > \(bind: after) ORDER BY id LIMIT \(unsafeRaw: String(limit))
            """
        ).all().map {
            Published(
                id: try $0.decode(column: "id", as: Int64.self), type: try $0.decode(column: "type", as: String.self),
                body: try JSONDecoder().decode(Body.self, from: Data(try $0.decode(column: "body", as: String.self).utf8)))
        }
    }
}
