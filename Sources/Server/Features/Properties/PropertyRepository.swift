import Domain
import SQLKit

/// A linked property as the home screen lists it.
struct PropertyBrief: Sendable {
    var matricula: String
    var address: Address
    var categoria: Categoria
    /// Open bills, overdue or not.
    var openCount: Int
    /// Bills in a card negotiation.
    var underReviewCount: Int
}

/// A counter search hit.
struct SearchHit: Sendable {
    var matricula: String
    var nome: String
    var documento: String
    var address: Address
    var situacaoLigacao: SituacaoLigacao
}

/// Properties, their holders and links, and the counter search (DECISIONS 9). Served by the
/// primary keys of `properties`, `property_links` (and its `documento` index) and `search_terms`.
struct PropertyRepository: Sendable {
    let store: any Store

    func property(_ matricula: String) async throws -> Property? {
        try await store.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.columns)
                FROM properties p JOIN customers c ON c.documento = p.titular
                WHERE p.matricula = \(bind: matricula)
                """
            ).first().map(Self.property)
        }
    }

    /// The property with the bills it owes (the summary screen's request), in one
    /// statement: the property on every row, with one of the bills it owes or none — a round
    /// trip fewer on PostgreSQL, a statement fewer to prepare on SQLite (issue 15).
    func summary(_ matricula: String) async throws -> (Property, owed: [Bill])? {
        let rows = try await store.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.columns), \(unsafeRaw: BillRepository.columns(of: "b"))
                FROM properties p JOIN customers c ON c.documento = p.titular
                LEFT JOIN bills b ON b.matricula = p.matricula AND b.situacao IN (\(unsafeRaw: BillRepository.owedSituations))
                WHERE p.matricula = \(bind: matricula)
                """
            ).all()
        }
        guard let first = rows.first else { return nil }
        return try (Self.property(first), rows.filter { try !$0.decodeNil(column: "id") }.map(BillRepository.bill))
    }

    /// A page of properties in matrícula order, after `cursor` (a batch walks them all).
    func properties(after cursor: String?, limit: Int) async throws -> [Property] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.columns)
                FROM properties p JOIN customers c ON c.documento = p.titular
                WHERE p.matricula > \(bind: cursor ?? "") ORDER BY p.matricula LIMIT \(bind: limit)
                """
            ).all().map(Self.property)
        }
    }

    static let columns = """
        p.matricula, p.logradouro, p.numero, p.complemento, p.bairro, p.cidade, p.uf, p.cep, p.categoria, p.economias,
        p.situacao_ligacao, p.situacao_desde, p.esgoto, c.documento, c.nome, c.email, c.telefone
        """

    static func property(_ row: any SQLRow) throws -> Property {
        try Property(
            matricula: row.decode(column: "matricula", as: String.self),
            address: Self.address(row),
            categoria: Self.categoria(row),
            economias: row.decode(column: "economias", as: Int.self),
            situacaoLigacao: Self.situacaoLigacao(row),
            situacaoLigacaoSince: row.optional("situacao_desde", as: String.self).flatMap(CivilDate.init(iso:)),
            esgoto: row.decode(column: "esgoto", as: Int.self) != 0,
            titular: Customer(
                documento: row.decode(column: "documento", as: String.self),
                nome: row.decode(column: "nome", as: String.self),
                email: row.optional("email", as: String.self),
                telefone: row.optional("telefone", as: String.self)))
    }

    /// Who asks for a property: the customer of `documento` (the session's CPF/CNPJ) when known,
    /// else the holder.
    func person(of matricula: String, documento: String?) async throws -> Customer? {
        guard let p = try await property(matricula) else { return nil }
        if let documento, documento != p.titular.documento, let c = try await customer(documento) { return c }
        return p.titular
    }

    /// A customer by CPF/CNPJ (normalised).
    func customer(_ documento: String) async throws -> Customer? {
        try await store.read { db in
            try await db.raw("SELECT documento, nome, email, telefone FROM customers WHERE documento = \(bind: documento)").first().map {
                Customer(
                    documento: try $0.decode(column: "documento", as: String.self), nome: try $0.decode(column: "nome", as: String.self),
                    email: try $0.decode(column: "email", as: String?.self), telefone: try $0.decode(column: "telefone", as: String?.self))
            }
        }
    }

    func exists(_ matricula: String) async throws -> Bool {
        try await store.read { db in
            try await db.raw("SELECT 1 AS x FROM properties WHERE matricula = \(bind: matricula)").first() != nil
        }
    }

    /// Whether the utility's system still has the property (a load inactivates one it excluded).
    func isActive(_ matricula: String) async throws -> Bool {
        try await store.read { db in
            try await db.raw("SELECT ativo FROM properties WHERE matricula = \(bind: matricula)").first()?.decode(column: "ativo", as: Int.self) == 1
        }
    }

    /// Whether `documento` is linked to the property (holder or another registered customer).
    func isLinked(matricula: String, documento: String) async throws -> Bool {
        try await store.read { db in
            try await db.raw(
                "SELECT 1 AS x FROM property_links WHERE matricula = \(bind: matricula) AND documento = \(bind: documento)"
            ).first() != nil
        }
    }

    /// Properties linked to `documento`, except `excluding` and those the utility's system
    /// excluded (issue 30), with their open-bill counts.
    func linked(documento: String, excluding: String) async throws -> [PropertyBrief] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT p.matricula, p.logradouro, p.numero, p.complemento, p.bairro, p.cidade, p.uf, p.cep, p.categoria,
                  (SELECT COUNT(*) FROM bills b WHERE b.matricula = p.matricula AND b.situacao = \(bind: SituacaoConta.aberta.rawValue)) AS open_count,
                  (SELECT COUNT(*) FROM bills b WHERE b.matricula = p.matricula AND b.situacao = \(bind: SituacaoConta.emRevisao.rawValue)) AS review_count
                FROM property_links l JOIN properties p ON p.matricula = l.matricula
                WHERE l.documento = \(bind: documento) AND p.matricula <> \(bind: excluding) AND p.ativo = 1
                ORDER BY p.matricula LIMIT 200
                """
            ).all().map { row in
                try PropertyBrief(
                    matricula: row.decode(column: "matricula", as: String.self), address: Self.address(row),
                    categoria: Self.categoria(row), openCount: Int(row.decode(column: "open_count", as: Int64.self)),
                    underReviewCount: Int(row.decode(column: "review_count", as: Int64.self)))
            }
        }
    }

    enum SearchKey: Sendable {
        case matricula(String)
        case documento(String)
        case nome([String])
        case endereco([String])
    }

    /// Up to `limit + 1` hits (the extra one tells the caller the page is truncated).
    func search(_ key: SearchKey, limit: Int) async throws -> [SearchHit] {
        try await store.read { db in
            var ids = SQLQueryString("")
            switch key {
            case .matricula(let m):
                ids = "SELECT matricula FROM properties WHERE matricula = \(bind: m)"
            case .documento(let d):
                ids = "SELECT matricula FROM property_links WHERE documento = \(bind: d)"
            case .nome(let terms), .endereco(let terms):
                let kind = { if case .nome = key { return "nome" } else { return "endereco" } }()
                for (i, t) in terms.prefix(6).enumerated() {
                    if i > 0 { ids.appendLiteral(" INTERSECT ") }
                    ids.appendInterpolation(
                        "SELECT matricula FROM search_terms WHERE kind = \(bind: kind) AND term >= \(bind: t) AND term < \(bind: SearchText.upperBound(ofPrefix: t))"
                            as SQLQueryString)
                }
            }
            let sql: SQLQueryString = """
                SELECT p.matricula, c.nome, c.documento, p.logradouro, p.numero, p.complemento, p.bairro, p.cidade, p.uf, p.cep,
                       p.situacao_ligacao
                FROM properties p JOIN customers c ON c.documento = p.titular
                WHERE p.matricula IN (\(ids))
                ORDER BY c.nome, p.matricula LIMIT \(bind: limit + 1)
                """
            return try await db.raw(sql).all().map { row in
                try SearchHit(
                    matricula: row.decode(column: "matricula", as: String.self),
                    nome: row.decode(column: "nome", as: String.self),
                    documento: row.decode(column: "documento", as: String.self),
                    address: Self.address(row),
                    situacaoLigacao: Self.situacaoLigacao(row))
            }
        }
    }

    // MARK: Row mapping

    static func address(_ row: any SQLRow) throws -> Address {
        try Address(
            logradouro: row.decode(column: "logradouro", as: String.self), numero: row.decode(column: "numero", as: String.self),
            complemento: row.decode(column: "complemento", as: String?.self), bairro: row.decode(column: "bairro", as: String.self),
            cidade: row.decode(column: "cidade", as: String.self), uf: row.decode(column: "uf", as: String.self),
            cep: row.decode(column: "cep", as: String.self))
    }

    static func categoria(_ row: any SQLRow) throws -> Categoria {
        let raw = try row.decode(column: "categoria", as: String.self)
        guard let c = Categoria(rawValue: raw) else { throw StorageError.corrupt("categoria \(raw)") }
        return c
    }

    static func situacaoLigacao(_ row: any SQLRow) throws -> SituacaoLigacao {
        let raw = try row.decode(column: "situacao_ligacao", as: String.self)
        guard let s = SituacaoLigacao(rawValue: raw) else { throw StorageError.corrupt("situacao_ligacao \(raw)") }
        return s
    }
}
