import Domain
import Foundation
import SQLKit

/// Protocols (issue 11): the units and types catalogue, gap-free numbers per year and the
/// protocols with their steps. Served by the primary keys, `protocols_queue`,
/// `protocols_requester`, `protocols_matricula` and `protocol_steps_number`.
struct ProtocolRepository: Sendable {
    let store: any Store

    // MARK: Catalogue

    /// Adds or replaces units and types (types after units, in one transaction: all or nothing).
    func storeCatalogue(units: [Unit], types: [ProtocolType], now: Int64) async throws {
        try await store.write { db in
            for u in units {
                try await db.raw(
                    """
                    INSERT INTO units (code, name, active) VALUES (\(bind: u.code), \(bind: u.name), 1)
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, active = 1
                    """
                ).run()
            }
            for t in types {
                try await db.raw(
                    """
                    INSERT INTO protocol_types (code, name, description, default_unit, deadline_days, public, active, imported_at)
                    VALUES (\(bind: t.code), \(bind: t.name), \(bind: t.description), \(bind: t.defaultUnit), \(bind: t.deadlineDays),
                            \(bind: t.isPublic ? 1 : 0), 1, \(bind: now))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description,
                      default_unit = excluded.default_unit, deadline_days = excluded.deadline_days, public = excluded.public,
                      active = 1, imported_at = excluded.imported_at
                    """
                ).run()
            }
        }
    }

    func units() async throws -> [Unit] {
        try await store.read { db in
            try await db.raw("SELECT code, name FROM units WHERE active = 1 ORDER BY name").all().map {
                Unit(code: try $0.decode(column: "code", as: String.self), name: try $0.decode(column: "name", as: String.self))
            }
        }
    }

    /// The units' names by code.
    func unitNames() async throws -> [String: String] {
        Dictionary(try await units().map { ($0.code, $0.name) }) { a, _ in a }
    }

    func types() async throws -> [ProtocolType] {
        try await store.read { db in
            try await db.raw(
                "SELECT code, name, description, default_unit, deadline_days, public FROM protocol_types WHERE active = 1 ORDER BY name"
            ).all().map {
                ProtocolType(
                    code: try $0.decode(column: "code", as: String.self), name: try $0.decode(column: "name", as: String.self),
                    description: try $0.decode(column: "description", as: String.self),
                    defaultUnit: try $0.decode(column: "default_unit", as: String.self),
                    deadlineDays: try $0.decode(column: "deadline_days", as: Int?.self),
                    isPublic: try $0.decode(column: "public", as: Int.self) != 0)
            }
        }
    }
}

/// A protocol's requester: the customer on screen, a supplier, or anyone else.
struct Requester: Sendable, Equatable {
    enum Kind: String, Sendable { case cliente, fornecedor, outro }
    var kind: Kind
    /// Normalised CPF/CNPJ.
    var documento: String
    var nome: String
    var matricula: String?
    var telefone: String?
    var email: String?
}

/// How a protocol came in.
enum ProtocolChannel: String, Sendable { case kiosk, counter, staff }

/// A protocol as stored, with its steps oldest first.
struct ProtocolRecord: Sendable {
    struct Step: Sendable {
        var id: Int64
        var at: Int64
        var action: String
        var situation: ProtocolSituation
        var fromUnit: String?
        var toUnit: String?
        var text: String?
        var isPublic: Bool
        var staff: String?
        var detail: String?
        var attachments: [AttachmentMeta]
        /// The source system that posted the step (its key's name), if one did.
        var source: String? = nil
    }

    /// The request in the utility's service-management system (issue 31).
    struct SourceLink: Sendable, Equatable {
        var sentAt: Int64
        var name: String?
        var id: String?
        var number: String?
        var confirmedAt: Int64?
        var expectedOn: CivilDate?
    }

    var number: ProtocolNumber
    var typeCode: String
    var subject: String
    var body: String
    var situation: ProtocolSituation
    var unit: String
    var requester: Requester
    var channel: ProtocolChannel
    var openedAt: Int64
    var openedBy: String?
    var deadlineAt: Int64?
    /// An ouvidoria manifestation: its deadline is the law's, extended `extensions` times (≤ 1);
    /// an anonymous one is consulted with the secret whose hash is kept.
    var ouvidoria: Bool
    var extensions: Int
    var secretHash: String?
    /// The requester's identity as typed, proven by no session and by no attendant (issue 27): it
    /// attaches the protocol to no person's and no property's records.
    var identityDeclared = false
    var steps: [Step]
    /// Present once the request reached the source system.
    var source: SourceLink? = nil
}

/// What a new protocol carries before it has a number.
struct ProtocolDraft: Sendable {
    var typeCode: String
    var subject: String
    var body: String
    var unit: String
    var requester: Requester
    var channel: ProtocolChannel
    var openedBy: String?
    var deadlineAt: Int64?
    /// Uploaded files the opening carries.
    var attachments: [Int64] = []
    /// An ouvidoria manifestation, and an anonymous one's secret (hashed).
    var ouvidoria = false
    var secretHash: String?
    /// The requester as typed, not proven (`ProtocolRecord.identityDeclared`).
    var identityDeclared = false
}

extension ProtocolRepository {
    /// Creates the protocol with the next number of `year`, taken from the year's counter row in
    /// the same transaction (a rolled-back creation takes no number; concurrent ones wait for the
    /// row), or replays the one created under the same idempotency key.
    func create(_ d: ProtocolDraft, year: Int, claim: IdempotencyClaim, now: Int64) async throws -> (ProtocolNumber, replayed: Bool) {
        try await store.write { db in
            if case .replay(let compact) = try await Idempotency.claim(claim, db: db, now: now) {
                guard let n = ProtocolNumber(parsing: String(compact)) else { throw StorageError.corrupt("protocol key \(compact)") }
                return (n, true)
            }
            let number = try await Self.insert(d, year: year, now: now, db: db)
            guard let key = Int64(number.compact) else { throw StorageError.corrupt("protocol number") }
            try await Idempotency.complete(claim, resource: key, db: db)
            return (number, false)
        }
    }

    /// Inserts the protocol with the next number of `year` and its opening step, inside the
    /// caller's transaction (the number rolls back with it).
    static func insert(_ d: ProtocolDraft, year: Int, now: Int64, db: any SQLDatabase) async throws -> ProtocolNumber {
        guard
            let row = try await db.raw(
                """
                INSERT INTO protocol_counters (year, last) VALUES (\(bind: year), 1)
                ON CONFLICT (year) DO UPDATE SET last = protocol_counters.last + 1 RETURNING last
                """
            ).first(),
            let number = ProtocolNumber(year: year, sequence: try row.decode(column: "last", as: Int.self))
        else { throw APIError.conflict("Os números de protocolo deste ano se esgotaram.") }
        let r = d.requester
        try await db.raw(
            """
            INSERT INTO protocols (number, year, seq, type_code, subject, body, situation, unit, requester_kind, requester_document,
              requester_name, matricula, phone, email, channel, opened_at, opened_by, deadline_at, updated_at, search)
            VALUES (\(bind: number.compact), \(bind: year), \(bind: number.sequence), \(bind: d.typeCode), \(bind: d.subject),
              \(bind: d.body), \(bind: ProtocolSituation.aberto.rawValue), \(bind: d.unit), \(bind: r.kind.rawValue), \(bind: r.documento),
              \(bind: r.nome), \(bind: r.matricula), \(bind: r.telefone), \(bind: r.email), \(bind: d.channel.rawValue), \(bind: now),
              \(bind: d.openedBy), \(bind: d.deadlineAt), \(bind: now),
              \(bind: Self.search(number, subject: d.subject, requester: r.nome)))
            """
        ).run()
        if d.ouvidoria || d.identityDeclared {
            try await db.raw(
                """
                UPDATE protocols SET ouvidoria = \(bind: d.ouvidoria ? 1 : 0), secret_hash = \(bind: d.secretHash),
                  identity_declared = \(bind: d.identityDeclared ? 1 : 0)
                WHERE number = \(bind: number.compact)
                """
            ).run()
        }
        let stepId = try await Self.insertStep(
            number, at: now, action: "open", situation: .aberto, fromUnit: nil, toUnit: d.unit, text: nil, isPublic: true,
            staff: d.openedBy, detail: nil, db: db)
        if let by = d.openedBy { try await Self.bind(d.attachments, number: number, stepId: stepId, by: by, db: db) }
        try await Self.recount(from: nil, to: (d.unit, .aberto), db: db)
        try await Self.tell(email: r.email, matricula: r.matricula, stepId: stepId, now: now, db: db)
        return number
    }

    func protocolRecord(_ number: ProtocolNumber) async throws -> ProtocolRecord? {
        try await store.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT type_code, subject, body, situation, unit, requester_kind, requester_document, requester_name, matricula, phone,
                      email, channel, opened_at, opened_by, deadline_at, ouvidoria, extensions, secret_hash, identity_declared,
                      source_name, source_id, source_number, source_confirmed_at, source_expected_on,
                      (SELECT sent_at FROM integration_events e WHERE e.protocol = p.number AND e.protocol_seq = 1) AS sent_at
                    FROM protocols p WHERE number = \(bind: number.compact)
                    """
                ).first()
            else { return nil }
            let files = try await Self.attachments(of: number, db: db)
            let steps = try await db.raw(
                """
                SELECT id, at, action, situation, from_unit, to_unit, text, public, staff_usuario, detail, source FROM protocol_steps
                WHERE number = \(bind: number.compact) ORDER BY id
                """
            ).all().map { s in
                let id = try s.decode(column: "id", as: Int64.self)
                return ProtocolRecord.Step(
                    id: id, at: try s.decode(column: "at", as: Int64.self), action: try s.decode(column: "action", as: String.self),
                    situation: try Self.situation(s), fromUnit: try s.decode(column: "from_unit", as: String?.self),
                    toUnit: try s.decode(column: "to_unit", as: String?.self), text: try s.decode(column: "text", as: String?.self),
                    isPublic: try s.decode(column: "public", as: Int.self) != 0,
                    staff: try s.decode(column: "staff_usuario", as: String?.self),
                    detail: try s.decode(column: "detail", as: String?.self),
                    attachments: files[id] ?? [], source: try s.decode(column: "source", as: String?.self))
            }
            let kind = try row.decode(column: "requester_kind", as: String.self)
            let channel = try row.decode(column: "channel", as: String.self)
            guard let k = Requester.Kind(rawValue: kind), let c = ProtocolChannel(rawValue: channel) else {
                throw StorageError.corrupt("protocol \(number) kind/channel")
            }
            return ProtocolRecord(
                number: number, typeCode: try row.decode(column: "type_code", as: String.self),
                subject: try row.decode(column: "subject", as: String.self), body: try row.decode(column: "body", as: String.self),
                situation: try Self.situation(row), unit: try row.decode(column: "unit", as: String.self),
                requester: Requester(
                    kind: k, documento: try row.decode(column: "requester_document", as: String.self),
                    nome: try row.decode(column: "requester_name", as: String.self),
                    matricula: try row.decode(column: "matricula", as: String?.self),
                    telefone: try row.decode(column: "phone", as: String?.self), email: try row.decode(column: "email", as: String?.self)),
                channel: c, openedAt: try row.decode(column: "opened_at", as: Int64.self),
                openedBy: try row.decode(column: "opened_by", as: String?.self),
                deadlineAt: try row.decode(column: "deadline_at", as: Int64?.self),
                ouvidoria: try row.decode(column: "ouvidoria", as: Int.self) != 0,
                extensions: try row.decode(column: "extensions", as: Int.self),
                secretHash: try row.decode(column: "secret_hash", as: String?.self),
                identityDeclared: try row.decode(column: "identity_declared", as: Int.self) != 0,
                steps: steps,
                source: try row.decode(column: "sent_at", as: Int64?.self).map {
                    ProtocolRecord.SourceLink(
                        sentAt: $0, name: try row.decode(column: "source_name", as: String?.self),
                        id: try row.decode(column: "source_id", as: String?.self),
                        number: try row.decode(column: "source_number", as: String?.self),
                        confirmedAt: try row.decode(column: "source_confirmed_at", as: Int64?.self),
                        expectedOn: try row.decode(column: "source_expected_on", as: String?.self).flatMap(CivilDate.init(iso:)))
                })
        }
    }

    /// Protocols of a property, and of a requester's CPF/CNPJ when given, newest first — never
    /// one whose requester was only declared, and never the ouvidoria's manifestations by the
    /// property they name (only by the complainant's own CPF/CNPJ) (issue 27).
    func list(matricula: String, documento: String?, limit: Int = 200) async throws -> [ProtocolBrief] {
        try await store.read { db in
            var sql: SQLQueryString = """
                SELECT \(unsafeRaw: Self.briefColumns) FROM protocols
                WHERE matricula = \(bind: matricula) AND ouvidoria = 0 AND identity_declared = 0
                """
            if let documento {
                sql.appendInterpolation(
                    """
                     UNION SELECT \(unsafeRaw: Self.briefColumns) FROM protocols
                    WHERE requester_document = \(bind: documento) AND identity_declared = 0
                    """ as SQLQueryString)
            }
            sql.appendInterpolation(" ORDER BY number DESC LIMIT \(literal: limit)" as SQLQueryString)
            return try await db.raw(sql).all().compactMap(Self.brief)
        }
    }

    static let briefColumns = "number, type_code, subject, situation, unit, opened_at, deadline_at, requester_name"

    static func brief(_ r: any SQLRow) throws -> ProtocolBrief? {
        guard let n = ProtocolNumber(parsing: try r.decode(column: "number", as: String.self)) else { return nil }
        return ProtocolBrief(
            number: n, typeCode: try r.decode(column: "type_code", as: String.self),
            subject: try r.decode(column: "subject", as: String.self),
            situation: try situation(r), unit: try r.decode(column: "unit", as: String.self),
            openedAt: try r.decode(column: "opened_at", as: Int64.self), deadlineAt: try r.decode(column: "deadline_at", as: Int64?.self),
            requesterName: try r.decode(column: "requester_name", as: String.self))
    }

    static func situation(_ row: any SQLRow) throws -> ProtocolSituation {
        let raw = try row.decode(column: "situation", as: String.self)
        guard let s = ProtocolSituation(rawValue: raw) else { throw StorageError.corrupt("protocol situation \(raw)") }
        return s
    }
}

/// A step a staff member asks for, checked against the protocol as it is inside the transaction.
struct StepDraft: Sendable {
    var action: ProtocolAction
    var staff: StaffMember
    var text: String?
    var isPublic: Bool
    var toUnit: String?
    /// Edit: the new values (nil: unchanged).
    var typeCode: String?
    var subject: String?
    var deadlineAt: Int64?
    /// Uploaded files the step carries (public or private with it).
    var attachments: [Int64] = []
    /// The utility's zone, for the dates an edit's detail shows.
    var timeZone = "America/Sao_Paulo"
    /// What the protocol may hold once the step's files are in it.
    var limits: AttachmentLimits? = nil
}

/// What a queue shows: a unit, optionally one situation (else the open ones), one type, and
/// words (each with the types and situations whose names it starts).
struct QueueFilter: Sendable {
    struct Word: Sendable {
        var term: String
        var types: [String] = []
        var situations: [ProtocolSituation] = []
    }
    var unit: String
    var situation: ProtocolSituation?
    var type: String?
    var words: [Word] = []
    /// Those not yet received first (the ouvidoria's queue: they raise an alert until received).
    var awaitingFirst = false
}

/// A protocol in a list or a queue: what a row shows.
struct ProtocolBrief: Sendable {
    var number: ProtocolNumber
    var typeCode: String
    var subject: String
    var situation: ProtocolSituation
    var unit: String
    var openedAt: Int64
    var deadlineAt: Int64?
    var requesterName: String
}

extension ProtocolRepository {
    /// Applies a step in one transaction: the protocol is read (and locked on PostgreSQL), the
    /// action checked against its situation and unit, the protocol updated and the step recorded
    /// — or the step recorded under the same idempotency key is replayed. Returns the refusal's
    /// message as an error; what an edit changed goes in the step's detail (old → new).
    func addStep(_ number: ProtocolNumber, _ d: StepDraft, claim: IdempotencyClaim, now: Int64) async throws -> Bool {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            if case .replay = try await Idempotency.claim(claim, db: db, now: now) { return true }
            guard
                let row = try await db.raw(
                    "SELECT situation, unit, type_code, subject, deadline_at, ouvidoria FROM protocols WHERE number = \(bind: number.compact)\(unsafeRaw: postgres ? " FOR UPDATE" : "")"
                ).first()
            else { throw APIError.protocolNotFound }
            let situation = try Self.situation(row)
            let unit = try row.decode(column: "unit", as: String.self)
            if let refusal = d.action.refusal(role: d.staff.role, staffUnit: d.staff.unit, situation: situation, protocolUnit: unit) {
                throw APIError(status: .conflict, code: "protocol_step_refused", message: refusal)
            }
            let next = d.action.situation(after: situation)
            var detail: [String] = []
            var newUnit = unit
            if d.action == .forward, let to = d.toUnit { newUnit = to }
            if d.action == .edit {
                let oldType = try row.decode(column: "type_code", as: String.self)
                let oldSubject = try row.decode(column: "subject", as: String.self)
                let oldDeadline = try row.decode(column: "deadline_at", as: Int64?.self)
                if let t = d.typeCode, t != oldType { detail.append("tipo: \(oldType) → \(t)") }
                if let s = d.subject, s != oldSubject { detail.append("assunto: \(oldSubject) → \(s)") }
                if let dl = d.deadlineAt, dl != oldDeadline {
                    // The law's deadline of a manifestation moves only by its one extension (issue 28.11).
                    guard try row.decode(column: "ouvidoria", as: Int.self) == 0 else {
                        throw APIError.invalid(
                            "O prazo de uma manifestação à Ouvidoria é o da lei: só muda pela prorrogação (uma vez, com o motivo).")
                    }
                    func shown(_ t: Int64) -> String {
                        let local = LocalCalendar.local(Date(timeIntervalSince1970: TimeInterval(t)), timeZone: d.timeZone)
                        return String(format: "%@ %02d:%02d", local.date.formatted, local.minute / 60, local.minute % 60)
                    }
                    detail.append("prazo: \(oldDeadline.map(shown) ?? "—") → \(shown(dl))")
                }
                guard !detail.isEmpty else { throw APIError.invalid("Nada foi alterado.") }
                let name = try await db.raw("SELECT requester_name FROM protocols WHERE number = \(bind: number.compact)").first()?
                    .decode(column: "requester_name", as: String.self)
                try await db.raw(
                    """
                    UPDATE protocols SET type_code = \(bind: d.typeCode ?? oldType), subject = \(bind: d.subject ?? oldSubject),
                      deadline_at = \(bind: d.deadlineAt ?? oldDeadline),
                      search = \(bind: Self.search(number, subject: d.subject ?? oldSubject, requester: name ?? ""))
                    WHERE number = \(bind: number.compact)
                    """
                ).run()
            }
            try await db.raw(
                """
                UPDATE protocols SET situation = \(bind: next.rawValue), unit = \(bind: newUnit), updated_at = \(bind: now)
                WHERE number = \(bind: number.compact)
                """
            ).run()
            try await Self.recount(from: (unit, situation), to: (newUnit, next), db: db)
            let stepId = try await Self.insertStep(
                number, at: now, action: d.action.rawValue, situation: next, fromUnit: unit, toUnit: newUnit == unit ? nil : newUnit,
                text: d.text, isPublic: d.isPublic, staff: d.staff.usuario, detail: detail.isEmpty ? nil : detail.joined(separator: "; "),
                db: db)
            try await Self.bind(d.attachments, number: number, stepId: stepId, by: d.staff.usuario, db: db)
            if let limits = d.limits, !d.attachments.isEmpty {
                let held = try await db.raw(
                    "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM protocol_attachments WHERE number = \(bind: number.compact)"
                ).first()
                if let refusal = limits.protocolRefusal(
                    count: Int(try held?.decode(column: "n", as: Int64.self) ?? 0),
                    bytes: Int(try held?.decode(column: "bytes", as: Int64.self) ?? 0))
                {
                    Telemetry.attachmentsRefused.increment()
                    throw APIError(status: .conflict, code: "attachment_quota", message: refusal)
                }
            }
            // The requester hears of public steps that say something: creation, public dispatches,
            // forwarding, conclusion, reopening (not a receipt or an edit).
            if d.isPublic, d.action != .receive, d.action != .edit {
                let requester = try await db.raw("SELECT matricula, email FROM protocols WHERE number = \(bind: number.compact)").first()
                try await Self.tell(
                    email: try requester?.decode(column: "email", as: String?.self),
                    matricula: try requester?.decode(column: "matricula", as: String?.self), stepId: stepId, now: now, db: db)
            }
            guard let key = Int64(number.compact) else { throw StorageError.corrupt("protocol number") }
            try await Idempotency.complete(claim, resource: key, db: db)
            return false
        }
    }

    /// A unit's queue, oldest first: one page of it and how many match. The open ones come from
    /// `protocols_open_queue` in order (the concluded ones behind them are never read), one
    /// situation from `protocols_queue`. Each word of a filter must start a word of the number,
    /// subject or requester (accents aside), or name the type or the situation.
    func queue(_ f: QueueFilter, offset: Int, limit: Int) async throws -> (items: [ProtocolBrief], total: Int?) {
        let order =
            f.awaitingFirst
            ? " ORDER BY CASE WHEN situation IN ('aberto', 'reaberto') THEN 0 ELSE 1 END, opened_at, number"
            : " ORDER BY opened_at, number"
        return try await store.read { db -> (items: [ProtocolBrief], total: Int?) in
            var conditions: SQLQueryString = "unit = \(bind: f.unit)"
            if let situation = f.situation {
                conditions.appendInterpolation(" AND situation = \(bind: situation.rawValue)" as SQLQueryString)
            } else {
                // Literal, so the partial index's condition is recognised.
                conditions.appendInterpolation(" AND situation <> 'concluido'" as SQLQueryString)
            }
            if let type = f.type { conditions.appendInterpolation(" AND type_code = \(bind: type)" as SQLQueryString) }
            for w in f.words {
                conditions.appendInterpolation(" AND (search LIKE \(bind: "% \(w.term)%")" as SQLQueryString)
                for t in w.types { conditions.appendInterpolation(" OR type_code = \(bind: t)" as SQLQueryString) }
                for s in w.situations { conditions.appendInterpolation(" OR situation = \(bind: s.rawValue)" as SQLQueryString) }
                conditions.appendInterpolation(")" as SQLQueryString)
            }
            var sql: SQLQueryString = "SELECT \(unsafeRaw: Self.briefColumns) FROM protocols WHERE "
            sql.appendInterpolation(conditions)
            sql.appendInterpolation("\(unsafeRaw: order) LIMIT \(literal: limit) OFFSET \(literal: offset)" as SQLQueryString)
            let items = try await db.raw(sql).all().compactMap(Self.brief)
            // Unfiltered, the counts by situation already say how many.
            guard f.type != nil || !f.words.isEmpty else { return (items, nil) }
            var count: SQLQueryString = "SELECT COUNT(*) AS n FROM protocols WHERE "
            count.appendInterpolation(conditions)
            let total = try await db.raw(count).first()?.decode(column: "n", as: Int64.self) ?? 0
            return (items, Int(total))
        }
    }

    /// The words a queue filter matches: ` 2026000123 2026 000123 123 CONSUMO ALTO MARIA SILVA `.
    static func search(_ number: ProtocolNumber, subject: String, requester: String) -> String {
        let words =
            ["\(number.compact)", "\(number.year)", String(number.formatted.suffix(6)), "\(number.sequence)"]
            + SearchText.terms(subject) + SearchText.terms(requester)
        return " " + words.joined(separator: " ") + " "
    }

    /// How many protocols of the unit are in each open situation (`protocol_queue_counts`).
    func counts(unit: String) async throws -> [String: Int] {
        try await store.read { db in
            var out: [String: Int] = [:]
            for r in try await db.raw("SELECT situation, n FROM protocol_queue_counts WHERE unit = \(bind: unit) AND n > 0").all() {
                out[try r.decode(column: "situation", as: String.self)] = Int(try r.decode(column: "n", as: Int64.self))
            }
            return out
        }
    }

    /// Moves one protocol between (unit, situation) counts inside its transaction; concluded
    /// ones are not counted. Rows are touched in key order, so two moves never wait on each
    /// other in a cycle (PostgreSQL row locks).
    static func recount(
        from: (unit: String, situation: ProtocolSituation)?, to: (unit: String, situation: ProtocolSituation), db: any SQLDatabase
    )
        async throws
    {
        if let from, from.unit == to.unit, from.situation == to.situation { return }
        var changes: [(String, String, Int)] = []
        if let from, from.situation != .concluido { changes.append((from.unit, from.situation.rawValue, -1)) }
        if to.situation != .concluido { changes.append((to.unit, to.situation.rawValue, 1)) }
        for (unit, situation, delta) in changes.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            try await db.raw(
                """
                INSERT INTO protocol_queue_counts (unit, situation, n) VALUES (\(bind: unit), \(bind: situation), \(bind: delta))
                ON CONFLICT (unit, situation) DO UPDATE SET n = protocol_queue_counts.n + \(bind: delta)
                """
            ).run()
        }
    }

    static func insertStep(
        _ number: ProtocolNumber, at: Int64, action: String, situation: ProtocolSituation, fromUnit: String?, toUnit: String?,
        text: String?, isPublic: Bool, staff: String?, detail: String?, source: String? = nil, db: any SQLDatabase
    ) async throws -> Int64 {
        guard
            let row = try await db.raw(
                """
                INSERT INTO protocol_steps (number, at, action, situation, from_unit, to_unit, text, public, staff_usuario, detail, source)
                VALUES (\(bind: number.compact), \(bind: at), \(bind: action), \(bind: situation.rawValue), \(bind: fromUnit), \(bind: toUnit),
                        \(bind: text), \(bind: isPublic ? 1 : 0), \(bind: staff), \(bind: detail), \(bind: source)) RETURNING id
                """
            ).first()
        else { throw StorageError.corrupt("protocol_steps: no id returned") }
        // What the utility's service-management system hears of it, in the same transaction.
        try await IntegrationEvents.step(number, action: action, situation: situation, isPublic: isPublic, text: text, source: source, at: at, db: db)
        return try row.decode(column: "id", as: Int64.self)
    }

    /// Queues the requester's e-mail about a step, in the step's transaction.
    static func tell(email: String?, matricula: String?, stepId: Int64, now: Int64, db: any SQLDatabase) async throws {
        guard let email else { return }
        try await OutboxRepository.enqueue(
            matricula: matricula ?? "", recipient: email, document: .protocolStep, documentId: stepId, requestedBy: nil, now: now, db: db)
    }

    /// The protocol and the index of the step with this id, if any.
    func step(id: Int64) async throws -> (ProtocolNumber, Int)? {
        let number = try await store.read { db in
            try await db.raw("SELECT number FROM protocol_steps WHERE id = \(bind: id)").first()?.decode(column: "number", as: String.self)
        }
        guard let number, let n = ProtocolNumber(parsing: number) else { return nil }
        let ids = try await store.read { db in
            try await db.raw("SELECT id FROM protocol_steps WHERE number = \(bind: number) ORDER BY id").all().map {
                try $0.decode(column: "id", as: Int64.self)
            }
        }
        return ids.firstIndex(of: id).map { (n, $0) }
    }
}
