import Domain
import SQLKit

/// Bills and the monetary-correction index. Served by `bills_matricula_competencia` and the
/// primary keys of `bills` and `correction_index`.
struct BillRepository: Sendable {
    let store: any Store
    var indexCache = FeedCachedValue<[String: Int64]>(feed: nil, payload: "correction_index")

    /// A bill's value is what remains to pay of it: less what a broken agreement already paid.
    static let columns = "matricula, \(columns(of: "bills"))"

    /// A bill's columns but its matrícula, of the table or alias `t` (joined to its property,
    /// the property's matrícula is the bill's).
    static func columns(of t: String) -> String {
        """
        \(t).id, \(t).competencia, \(t).vencimento, \(t).valor_centavos - \(t).abatido_centavos AS valor_centavos, \(t).situacao,
        \(t).consumo_m3, \(t).leitura_estimada, \(t).pago_em, \(t).divida_ativa_em, \(t).situacao_origem
        """
    }

    /// The situations of a bill the property still owes (`SituacaoConta.isOwed`), for SQL.
    static let owedSituations = SituacaoConta.allCases.filter(\.isOwed).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    static func bill(_ row: any SQLRow) throws -> Bill {
        let comp = try row.decode(column: "competencia", as: String.self)
        let due = try row.decode(column: "vencimento", as: String.self)
        let situacao = try row.decode(column: "situacao", as: String.self)
        let paid = try row.optional("pago_em", as: String.self)
        guard let competencia = Competencia(iso: comp), let dueOn = CivilDate(iso: due), let s = SituacaoConta(rawValue: situacao)
        else { throw StorageError.corrupt("bill \(comp) \(due) \(situacao)") }
        return try Bill(
            id: row.decode(column: "id", as: Int64.self),
            matricula: row.decode(column: "matricula", as: String.self),
            competencia: competencia, due: dueOn,
            value: Money(cents: row.decode(column: "valor_centavos", as: Int64.self)),
            situacao: s,
            consumptionM3: row.decode(column: "consumo_m3", as: Int.self),
            estimated: row.decode(column: "leitura_estimada", as: Int.self) != 0,
            paidOn: paid.flatMap(CivilDate.init(iso:)),
            dividaAtivaSince: row.optional("divida_ativa_em", as: String.self).flatMap(CivilDate.init(iso:)),
            sourceSituation: row.optional("situacao_origem", as: String.self))
    }

    /// The property's last 36 bills, newest first.
    func bills(_ matricula: String) async throws -> [Bill] {
        try await store.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM bills WHERE matricula = \(bind: matricula) ORDER BY competencia DESC LIMIT 36"
            ).all().map(Self.bill)
        }
    }

    /// Every bill the property owes (`SituacaoConta.isOwed`), however old: what the certidão,
    /// the services' eligibility and the revocation rule look at.
    func owed(_ matricula: String) async throws -> [Bill] {
        try await store.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM bills WHERE matricula = \(bind: matricula) AND situacao IN (\(unsafeRaw: Self.owedSituations))"
            ).all().map(Self.bill)
        }
    }

    func bill(_ matricula: String, id: Int64) async throws -> Bill? {
        try await store.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM bills WHERE id = \(bind: id) AND matricula = \(bind: matricula)"
            ).first().map(Self.bill)
        }
    }

    /// The monetary-correction index (parts per million by competência `AAAA-MM`). Kept in
    /// memory while the change feed is live (it changes once a month, by an import).
    func correctionIndex() async throws -> [String: Int64] {
        try await indexCache.value {
            try await store.read { db in
                var out: [String: Int64] = [:]
                for row in try await db.raw("SELECT competencia, ppm FROM correction_index").all() {
                    out[try row.decode(column: "competencia", as: String.self)] = try row.decode(column: "ppm", as: Int64.self)
                }
                return out
            }
        }
    }

    /// The selected bills of the property, locked for the transaction (PostgreSQL; SQLite has
    /// one writer), all of them open.
    static func openForUpdate(_ matricula: String, ids: [Int64], db: any SQLDatabase, engine: DatabaseEngine) async throws -> [Bill] {
        let unique = Array(Set(ids)).sorted()
        var list = SQLQueryString("")
        for (i, id) in unique.enumerated() {
            if i > 0 { list.appendLiteral(", ") }
            list.appendInterpolation(bind: id)
        }
        let rows = try await db.raw(
            "SELECT \(unsafeRaw: columns) FROM bills WHERE matricula = \(bind: matricula) AND id IN (\(list)) ORDER BY competencia\(unsafeRaw: engine == .postgres ? " FOR UPDATE" : "")"
        ).all().map(bill)
        guard rows.count == unique.count else { throw StorageError.billsNotFound }
        for b in rows where !b.situacao.isPayable { throw StorageError.billNotSelectable(b.competencia, b.situacao) }
        return rows
    }

    /// Moves a bill from one situation to another inside a transaction; false when it was no
    /// longer in `from` (someone else moved it).
    static func move(_ id: Int64, from: SituacaoConta, to: SituacaoConta, paidOn: CivilDate? = nil, db: any SQLDatabase) async throws
        -> Bool
    {
        var sql: SQLQueryString = "UPDATE bills SET situacao = \(bind: to.rawValue)"
        if let paidOn { sql.appendInterpolation(", pago_em = \(bind: paidOn.iso)" as SQLQueryString) }
        sql.appendInterpolation(" WHERE id = \(bind: id) AND situacao = \(bind: from.rawValue) RETURNING id" as SQLQueryString)
        return try await db.raw(sql).first() != nil
    }
}
