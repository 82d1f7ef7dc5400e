import Domain
import Foundation
import SQLKit

/// The service catalogue as a file (`agencia-server service-types import`): CSV like the
/// protocol types, one row per service, `,` or `;`:
///
///     codigo,nome,descricao,unidade,prazo_dias,prazo_horas_uteis,taxa,cobranca,campos,situacoes,motivo,sem_vencidas,exige_imovel
///     religacao,Religação,Religa a água de uma ligação cortada.,operacao,,24,"35,00",documento,telefone*:Telefone,cortada,
///       A religação é para ligações cortadas.,sim,sim
///
/// One of `prazo_dias`, `prazo_horas_uteis`; `taxa` in reais (empty: none) with `cobranca`
/// `documento` or `proxima_conta`; `campos` the form (`chave*:Rótulo|…`, `*` required);
/// `situacoes` the connection situations that may ask (`cortada|suprimida`; empty: any) and
/// `motivo` what the others are told; `sem_vencidas`: only without overdue bills (or with a
/// statement issued today); `exige_imovel`: `não` for a new connection. An optional column
/// `documentos` says what to show or hand in and where (a kiosk attaches nothing).
enum ServiceCatalogue {
    static let columns = [
        "codigo", "nome", "descricao", "unidade", "prazo_dias", "prazo_horas_uteis", "taxa", "cobranca", "campos", "situacoes", "motivo",
        "sem_vencidas", "exige_imovel",
    ]

    static func types(_ text: String, units: Set<String>) throws -> [ServiceType] {
        try ProtocolCatalogue.rows(text, columns: columns, optional: ["documentos"]) { field in
            let unit = field("unidade")
            guard units.contains(unit) else { throw RowProblem(message: "unidade \"\(unit)\" não cadastrada") }
            let days = field("prazo_dias")
            let hours = field("prazo_horas_uteis")
            let deadline: ServiceType.Deadline
            switch (Int(days), Int(hours)) {
            case (let d?, nil) where hours.isEmpty && (1...365).contains(d): deadline = .days(d)
            case (nil, let h?) where days.isEmpty && (1...1000).contains(h): deadline = .businessHours(h)
            default: throw RowProblem(message: "informe prazo_dias (1 a 365) ou prazo_horas_uteis (1 a 1000), um dos dois")
            }
            var fee: Int?
            if !field("taxa").isEmpty {
                guard let m = Money(parsing: field("taxa")), m.cents > 0 else {
                    throw RowProblem(message: "taxa \"\(field("taxa"))\" não é um valor em reais (ex.: 35,00)")
                }
                fee = Int(m.cents)
            }
            guard let feeOn = ServiceType.FeeCollection(rawValue: field("cobranca").isEmpty ? "documento" : field("cobranca")) else {
                throw RowProblem(message: "cobranca \"\(field("cobranca"))\" deve ser documento ou proxima_conta")
            }
            let fields: [ServiceType.Field]
            switch ServiceType.Field.list(field("campos")) {
            case .success(let f): fields = f
            case .failure(let p): throw RowProblem(message: p.message)
            }
            var situations: Set<SituacaoLigacao>?
            if !field("situacoes").isEmpty {
                var set = Set<SituacaoLigacao>()
                for s in field("situacoes").split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard let v = SituacaoLigacao(rawValue: s) else {
                        throw RowProblem(message: "situação \"\(s)\" desconhecida (ativa, cortada, suprimida, factivel)")
                    }
                    set.insert(v)
                }
                situations = set
                guard !field("motivo").isEmpty else { throw RowProblem(message: "motivo vazio: diga às outras situações por que não") }
            }
            return ServiceType(
                code: try ProtocolCatalogue.code(field("codigo")), name: try ProtocolCatalogue.required(field("nome"), "nome"),
                description: try ProtocolCatalogue.required(field("descricao"), "descricao"), unit: unit, deadline: deadline, feeCents: fee,
                feeOn: feeOn, fields: fields, situations: situations, situationReason: field("motivo"),
                requiresNoOverdue: try yes(field("sem_vencidas"), "sem_vencidas"),
                needsProperty: try yes(field("exige_imovel"), "exige_imovel"),
                documents: field("documentos").isEmpty ? nil : field("documentos"))
        }
    }

    private static func yes(_ value: String, _ name: String) throws -> Bool {
        switch value.lowercased() {
        case "sim", "s": return true
        case "não", "nao", "n": return false
        default: throw RowProblem(message: "\(name) \"\(value)\" deve ser sim ou não")
        }
    }
}

/// A service request's fee as charged: on a payable document issued with the request (due date,
/// barcode and PIX stored), or waiting for the property's next bill.
struct ServiceFee: Sendable {
    var id: Int64
    var protocolNumber: ProtocolNumber
    var matricula: String
    var typeCode: String
    /// The service's name.
    var description: String
    var amount: Money
    var collection: ServiceType.FeeCollection
    var issuedOn: CivilDate
    /// The document's due date and codes (`documento` only).
    var due: CivilDate?
    var barcode: String?
    var pix: String?
    /// Who pays and where, as issued, for a request with no property (ligação nova).
    var payer: Payer?

    struct Payer: Sendable {
        var name: String
        var documento: String
        var address: String
    }

    /// What a new request's fee is, before its id is known; `codes` makes the document's
    /// barcode and PIX from the id.
    struct Draft: Sendable {
        var amount: Money
        var collection: ServiceType.FeeCollection
        var description: String
        var issuedOn: CivilDate
        var due: CivilDate?
        var payer: Payer?
        var codes: @Sendable (Int64) throws -> (barcode: String, pix: String)
    }
}

/// Service requests (issue 12): the catalogue and the requests, which are protocols of the
/// service kind. Served by the primary keys, `protocols_pending` and `service_fees_matricula`.
struct ServiceRepository: Sendable {
    let store: any Store

    /// Adds or replaces services; each is also a public protocol type (name, description, unit).
    func store(_ types: [ServiceType], now: Int64) async throws {
        try await store.write { db in
            for t in types {
                var days: Int?
                if case .days(let d) = t.deadline { days = d }
                var hours: Int?
                if case .businessHours(let h) = t.deadline { hours = h }
                try await db.raw(
                    """
                    INSERT INTO protocol_types (code, name, description, default_unit, deadline_days, public, active, imported_at)
                    VALUES (\(bind: t.code), \(bind: t.name), \(bind: t.description), \(bind: t.unit), \(bind: days), 1, 1, \(bind: now))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description,
                      default_unit = excluded.default_unit, deadline_days = excluded.deadline_days, public = 1, active = 1,
                      imported_at = excluded.imported_at
                    """
                ).run()
                let situations = t.situations.map { $0.map(\.rawValue).sorted().joined(separator: "|") } ?? ""
                try await db.raw(
                    """
                    INSERT INTO service_types (code, deadline_days, deadline_hours, fee_cents, fee_on, fields, situations, situation_reason,
                      no_overdue, needs_property, documents, active)
                    VALUES (\(bind: t.code), \(bind: days), \(bind: hours), \(bind: t.feeCents), \(bind: t.feeOn.rawValue),
                      \(bind: ServiceType.Field.text(t.fields)), \(bind: situations), \(bind: t.situationReason),
                      \(bind: t.requiresNoOverdue ? 1 : 0), \(bind: t.needsProperty ? 1 : 0), \(bind: t.documents), 1)
                    ON CONFLICT (code) DO UPDATE SET deadline_days = excluded.deadline_days, deadline_hours = excluded.deadline_hours,
                      fee_cents = excluded.fee_cents, fee_on = excluded.fee_on, fields = excluded.fields, situations = excluded.situations,
                      situation_reason = excluded.situation_reason, no_overdue = excluded.no_overdue,
                      needs_property = excluded.needs_property, documents = excluded.documents, active = 1
                    """
                ).run()
            }
        }
    }

    /// The active services, by name.
    func types() async throws -> [ServiceType] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT s.code, t.name, t.description, t.default_unit, s.deadline_days, s.deadline_hours, s.fee_cents, s.fee_on, s.fields,
                  s.situations, s.situation_reason, s.no_overdue, s.needs_property, s.documents
                FROM service_types s JOIN protocol_types t ON t.code = s.code WHERE s.active = 1 AND t.active = 1 ORDER BY t.name
                """
            ).all().compactMap(Self.type)
        }
    }

    private static func type(_ r: any SQLRow) throws -> ServiceType? {
        let deadline: ServiceType.Deadline
        if let d = try r.decode(column: "deadline_days", as: Int?.self) {
            deadline = .days(d)
        } else if let h = try r.decode(column: "deadline_hours", as: Int?.self) {
            deadline = .businessHours(h)
        } else {
            return nil
        }
        guard case .success(let fields) = ServiceType.Field.list(try r.decode(column: "fields", as: String.self)),
            let feeOn = ServiceType.FeeCollection(rawValue: try r.decode(column: "fee_on", as: String.self))
        else { throw StorageError.corrupt("service_types row") }
        let situations = try r.decode(column: "situations", as: String.self)
        return ServiceType(
            code: try r.decode(column: "code", as: String.self), name: try r.decode(column: "name", as: String.self),
            description: try r.decode(column: "description", as: String.self), unit: try r.decode(column: "default_unit", as: String.self),
            deadline: deadline, feeCents: try r.decode(column: "fee_cents", as: Int?.self), feeOn: feeOn, fields: fields,
            situations: situations.isEmpty
                ? nil : Set(situations.split(separator: "|").compactMap { SituacaoLigacao(rawValue: String($0)) }),
            situationReason: try r.decode(column: "situation_reason", as: String.self),
            requiresNoOverdue: try r.decode(column: "no_overdue", as: Int.self) != 0,
            needsProperty: try r.decode(column: "needs_property", as: Int.self) != 0,
            documents: try r.decode(column: "documents", as: String?.self))
    }

    /// The property's pending requests by type: number and when each is expected.
    func pending(_ matricula: String) async throws -> [String: (number: ProtocolNumber, expectedAt: Int64?)] {
        try await store.read { db in try await Self.pending(matricula, type: nil, db: db) }
    }

    /// A property's pending requests; with no property, a requester's for no property.
    private static func pending(
        _ matricula: String?, requester: String? = nil, type: String?, db: any SQLDatabase
    ) async throws -> [String: (number: ProtocolNumber, expectedAt: Int64?)] {
        var sql: SQLQueryString =
            if let matricula {
                """
                SELECT number, type_code, expected_at FROM protocols
                WHERE matricula = \(bind: matricula) AND situation <> 'concluido' AND service = 1
                """
            } else {
                """
                SELECT number, type_code, expected_at FROM protocols
                WHERE matricula IS NULL AND requester_document = \(bind: requester ?? "") AND situation <> 'concluido' AND service = 1
                """
            }
        if let type { sql.appendInterpolation(" AND type_code = \(bind: type)" as SQLQueryString) }
        var out: [String: (ProtocolNumber, Int64?)] = [:]
        for r in try await db.raw(sql).all() {
            guard let n = ProtocolNumber(parsing: try r.decode(column: "number", as: String.self)) else { continue }
            let code = try r.decode(column: "type_code", as: String.self)
            if let old = out[code], old.0 < n { continue }
            out[code] = (n, try r.decode(column: "expected_at", as: Int64?.self))
        }
        return out
    }

    /// Whether a payment statement issued `today`, still valid, covers every bill in `ids`.
    func statementToday(_ matricula: String, covering ids: Set<Int64>, today: CivilDate) async throws -> Bool {
        guard !ids.isEmpty else { return false }
        let covered = try await store.read { db in
            try await db.raw(
                """
                SELECT l.bill_id FROM statements s JOIN statement_lines l ON l.statement_id = s.id
                WHERE s.matricula = \(bind: matricula) AND s.issued_on = \(bind: today.iso) AND s.due_on >= \(bind: today.iso)
                """
            ).all().map { try $0.decode(column: "bill_id", as: Int64.self) }
        }
        return ids.isSubset(of: Set(covered))
    }

    /// Opens the request as a protocol of the service kind, unless the property has one of the
    /// same type pending: then that one is the answer (`duplicate`). The check and the insert are
    /// one transaction; on PostgreSQL the property's row is locked first, so concurrent identical
    /// requests queue behind each other and find the first.
    /// With a fee, the fee is charged in the same transaction (its document or its line for the
    /// next bill), so a request is never left without its fee nor a fee without its request.
    /// `matricula` nil: a request for an address (ligação nova), one pending per requester and type.
    func request(
        _ d: ProtocolDraft, matricula: String?, expectedAt: Int64, answers: [String: String], fee: ServiceFee.Draft?, year: Int,
        claim: IdempotencyClaim, now: Int64
    ) async throws -> (number: ProtocolNumber, duplicate: Bool, replayed: Bool) {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            if case .replay(let compact) = try await Idempotency.claim(claim, db: db, now: now) {
                guard let n = ProtocolNumber(parsing: String(compact)) else { throw StorageError.corrupt("protocol key \(compact)") }
                return (n, false, true)
            }
            if postgres {
                if let matricula {
                    try await db.raw("SELECT matricula FROM properties WHERE matricula = \(bind: matricula) FOR UPDATE").run()
                } else {
                    try await db.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "service:" + d.requester.documento)))").run()
                }
            }
            let pending = try await Self.pending(matricula, requester: d.requester.documento, type: d.typeCode, db: db)
            if let existing = pending[d.typeCode] {
                guard let key = Int64(existing.number.compact) else { throw StorageError.corrupt("protocol number") }
                try await Idempotency.complete(claim, resource: key, db: db)
                return (existing.number, true, false)
            }
            let number = try await ProtocolRepository.insert(d, year: year, now: now, db: db)
            let json = String(decoding: try JSONSerialization.data(withJSONObject: answers, options: [.sortedKeys]), as: UTF8.self)
            try await db.raw(
                """
                UPDATE protocols SET service = 1, expected_at = \(bind: expectedAt), answers = \(bind: json),
                  fee_cents = \(bind: fee?.amount.cents) WHERE number = \(bind: number.compact)
                """
            ).run()
            if let fee { try await Self.charge(fee, number: number, matricula: matricula ?? "", typeCode: d.typeCode, now: now, db: db) }
            guard let key = Int64(number.compact) else { throw StorageError.corrupt("protocol number") }
            try await Idempotency.complete(claim, resource: key, db: db)
            return (number, false, false)
        }
    }

    private static func charge(
        _ fee: ServiceFee.Draft, number: ProtocolNumber, matricula: String, typeCode: String, now: Int64, db: any SQLDatabase
    ) async throws {
        guard
            let row = try await db.raw(
                """
                INSERT INTO service_fees (protocol_number, matricula, type_code, description, amount_cents, collection, issued_on, due_on,
                  payer_name, payer_document, payer_address, created_at)
                VALUES (\(bind: number.compact), \(bind: matricula), \(bind: typeCode), \(bind: fee.description), \(bind: fee.amount.cents),
                  \(bind: fee.collection.rawValue), \(bind: fee.issuedOn.iso), \(bind: fee.due?.iso), \(bind: fee.payer?.name),
                  \(bind: fee.payer?.documento), \(bind: fee.payer?.address), \(bind: now))
                RETURNING id
                """
            ).first()
        else { throw StorageError.corrupt("service_fees: no id returned") }
        guard fee.collection == .documento else { return }
        let id = try row.decode(column: "id", as: Int64.self)
        let codes = try fee.codes(id)
        try await db.raw("UPDATE service_fees SET barcode = \(bind: codes.barcode), pix = \(bind: codes.pix) WHERE id = \(bind: id)").run()
    }

    private static let feeColumns: SQLQueryString = """
        id, protocol_number, matricula, type_code, description, amount_cents, collection, issued_on, due_on, barcode, pix, payer_name,
        payer_document, payer_address
        """

    /// A property's fee by id (nil for another property's).
    func fee(_ matricula: String, id: Int64) async throws -> ServiceFee? {
        try await store.read { db in
            try await db.raw("SELECT \(Self.feeColumns) FROM service_fees WHERE id = \(bind: id) AND matricula = \(bind: matricula)")
                .first().map(Self.fee)
        }
    }

    /// Any fee by id (counter and staff: fees of requests with no property).
    func fee(id: Int64) async throws -> ServiceFee? {
        try await store.read { db in
            try await db.raw("SELECT \(Self.feeColumns) FROM service_fees WHERE id = \(bind: id)").first().map(Self.fee)
        }
    }

    /// The fee charged for a request, if it has one.
    func fee(protocol number: ProtocolNumber) async throws -> ServiceFee? {
        try await store.read { db in
            try await db.raw("SELECT \(Self.feeColumns) FROM service_fees WHERE protocol_number = \(bind: number.compact)").first()
                .map(Self.fee)
        }
    }

    private static func fee(_ r: any SQLRow) throws -> ServiceFee {
        let number = try r.decode(column: "protocol_number", as: String.self)
        let issued = try r.decode(column: "issued_on", as: String.self)
        let due = try r.decode(column: "due_on", as: String?.self)
        var payer: ServiceFee.Payer?
        if let name = try r.decode(column: "payer_name", as: String?.self) {
            payer = ServiceFee.Payer(
                name: name, documento: try r.decode(column: "payer_document", as: String?.self) ?? "",
                address: try r.decode(column: "payer_address", as: String?.self) ?? "")
        }
        guard let n = ProtocolNumber(parsing: number), let issuedOn = CivilDate(iso: issued),
            let collection = ServiceType.FeeCollection(rawValue: try r.decode(column: "collection", as: String.self))
        else { throw StorageError.corrupt("service_fees \(number)") }
        return ServiceFee(
            id: try r.decode(column: "id", as: Int64.self), protocolNumber: n,
            matricula: try r.decode(column: "matricula", as: String.self),
            typeCode: try r.decode(column: "type_code", as: String.self), description: try r.decode(column: "description", as: String.self),
            amount: Money(cents: try r.decode(column: "amount_cents", as: Int64.self)), collection: collection, issuedOn: issuedOn,
            due: due.flatMap(CivilDate.init(iso:)), barcode: try r.decode(column: "barcode", as: String?.self),
            pix: try r.decode(column: "pix", as: String?.self), payer: payer)
    }
}
