import Domain
import Foundation
import SQLKit

/// A declaração anual as issued.
struct Declaracao: Sendable {
    var id: Int64
    var matricula: String
    var year: Int
    var issuedOn: CivilDate
    var holderName: String
    var holderDocument: String
    var address: String
    var lines: [DeclaracaoAnual.Line]
}

/// Declarações anuais (issue 13): the bills of a year with what the decision needs, and the
/// declaration stored once per property and year. Served by `bills_matricula_competencia`
/// (the property's bills), `agreement_bills_bill`, the agreements' primary key and the
/// declarations' unique (matricula, ano).
struct DeclaracaoRepository: Sendable {
    let store: any Store

    /// Each property's bills falling due in `year`; a `parcelada` bill with the agreement that
    /// holds it now (the newest: a broken agreement gave its bills back before another took them).
    /// Served by `bills_matricula_competencia` and `agreement_bills_bill`.
    func yearBills(_ matriculas: [String], year: Int) async throws -> [String: [DeclaracaoAnual.Bill]] {
        guard !matriculas.isEmpty else { return [:] }
        return try await store.read { db in
            var sql: SQLQueryString = """
                SELECT b.matricula, b.competencia, b.vencimento, b.valor_centavos, b.situacao, b.pago_em,
                  (SELECT MAX(ab.agreement_id) FROM agreement_bills ab WHERE ab.bill_id = b.id) AS agreement_id
                FROM bills b WHERE b.vencimento >= \(bind: "\(year)-01-01") AND b.vencimento <= \(bind: "\(year)-12-31")
                  AND b.matricula IN (
                """
            Self.appendList(&sql, matriculas)
            sql.appendLiteral(")")
            var rows: [(String, DeclaracaoAnual.Bill, Int64?)] = []
            for r in try await db.raw(sql).all() {
                guard let comp = Competencia(iso: try r.decode(column: "competencia", as: String.self)),
                    let due = CivilDate(iso: try r.decode(column: "vencimento", as: String.self)),
                    let situacao = SituacaoConta(rawValue: try r.decode(column: "situacao", as: String.self))
                else { throw StorageError.corrupt("bills") }
                rows.append(
                    (
                        try r.decode(column: "matricula", as: String.self),
                        DeclaracaoAnual.Bill(
                            competencia: comp, due: due, amount: Money(cents: try r.decode(column: "valor_centavos", as: Int64.self)),
                            situacao: situacao, paidOn: try r.decode(column: "pago_em", as: String?.self).flatMap(CivilDate.init(iso:))),
                        situacao == .parcelada ? try r.decode(column: "agreement_id", as: Int64?.self) : nil
                    ))
            }
            var out: [String: [DeclaracaoAnual.Bill]] = [:]
            for (m, bill, agreementId) in rows {
                var b = bill
                b.agreement = agreementId
                out[m, default: []].append(b)
            }
            return out
        }
    }

    /// Stores the declaration unless the year's is already there (then returns that one), and
    /// queues its e-mail in the same transaction when `email` is given and it is new.
    func issue(
        _ property: Property, year: Int, lines: [DeclaracaoAnual.Line], issuedOn: CivilDate, channel: String, staff: String?,
        email: String?, now: Int64
    ) async throws -> (id: Int64, created: Bool) {
        let m = property.matricula
        let encoded = lines.map { "\($0.competencia.iso)|\($0.situacao)|\($0.paidOn.iso)|\($0.amount.cents)" }.joined(separator: "\n")
        return try await store.write { db in
            if let row = try await db.raw(
                """
                INSERT INTO declaracoes (matricula, ano, issued_on, issued_at, holder_name, holder_document, address, lines, channel, staff)
                VALUES (\(bind: m), \(bind: year), \(bind: issuedOn.iso), \(bind: now), \(bind: property.titular.nome),
                  \(bind: property.titular.documento), \(bind: property.address.oneLine), \(bind: encoded), \(bind: channel), \(bind: staff))
                ON CONFLICT (matricula, ano) DO NOTHING RETURNING id
                """
            ).first() {
                let id = try row.decode(column: "id", as: Int64.self)
                if let email {
                    _ = try await OutboxRepository.enqueue(
                        matricula: m, recipient: email, document: .declaracao, documentId: id, requestedBy: staff, now: now, db: db)
                }
                return (id, true)
            }
            guard let existing = try await db.raw("SELECT id FROM declaracoes WHERE matricula = \(bind: m) AND ano = \(bind: year)").first()
            else { throw StorageError.corrupt("declaracoes \(m) \(year)") }
            return (try existing.decode(column: "id", as: Int64.self), false)
        }
    }

    /// The years the property has bills falling due in (newest first), and those declared.
    func years(_ matricula: String) async throws -> (billed: [Int], declared: Set<Int>) {
        try await store.read { db in
            let billed = try await db.raw(
                "SELECT DISTINCT substr(vencimento, 1, 4) AS y FROM bills WHERE matricula = \(bind: matricula) ORDER BY y DESC"
            ).all().compactMap { Int(try $0.decode(column: "y", as: String.self)) }
            let declared = try await db.raw("SELECT ano FROM declaracoes WHERE matricula = \(bind: matricula)").all().map {
                try $0.decode(column: "ano", as: Int.self)
            }
            return (billed, Set(declared))
        }
    }

    func declaracao(_ matricula: String, year: Int) async throws -> Declaracao? {
        try await find("matricula = \(bind: matricula) AND ano = \(bind: year)")
    }

    func declaracao(id: Int64) async throws -> Declaracao? { try await find("id = \(bind: id)") }

    private func find(_ condition: SQLQueryString) async throws -> Declaracao? {
        try await store.read { db in
            var sql: SQLQueryString =
                "SELECT id, matricula, ano, issued_on, holder_name, holder_document, address, lines FROM declaracoes WHERE "
            sql.appendInterpolation(condition)
            guard let r = try await db.raw(sql).first() else { return nil }
            guard let issued = CivilDate(iso: try r.decode(column: "issued_on", as: String.self)) else {
                throw StorageError.corrupt("declaracoes.issued_on")
            }
            let lines = try try r.decode(column: "lines", as: String.self).split(separator: "\n").map { line in
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 4, let comp = Competencia(iso: f[0]), let paid = CivilDate(iso: f[2]), let cents = Int64(f[3]) else {
                    throw StorageError.corrupt("declaracoes.lines")
                }
                return DeclaracaoAnual.Line(competencia: comp, situacao: f[1], paidOn: paid, amount: Money(cents: cents))
            }
            return Declaracao(
                id: try r.decode(column: "id", as: Int64.self), matricula: try r.decode(column: "matricula", as: String.self),
                year: try r.decode(column: "ano", as: Int.self), issuedOn: issued,
                holderName: try r.decode(column: "holder_name", as: String.self),
                holderDocument: try r.decode(column: "holder_document", as: String.self),
                address: try r.decode(column: "address", as: String.self), lines: lines)
        }
    }

    /// `v1, v2, …` as binds.
    static func appendList<T: Encodable & Sendable>(_ sql: inout SQLQueryString, _ values: [T]) {
        for (i, v) in values.enumerated() {
            if i > 0 { sql.appendLiteral(", ") }
            sql.appendInterpolation(bind: v)
        }
    }
}
