import Domain
import Foundation
import SQLKit

/// What one batch of a file did.
struct BatchOutcome {
    var counts = InterchangeLoad.Counts()
    var setAside: [InterchangeLoad.SetAside] = []
    var holders = 0
    var notices: [String] = []
}

/// How each file's rows become the agência's records (issue 30, DECISIONS 93): one batch at a
/// time, inside the batch's transaction. Each compares the row with what is stored and counts
/// it as inserted, updated or unchanged.
struct Context: Sendable {
    typealias Row = Loader.Row
    let rule: MatriculaRule
    let today: CivilDate
    let timeZone: String
    let loadId: Int64
    let now: Int64

    init(loader: Loader) {
        rule = loader.rule
        today = loader.today
        timeZone = loader.timeZone
        loadId = loader.cursor.loadId
        now = loader.now
    }

    func apply(_ file: String, _ rows: [Row], db: any SQLDatabase) async throws -> BatchOutcome {
        guard !rows.isEmpty else { return BatchOutcome() }
        switch file {
        case "clientes.csv": return try await customers(rows, db: db)
        case "imoveis.csv": return try await properties(rows, db: db)
        case "vinculos.csv": return try await links(rows, db: db)
        case "contas.csv": return try await bills(rows, db: db)
        case "leituras.csv": return try await readings(rows, db: db)
        case "pagamentos.csv": return try await payments(rows, db: db)
        default:
            // `debitos.csv` is checked and not yet used: DECISIONS 93.
            var out = BatchOutcome()
            out.counts.ignorados = rows.count
            return out
        }
    }

    static func value(_ row: [String: String], _ column: String) -> String? {
        guard let v = row[column], !v.isEmpty else { return nil }
        return v
    }

    static func excluded(_ row: [String: String]) -> Bool { row["excluido"] == "true" }

    func matricula(_ row: [String: String]) -> String? { Self.value(row, "matricula").flatMap { Matricula(parsing: $0, rule: rule)?.normalized } }

    static func aside(_ r: Row, _ file: String, _ key: String?, _ reason: String) -> InterchangeLoad.SetAside {
        InterchangeLoad.SetAside(arquivo: file, linha: r.line, chave: key, motivos: [reason])
    }

    /// A stored text column (NULL: nil).
    static func text(_ row: any SQLRow, _ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }

    /// Whether the stored row differs from the new values, each read back as its own type.
    static func changed(_ stored: any SQLRow, _ values: [(String, (any Encodable & Sendable)?)]) throws -> Bool {
        for (column, v) in values {
            switch v {
            case let i as Int: if try stored.decode(column: column, as: Int64?.self) != Int64(i) { return true }
            case let i as Int64: if try stored.decode(column: column, as: Int64?.self) != i { return true }
            case let s as String: if try stored.decode(column: column, as: String?.self) != s { return true }
            case nil: if try !stored.decodeNil(column: column) { return true }
            default: throw StorageError.corrupt("comparação de \(column)")
            }
        }
        return false
    }

    static func update(
        _ db: any SQLDatabase, _ table: String, _ values: [(String, (any Encodable & Sendable)?)], whereColumn: String, is key: any Encodable & Sendable
    )
        async throws
    {
        var sql = SQLQueryString("UPDATE \(unsafeRaw: table) SET ")
        for (i, (c, v)) in values.enumerated() {
            if i > 0 { sql.appendLiteral(", ") }
            sql.appendLiteral("\(c) = ")
            if let v { sql.appendInterpolation(bind: v) } else { sql.appendLiteral("NULL") }
        }
        sql.appendLiteral(" WHERE \(whereColumn) = ")
        sql.appendInterpolation(bind: key)
        try await db.raw(sql).run()
    }

    // MARK: Customers

    func customers(_ rows: [Row], db: any SQLDatabase) async throws -> BatchOutcome {
        var out = BatchOutcome()
        let file = "clientes.csv"
        let codes = rows.compactMap { Self.value($0.row, "codigo_cliente") }
        let docs = rows.compactMap { Self.value($0.row, "cpf_cnpj").flatMap(TaxID.init)?.normalized }
        var byCode: [String: any SQLRow] = [:]
        var byDoc: [String: any SQLRow] = [:]
        for r in try await db.raw(
            """
            SELECT documento, codigo_origem, nome, email, telefone, ativo FROM customers
            WHERE codigo_origem IN (\(binds: codes)) OR documento IN (\(binds: docs.isEmpty ? [""] : docs))
            """
        ).all() {
            if let c = try r.decode(column: "codigo_origem", as: String?.self) { byCode[c] = r }
            byDoc[try r.decode(column: "documento", as: String.self)] = r
        }
        var inserts: [BulkTable.Row] = []
        var renamed: [(String, String)] = []
        var claimed: [String: String] = [:]
        for r in rows {
            let row = r.row
            guard let code = Self.value(row, "codigo_cliente"), let nome = Self.value(row, "nome") else { continue }
            let taxID = Self.value(row, "cpf_cnpj").flatMap(TaxID.init)
            var documento = taxID?.normalized ?? CustomerKey.documentless(code: code)
            let phone = (Self.value(row, "telefone_principal") ?? Self.value(row, "celular")).map(PhoneNumber.formatted)
            let ativo = row["ativo"] == "true" && !Self.excluded(row)
            if let other = claimed[documento], other != code {
                out.setAside.append(Self.aside(r, file, code, "cpf_cnpj: \(taxID?.masked ?? "") também é do cliente \(other) neste pacote"))
                continue
            }
            if let stored = byCode[code] {
                let current = try stored.decode(column: "documento", as: String.self)
                if current != documento {
                    if taxID == nil {
                        // The source lost the document: the agência keeps the one it has.
                        documento = current
                    } else {
                        out.setAside.append(
                            Self.aside(
                                r, file, code,
                                "cpf_cnpj: o documento deste cliente mudou na origem; a troca de CPF/CNPJ de um cliente já carregado se faz "
                                    + "pelo pedido de atualização de CPF/CNPJ no balcão (DECISIONS 93)"))
                        continue
                    }
                }
                claimed[documento] = code
                let values: [(String, (any Encodable & Sendable)?)] = [
                    ("nome", nome), ("email", Self.value(row, "email")), ("telefone", phone), ("ativo", ativo ? 1 : 0),
                ]
                if try Self.changed(stored, values) {
                    try await Self.update(db, "customers", values, whereColumn: "documento", is: documento)
                    if try stored.decode(column: "nome", as: String.self) != nome { renamed.append((documento, nome)) }
                    if ativo { out.counts.atualizados += 1 } else { out.counts.inativados += 1 }
                } else {
                    out.counts.inalterados += 1
                }
            } else if let stored = byDoc[documento] {
                if let other = try stored.decode(column: "codigo_origem", as: String?.self), other != code {
                    out.setAside.append(Self.aside(r, file, code, "cpf_cnpj: \(taxID?.masked ?? "") já é do cliente \(other) da origem"))
                    continue
                }
                // A customer the agência already had (registered at the counter, or by its own
                // demo): the source's code is attached to it.
                claimed[documento] = code
                try await Self.update(
                    db, "customers",
                    [("codigo_origem", code), ("nome", nome), ("email", Self.value(row, "email")), ("telefone", phone), ("ativo", ativo ? 1 : 0)],
                    whereColumn: "documento", is: documento)
                if try stored.decode(column: "nome", as: String.self) != nome { renamed.append((documento, nome)) }
                out.counts.atualizados += 1
            } else {
                claimed[documento] = code
                inserts.append([documento, nome, Self.value(row, "email"), phone, code, ativo ? 1 : 0])
                out.counts.inseridos += 1
            }
        }
        try await BulkTable.insert(db, "customers", ["documento", "nome", "email", "telefone", "codigo_origem", "ativo"], inserts, conflict: nil)
        // A holder renamed: the name search of their properties follows.
        for (documento, nome) in renamed {
            let ms = try await db.raw("SELECT matricula FROM properties WHERE titular = \(bind: documento)").all().map {
                try $0.decode(column: "matricula", as: String.self)
            }
            for m in ms { try await Self.searchTerms(db, kind: "nome", text: nome, matricula: m) }
        }
        return out
    }

    /// The search terms of one kind for a property, written again from `text`.
    static func searchTerms(_ db: any SQLDatabase, kind: String, text: String, matricula: String) async throws {
        try await db.raw("DELETE FROM search_terms WHERE kind = \(bind: kind) AND matricula = \(bind: matricula)").run()
        try await BulkTable.insert(
            db, "search_terms", ["kind", "term", "matricula"], SearchText.terms(text).map { [kind, $0, matricula] }, conflict: "kind, term, matricula")
    }

    // MARK: Properties

    static let propertyColumns = [
        "logradouro", "numero", "complemento", "bairro", "cidade", "uf", "cep", "categoria", "economias", "situacao_ligacao",
        "situacao_desde", "esgoto", "dia_vencimento", "ativo", "hidrometro", "situacao_origem",
    ]

    func properties(_ rows: [Row], db: any SQLDatabase) async throws -> BatchOutcome {
        var out = BatchOutcome()
        let file = "imoveis.csv"
        let keys = rows.compactMap { matricula($0.row) }
        var stored: [String: any SQLRow] = [:]
        for r in try await db.raw(
            "SELECT matricula, \(unsafeRaw: Self.propertyColumns.joined(separator: ", ")) FROM properties WHERE matricula IN (\(binds: keys))"
        ).all() {
            stored[try r.decode(column: "matricula", as: String.self)] = r
        }
        let holder = InterchangeLoad.noHolder
        try await db.raw(
            "INSERT INTO customers (documento, nome, ativo) VALUES (\(bind: holder.documento), \(bind: holder.nome), 1) ON CONFLICT (documento) DO NOTHING"
        ).run()
        var inserts: [BulkTable.Row] = []
        var terms: [BulkTable.Row] = []
        for r in rows {
            let row = r.row
            guard let m = matricula(row) else { continue }
            guard let ligacao = InterchangeMapping.ligacao(row["situacao_agua"] ?? "") else {
                out.setAside.append(Self.aside(r, file, m, "situacao_agua: \"\(row["situacao_agua"] ?? "")\" não tem correspondente na agência"))
                continue
            }
            guard let categoria = InterchangeMapping.categoria(row["categoria_principal"] ?? "", tarifaSocial: row["tarifa_social"] == "true")
            else {
                out.setAside.append(
                    Self.aside(r, file, m, "categoria_principal: \"\(row["categoria_principal"] ?? "")\" não tem tarifa na agência"))
                continue
            }
            let cep = Self.value(row, "cep").map { "\($0.prefix(5))-\($0.suffix(3))" } ?? ""
            let day = Self.value(row, "dia_vencimento").flatMap(Int.init)
            let existingDay = try stored[m].flatMap { try $0.decode(column: "dia_vencimento", as: Int?.self) }
            let values: [(String, (any Encodable & Sendable)?)] = [
                ("logradouro", row["logradouro"] ?? ""), ("numero", Self.value(row, "numero") ?? "S/N"),
                ("complemento", Self.value(row, "complemento")), ("bairro", row["bairro"] ?? ""), ("cidade", row["municipio"] ?? ""),
                ("uf", row["uf"] ?? ""), ("cep", cep), ("categoria", categoria.rawValue),
                ("economias", Int(row["economias_total"] ?? "") ?? 1), ("situacao_ligacao", ligacao.rawValue),
                ("situacao_desde", Self.value(row, "situacao_agua_desde")),
                ("esgoto", InterchangeMapping.esgoto(row["situacao_esgoto"] ?? "") ? 1 : 0), ("dia_vencimento", day ?? existingDay ?? 10),
                ("ativo", row["ativo"] == "true" && !Self.excluded(row) ? 1 : 0), ("hidrometro", Self.value(row, "hidrometro")),
                ("situacao_origem", Self.value(row, "situacao_agua_origem_descricao")),
            ]
            let address = "\(row["logradouro"] ?? "") \(Self.value(row, "numero") ?? "") \(row["bairro"] ?? "") \(row["municipio"] ?? "")"
            if let s = stored[m] {
                guard try Self.changed(s, values) else {
                    out.counts.inalterados += 1
                    continue
                }
                let oldAddress = try ["logradouro", "numero", "bairro", "cidade"].map { try Self.text(s, $0) ?? "" }.joined(separator: " ")
                try await Self.update(db, "properties", values, whereColumn: "matricula", is: m)
                if oldAddress != address { try await Self.searchTerms(db, kind: "endereco", text: address, matricula: m) }
                if values[13].1 as? Int == 0 { out.counts.inativados += 1 } else { out.counts.atualizados += 1 }
            } else {
                inserts.append([m] + values.map(\.1) + [holder.documento])
                terms += SearchText.terms(address).map { ["endereco", $0, m] }
                out.counts.inseridos += 1
            }
        }
        try await BulkTable.insert(db, "properties", ["matricula"] + Self.propertyColumns + ["titular"], inserts, conflict: nil)
        try await BulkTable.insert(db, "search_terms", ["kind", "term", "matricula"], terms, conflict: "kind, term, matricula")
        return out
    }

    // MARK: Links

    func links(_ rows: [Row], db: any SQLDatabase) async throws -> BatchOutcome {
        var out = BatchOutcome()
        let ms = Array(Set(rows.compactMap { matricula($0.row) }))
        var stored: [String: any SQLRow] = [:]
        for r in try await db.raw(
            "SELECT matricula, codigo_cliente, tipo, inicio, fim, nome_na_conta FROM source_links WHERE matricula IN (\(binds: ms))"
        ).all() {
            let k = try ["matricula", "codigo_cliente", "tipo", "inicio"].map { try r.decode(column: $0, as: String.self) }.joined(separator: " ")
            stored[k] = r
        }
        var upserts: [BulkTable.Row] = []
        for r in rows {
            let row = r.row
            guard let m = matricula(row), let code = row["codigo_cliente"], let tipo = row["tipo"], let inicio = row["inicio"] else { continue }
            let k = [m, code, tipo, inicio].joined(separator: " ")
            if Self.excluded(row) {
                if stored[k] != nil {
                    try await db.raw(
                        """
                        DELETE FROM source_links WHERE matricula = \(bind: m) AND codigo_cliente = \(bind: code) AND tipo = \(bind: tipo)
                          AND inicio = \(bind: inicio)
                        """
                    ).run()
                    out.counts.inativados += 1
                } else {
                    out.counts.inalterados += 1
                }
                continue
            }
            let values: [(String, (any Encodable & Sendable)?)] = [("fim", Self.value(row, "fim")), ("nome_na_conta", row["nome_na_conta"] == "true" ? 1 : 0)]
            if let s = stored[k] {
                if try Self.changed(s, values) { out.counts.atualizados += 1 } else { out.counts.inalterados += 1 }
            } else {
                out.counts.inseridos += 1
            }
            upserts.append([m, code, tipo, inicio, values[0].1, values[1].1, loadId])
        }
        try await BulkTable.insert(
            db, "source_links", ["matricula", "codigo_cliente", "tipo", "inicio", "fim", "nome_na_conta", "load_id"], upserts,
            conflict: "matricula, codigo_cliente, tipo, inicio", update: ["fim", "nome_na_conta", "load_id"])
        out.holders = try await derive(ms, db: db)
        return out
    }

    /// The roles a person can have on a property, strongest first.
    static let roleRank = ["titular": 0, "responsavel_financeiro": 1, "usuario": 2]

    /// The holder and the people of each property, from the source's links in force today
    /// (`InterchangeMapping.holder`); a property whose holder changed ends its customers'
    /// sessions and its name search follows. Returns how many holders changed.
    func derive(_ matriculas: [String], db: any SQLDatabase) async throws -> Int {
        guard !matriculas.isEmpty else { return 0 }
        var links: [String: [(InterchangeMapping.Link, documento: String, nome: String)]] = [:]
        for r in try await db.raw(
            """
            SELECT s.matricula, s.codigo_cliente, s.tipo, s.inicio, s.fim, s.nome_na_conta, c.documento, c.nome FROM source_links s
            JOIN customers c ON c.codigo_origem = s.codigo_cliente WHERE s.matricula IN (\(binds: matriculas))
            """
        ).all() {
            guard let inicio = CivilDate(iso: try r.decode(column: "inicio", as: String.self)) else { continue }
            let link = InterchangeMapping.Link(
                customer: try r.decode(column: "codigo_cliente", as: String.self), tipo: try r.decode(column: "tipo", as: String.self),
                inicio: inicio, fim: try r.decode(column: "fim", as: String?.self).flatMap(CivilDate.init(iso:)),
                nomeNaConta: try r.decode(column: "nome_na_conta", as: Int.self) != 0)
            links[try r.decode(column: "matricula", as: String.self), default: []].append(
                (link, try r.decode(column: "documento", as: String.self), try r.decode(column: "nome", as: String.self)))
        }
        var holders: [String: String] = [:]
        for r in try await db.raw("SELECT matricula, titular FROM properties WHERE matricula IN (\(binds: matriculas))").all() {
            holders[try r.decode(column: "matricula", as: String.self)] = try r.decode(column: "titular", as: String.self)
        }
        var people: [BulkTable.Row] = []
        var newHolders: [BulkTable.Row] = []
        var left: [String] = []
        var terms: [BulkTable.Row] = []
        for m in matriculas {
            guard let old = holders[m] else { continue }
            let all = links[m] ?? []
            let code = InterchangeMapping.holder(all.map(\.0), on: today)
            let holder = all.first { $0.0.customer == code }
            let documento = holder?.documento ?? InterchangeLoad.noHolder.documento
            if documento != old {
                newHolders.append([m, documento])
                // The first holder of a property just loaded is not a change of holder.
                if old != InterchangeLoad.noHolder.documento { left.append(m) }
                terms += SearchText.terms(holder?.nome ?? InterchangeLoad.noHolder.nome).map { ["nome", $0, m] }
            }
            // The people the agência shows: each customer with a link in force, once, by the
            // strongest role (holder, then financial responsibility, then user — an owner is shown as a user).
            var roles: [String: (papel: String, since: CivilDate)] = [:]
            for (l, doc, _) in all where l.inicio <= today && (l.fim.map { $0 >= today } ?? true) {
                let papel = doc == documento ? "titular" : l.tipo == "responsavel" ? "responsavel_financeiro" : "usuario"
                if let have = roles[doc], Self.roleRank[have.papel]! <= Self.roleRank[papel]! { continue }
                roles[doc] = (papel, l.inicio)
            }
            for (doc, r) in roles.sorted(by: { $0.key < $1.key }) {
                people.append([m, doc, r.papel, Int64(LocalCalendar.instant(r.since, minute: 0, timeZone: timeZone).timeIntervalSince1970)])
            }
        }
        try await BulkTable.update(db, "properties", keys: ["matricula"], columns: ["titular"], newHolders)
        if !left.isEmpty {
            try await db.raw(
                "UPDATE sessions SET revoked_at = \(bind: now) WHERE kind = 'customer' AND revoked_at IS NULL AND matricula IN (\(binds: left))"
            ).run()
        }
        if !newHolders.isEmpty {
            let changed = newHolders.compactMap { $0[0] as? String }
            try await db.raw("DELETE FROM search_terms WHERE kind = 'nome' AND matricula IN (\(binds: changed))").run()
            try await BulkTable.insert(db, "search_terms", ["kind", "term", "matricula"], terms, conflict: "kind, term, matricula")
        }
        try await db.raw("DELETE FROM property_links WHERE matricula IN (\(binds: matriculas))").run()
        try await BulkTable.insert(db, "property_links", ["matricula", "documento", "papel", "linked_at"], people, conflict: nil)
        return left.count
    }

    // MARK: Bills

    /// The source's words for a situation the agência keeps as `baixada`.
    static func sourceLabel(_ situacao: String) -> String {
        switch situacao {
        case "cancelada": return "Cancelada"
        case "substituida": return "Substituída por retificação"
        case "parcelada": return "Parcelada na concessionária"
        case "arrastada": return "Arrastada para outra conta"
        case "entrada_parcelamento": return "Entrada de parcelamento"
        case "prescrita": return "Prescrita"
        case "pre_faturada": return "Pré-faturada (não emitida)"
        default: return "Baixada na concessionária"
        }
    }

    static let billColumns = [
        "matricula", "competencia", "vencimento", "valor_centavos", "situacao", "consumo_m3", "leitura_estimada", "divida_ativa_em",
        "codigo_barras_origem", "situacao_origem",
    ]

    func bills(_ rows: [Row], db: any SQLDatabase) async throws -> BatchOutcome {
        var out = BatchOutcome()
        let file = "contas.csv"
        let ids = rows.compactMap { Self.value($0.row, "id_conta") }
        let ms = Array(Set(rows.compactMap { matricula($0.row) }))
        // The bills of these properties: by the source's id, or the month's bill in force the
        // agência already had (adopted), or one in force that another source bill holds.
        var byOrigin: [String: any SQLRow] = [:]
        var inForce: [String: any SQLRow] = [:]
        let select = "SELECT id, origem_id, pago_em, \(Self.billColumns.joined(separator: ", ")) FROM bills"
        for r in try await db.raw(
            "\(unsafeRaw: select) WHERE origem_id IN (\(binds: ids)) OR (matricula IN (\(binds: ms)) AND situacao <> 'baixada')"
        ).all() {
            if let o = try r.decode(column: "origem_id", as: String?.self), ids.contains(o) { byOrigin[o] = r }
            if try r.decode(column: "situacao", as: String.self) != SituacaoConta.baixada.rawValue {
                inForce[try r.decode(column: "matricula", as: String.self) + " " + r.decode(column: "competencia", as: String.self)] = r
            }
        }
        // The month's water reading (applied before the bills): the consumption billed, estimated
        // unless read.
        var read: [String: (Int64, Int64)] = [:]
        for r in try await db.raw(
            """
            SELECT matricula, referencia, consumo_faturado, tipo_consumo FROM readings
            WHERE ponto = 'agua' AND matricula IN (\(binds: ms.isEmpty ? [""] : ms)) AND referencia IN (\(binds: Array(Set(rows.compactMap { $0.row["referencia"] }))))
            """
        ).all() {
            read[try r.decode(column: "matricula", as: String.self) + " " + r.decode(column: "referencia", as: String.self)] = (
                try r.decode(column: "consumo_faturado", as: Int64.self), try r.decode(column: "tipo_consumo", as: String.self) == "real" ? 0 : 1
            )
        }
        var nextId = try await db.raw("SELECT COALESCE(MAX(id), 0) AS m FROM bills").first()?.decode(column: "m", as: Int64.self) ?? 0
        let wanted = ids.compactMap(Int64.init)
        var taken = Set(
            try await db.raw("SELECT id FROM bills WHERE id IN (\(binds: wanted.isEmpty ? [Int64(-1)] : wanted))").all().map {
                try $0.decode(column: "id", as: Int64.self)
            })
        var inserts: [BulkTable.Row] = []
        var notices: [(String, String)] = []
        var changedBills: [Int64] = []
        // Bills leaving force first, so that a rectified month's new bill finds its place free.
        let ordered = rows.sorted { a, b in
            let offA = !["normal", "retificada", "incluida"].contains(a.row["situacao"] ?? "") || Self.excluded(a.row)
            let offB = !["normal", "retificada", "incluida"].contains(b.row["situacao"] ?? "") || Self.excluded(b.row)
            return offA && !offB
        }
        for r in ordered {
            let row = r.row
            guard let id = Self.value(row, "id_conta"), let m = matricula(row), let referencia = row["referencia"] else { continue }
            let stored = byOrigin[id] ?? inForce["\(m) \(referencia)"].flatMap { s in (try? s.decode(column: "origem_id", as: String?.self)) == nil ? s : nil }
            let storedSituacao = try stored.flatMap { SituacaoConta(rawValue: try $0.decode(column: "situacao", as: String.self)) }
            let source = Self.excluded(row) ? "excluida" : row["situacao"] ?? ""
            var situacao: SituacaoConta
            var origem: String? = nil
            if ["normal", "retificada", "incluida"].contains(source) {
                if row["quitada"] == "true" {
                    situacao = .paga
                } else if let s = storedSituacao,
                    try s == .paga || s == .parcelada
                        || (s == .emRevisao && [nil, InterchangeLoad.paymentUnderReview].contains(Self.text(stored!, "situacao_origem")))
                {
                    // Paid by the agência's own return file, in its agreement, in a card payment,
                    // or with a payment the source has not classified yet.
                    situacao = s
                    origem = try Self.text(stored!, "situacao_origem")
                } else if row["em_revisao"] == "true" {
                    situacao = .emRevisao
                    origem = "contestada, em análise"
                } else if (Interchange.cents(row["valor_total"] ?? "") ?? 0) <= 0 {
                    // GSAN's rule: a bill with nothing to pay is not open.
                    situacao = .baixada
                    origem = "Sem valor a cobrar (os créditos cobriram a conta)"
                } else {
                    situacao = .aberta
                }
            } else if source == "parcelada", storedSituacao == .parcelada {
                situacao = .parcelada
            } else {
                situacao = .baixada
                origem = source == "excluida" ? "Excluída na concessionária" : Self.value(row, "situacao_origem_descricao") ?? Self.sourceLabel(source)
            }
            // A bill the agência holds — in its own agreement, or in a card payment under
            // review — keeps its situation and value: the change goes to the back office as a
            // notice (DECISIONS 93). Any other change to an owed bill voids the open statements
            // that carry it.
            var valor = Interchange.cents(row["valor_total"] ?? "") ?? 0
            let storedValor = try stored.flatMap { try $0.decode(column: "valor_centavos", as: Int64?.self) }
            let cardHeld = try storedSituacao == .emRevisao && stored.flatMap { try Self.text($0, "situacao_origem") } == nil
            if let was = storedSituacao, was == .parcelada || cardHeld, situacao != was || valor != storedValor {
                let words = situacao == .baixada ? origem ?? "baixada" : "valor \(Money(cents: valor).formatted)"
                notices.append(
                    (m, was == .parcelada
                        ? "A conta \(referencia) (id_conta \(id)) está num acordo da agência e a concessionária a mudou (\(words)): revise o acordo."
                        : "A conta \(referencia) (id_conta \(id)) está num pagamento com cartão em análise e a concessionária a mudou (\(words)): se for aprovado, estorne."))
                situacao = was
                origem = nil
                valor = storedValor ?? valor
            } else if let was = storedSituacao, was.isOwedOnItsOwn, valor != storedValor || !situacao.isOwedOnItsOwn, let s = stored {
                changedBills.append(try s.decode(column: "id", as: Int64.self))
            }
            if situacao != .baixada, let holder = inForce["\(m) \(referencia)"], stored.map({ s in
                (try? s.decode(column: "id", as: Int64.self)) != (try? holder.decode(column: "id", as: Int64.self))
            }) ?? true {
                let other = (try? holder.decode(column: "origem_id", as: String?.self)) ?? nil
                out.setAside.append(
                    Self.aside(r, file, id, "referencia: o imóvel já tem uma conta em vigor de \(referencia)\(other.map { " (id_conta \($0))" } ?? "")"))
                continue
            }
            let divida = Self.value(row, "divida_ativa_em") ?? (row["divida_ativa"] == "true" ? row["vencimento"] : nil)
            let storedConsumo = try stored.flatMap { try $0.decode(column: "consumo_m3", as: Int64?.self) }
            let storedEstimada = try stored.flatMap { try $0.decode(column: "leitura_estimada", as: Int64?.self) }
            let (consumo, estimada) =
                read["\(m) \(referencia)"] ?? (Self.value(row, "consumo_agua_m3").flatMap(Int64.init) ?? storedConsumo ?? 0, storedEstimada ?? 0)
            let values: [(String, (any Encodable & Sendable)?)] = [
                ("matricula", m), ("competencia", referencia), ("vencimento", row["vencimento"] ?? ""),
                ("valor_centavos", valor), ("situacao", situacao.rawValue), ("consumo_m3", consumo), ("leitura_estimada", estimada),
                ("divida_ativa_em", divida), ("codigo_barras_origem", Self.value(row, "codigo_barras")), ("situacao_origem", origem),
            ]
            if let s = stored {
                let billId = try s.decode(column: "id", as: Int64.self)
                let adopted = try s.decode(column: "origem_id", as: String?.self) == nil
                let differs = try Self.changed(s, values)
                guard adopted || differs else {
                    out.counts.inalterados += 1
                    continue
                }
                try await Self.update(db, "bills", values + [("origem_id", id)], whereColumn: "id", is: billId)
                if situacao == .baixada && storedSituacao != .baixada { out.counts.inativados += 1 } else { out.counts.atualizados += 1 }
                if let key = try? s.decode(column: "matricula", as: String.self) + " " + s.decode(column: "competencia", as: String.self),
                    situacao == .baixada
                {
                    inForce[key] = nil
                }
            } else {
                var billId: Int64
                if let n = Int64(id), n > 0, !taken.contains(n) {
                    billId = n
                } else {
                    nextId += 1
                    while taken.contains(nextId) { nextId += 1 }
                    billId = nextId
                }
                taken.insert(billId)
                nextId = max(nextId, billId)
                inserts.append([billId, id] + values.map(\.1))
                if situacao != .baixada { inForce["\(m) \(referencia)"] = nil }
                out.counts.inseridos += 1
            }
        }
        try await BulkTable.insert(db, "bills", ["id", "origem_id"] + Self.billColumns, inserts, conflict: nil)
        if !changedBills.isEmpty {
            let reason = "Uma conta deste extrato foi alterada pela concessionária (retificada, cancelada ou quitada): emita um novo extrato."
            for r in try await db.raw(
                """
                UPDATE statements SET voided_at = \(bind: now), voided_reason = \(bind: reason)
                WHERE voided_at IS NULL AND due_on >= \(bind: today.iso)
                  AND id IN (SELECT statement_id FROM statement_lines WHERE bill_id IN (\(binds: changedBills)))
                RETURNING id, matricula
                """
            ).all() {
                notices.append((try r.decode(column: "matricula", as: String.self), "Extrato nº \(try r.decode(column: "id", as: Int64.self)) cancelado: \(reason)"))
            }
        }
        try await Self.notify(db, notices, now: now)
        out.notices = notices.map { "\($0.0): \($0.1)" }
        return out
    }

    /// What the back office must look at, in the audit trail (action `carga_aviso`, by `carga`),
    /// where the supervisor's audit screen finds it; the load's report lists them too.
    static func notify(_ db: any SQLDatabase, _ notices: [(matricula: String, text: String)], now: Int64) async throws {
        try await BulkTable.insert(
            db, "audit_log", ["at", "staff_usuario", "action", "matricula", "detail"],
            notices.map { [now, InterchangeLoad.actor, InterchangeLoad.noticeAction, $0.matricula, $0.text] }, conflict: nil)
    }

    // MARK: Readings

    func readings(_ rows: [Row], db: any SQLDatabase) async throws -> BatchOutcome {
        var out = BatchOutcome()
        let ms = Array(Set(rows.compactMap { matricula($0.row) }))
        let columns = ["hidrometro", "data_leitura", "leitura", "consumo_medido", "consumo_faturado", "consumo_medio", "tipo_consumo", "anormalidade"]
        var stored: [String: any SQLRow] = [:]
        let referencias = Array(Set(rows.compactMap { $0.row["referencia"] }))
        for r in try await db.raw(
            """
            SELECT matricula, referencia, ponto, \(unsafeRaw: columns.joined(separator: ", ")) FROM readings
            WHERE matricula IN (\(binds: ms)) AND referencia IN (\(binds: referencias))
            """
        ).all() {
            stored[try ["matricula", "referencia", "ponto"].map { try r.decode(column: $0, as: String.self) }.joined(separator: " ")] = r
        }
        var inserts: [BulkTable.Row] = []
        var updates: [BulkTable.Row] = []
        var billUpdates: [BulkTable.Row] = []
        for r in rows {
            let row = r.row
            guard let m = matricula(row), let referencia = row["referencia"], let ponto = row["ponto"] else { continue }
            let k = "\(m) \(referencia) \(ponto)"
            if Self.excluded(row) {
                try await db.raw(
                    "DELETE FROM readings WHERE matricula = \(bind: m) AND referencia = \(bind: referencia) AND ponto = \(bind: ponto)"
                ).run()
                out.counts.inativados += stored[k] == nil ? 0 : 1
                continue
            }
            let int = { (c: String) -> Int64? in Self.value(row, c).flatMap(Int64.init) }
            let values: [(String, (any Encodable & Sendable)?)] = [
                ("hidrometro", Self.value(row, "hidrometro")), ("data_leitura", Self.value(row, "data_leitura")), ("leitura", int("leitura")),
                ("consumo_medido", int("consumo_medido_m3")), ("consumo_faturado", int("consumo_faturado_m3") ?? 0),
                ("consumo_medio", int("consumo_medio_m3")), ("tipo_consumo", row["tipo_consumo"] ?? "outro"),
                ("anormalidade", Self.value(row, "anormalidade_origem_descricao") ?? Self.value(row, "anormalidade")),
            ]
            if let s = stored[k] {
                guard try Self.changed(s, values) else {
                    out.counts.inalterados += 1
                    continue
                }
                out.counts.atualizados += 1
                updates.append([m, referencia, ponto] + values.map(\.1))
            } else {
                out.counts.inseridos += 1
                inserts.append([m, referencia, ponto] + values.map(\.1))
            }
            // The month's bill shows the billed consumption, estimated unless read (a bill the
            // package brings takes it when it is applied, after the readings).
            if ponto == "agua" { billUpdates.append([m, referencia, int("consumo_faturado_m3") ?? 0, Int64(row["tipo_consumo"] == "real" ? 0 : 1)]) }
        }
        try await BulkTable.insert(db, "readings", ["matricula", "referencia", "ponto"] + columns, inserts)
        try await BulkTable.insert(
            db, "readings", ["matricula", "referencia", "ponto"] + columns, updates, conflict: "matricula, referencia, ponto", update: columns)
        try await BulkTable.update(
            db, "bills", keys: ["matricula", "competencia"], columns: ["consumo_m3", "leitura_estimada"], billUpdates,
            condition: "(bills.consumo_m3 <> v.column3 OR bills.leitura_estimada <> v.column4)")
        return out
    }

    // MARK: Payments

    func payments(_ rows: [Row], db: any SQLDatabase) async throws -> BatchOutcome {
        var out = BatchOutcome()
        let file = "pagamentos.csv"
        let ids = rows.compactMap { Self.value($0.row, "id_pagamento") }
        let billIds = Array(Set(rows.compactMap { Self.value($0.row, "id_conta") }))
        var stored: [String: any SQLRow] = [:]
        for r in try await db.raw("SELECT id, origem_id, bill_id, paid_on, amount_cents, channel FROM payments WHERE origem_id IN (\(binds: ids))").all() {
            stored[try r.decode(column: "origem_id", as: String.self)] = r
        }
        var bills: [String: (id: Int64, matricula: String, situacao: SituacaoConta?)] = [:]
        for r in try await db.raw(
            "SELECT id, origem_id, matricula, situacao FROM bills WHERE origem_id IN (\(binds: billIds.isEmpty ? [""] : billIds))"
        ).all() {
            bills[try r.decode(column: "origem_id", as: String.self)] = (
                try r.decode(column: "id", as: Int64.self), try r.decode(column: "matricula", as: String.self),
                SituacaoConta(rawValue: try r.decode(column: "situacao", as: String.self))
            )
        }
        var paidBy: [Int64: String?] = [:]
        var inserts: [BulkTable.Row] = []
        var paid: [BulkTable.Row] = []
        let agencyBills = bills.values.map(\.id)
        for r in try await db.raw(
            "SELECT bill_id, origem_id FROM payments WHERE bill_id IN (\(binds: agencyBills.isEmpty ? [Int64(-1)] : agencyBills))"
        ).all() {
            paidBy[try r.decode(column: "bill_id", as: Int64.self)] = try r.decode(column: "origem_id", as: String?.self)
        }
        for r in rows {
            let row = r.row
            guard let id = Self.value(row, "id_pagamento") else { continue }
            if Self.excluded(row) {
                // A payment undone at the source (estorno): its bill is open again.
                if let s = stored[id] {
                    let billId = try s.decode(column: "bill_id", as: Int64.self)
                    try await db.raw("DELETE FROM payments WHERE origem_id = \(bind: id)").run()
                    try await db.raw("UPDATE bills SET situacao = 'aberta', pago_em = NULL WHERE id = \(bind: billId) AND situacao = 'paga'").run()
                    out.counts.inativados += 1
                } else if let conta = Self.value(row, "id_conta"), let bill = bills[conta], bill.situacao == .emRevisao {
                    // An unclassified payment undone: the bill is open again.
                    try await db.raw(
                        """
                        UPDATE bills SET situacao = 'aberta', situacao_origem = NULL
                        WHERE id = \(bind: bill.id) AND situacao = 'em_revisao' AND situacao_origem = \(bind: InterchangeLoad.paymentUnderReview)
                        """
                    ).run()
                    out.counts.inativados += 1
                } else {
                    out.counts.inalterados += 1
                }
                continue
            }
            guard row["documento_tipo"] == "conta", let conta = Self.value(row, "id_conta") else {
                out.counts.ignorados += 1
                continue
            }
            guard let bill = bills[conta] else {
                out.setAside.append(Self.aside(r, file, id, "id_conta: conta \(conta) desconhecida (nem no pacote nem já carregada)"))
                continue
            }
            guard row["situacao"] == "classificado" else {
                // GSAN's rule (GSAN.md §3.4): any payment of a bill takes it out of the open debt.
                // Until the utility classifies it, the bill is owed but cannot be paid again.
                if bill.situacao == .aberta {
                    try await db.raw(
                        """
                        UPDATE bills SET situacao = 'em_revisao', situacao_origem = \(bind: InterchangeLoad.paymentUnderReview)
                        WHERE id = \(bind: bill.id) AND situacao = 'aberta'
                        """
                    ).run()
                    bills[conta]?.situacao = .emRevisao
                    out.counts.atualizados += 1
                } else {
                    out.counts.ignorados += 1
                }
                continue
            }
            let paidOn = row["data_pagamento"] ?? ""
            let amount = Interchange.cents(row["valor"] ?? "") ?? 0
            let channel = Self.value(row, "canal") ?? Self.value(row, "canal_origem_descricao") ?? "concessionaria"
            let values: [(String, (any Encodable & Sendable)?)] = [("paid_on", paidOn), ("amount_cents", amount), ("channel", channel)]
            if let s = stored[id] {
                if try Self.changed(s, values) {
                    try await Self.update(db, "payments", values, whereColumn: "origem_id", is: id)
                    out.counts.atualizados += 1
                } else {
                    out.counts.inalterados += 1
                }
                continue
            }
            if let existing = paidBy[bill.id] {
                if let other = existing {
                    out.setAside.append(Self.aside(r, file, id, "id_conta: a conta \(conta) já tem o pagamento \(other) classificado"))
                } else {
                    // Paid by the agência's own return file: the same payment, recorded once.
                    try await db.raw("UPDATE payments SET origem_id = \(bind: id) WHERE bill_id = \(bind: bill.id) AND origem_id IS NULL").run()
                    paidBy[bill.id] = id
                    out.counts.atualizados += 1
                }
                continue
            }
            inserts.append([bill.matricula, bill.id, paidOn, amount, channel, id])
            paidBy[bill.id] = id
            // The bill paid, with the date; it leaves the source's words of its review.
            if bill.situacao == .aberta || bill.situacao == .emRevisao { paid.append([bill.id, paidOn, SituacaoConta.paga.rawValue, nil]) }
            out.counts.inseridos += 1
        }
        try await BulkTable.insert(db, "payments", ["matricula", "bill_id", "paid_on", "amount_cents", "channel", "origem_id"], inserts)
        try await BulkTable.update(
            db, "bills", keys: ["id"], columns: ["pago_em", "situacao", "situacao_origem"], paid, condition: "bills.situacao IN ('aberta', 'em_revisao')")
        return out
    }

    // MARK: Complete packages

    /// What a complete package left out: properties and customers of the source inactive (never
    /// deleted); the source's links of its properties not in it gone, and the holders derived again. Returns the
    /// properties and customers inactivated and the holders changed.
    func inactivateMissing(db: any SQLDatabase, loadId: Int64) async throws -> (Int, Int, Int) {
        let properties = try await db.raw(
            """
            UPDATE properties SET ativo = 0 WHERE ativo = 1
              AND matricula NOT IN (SELECT chave FROM interchange_keys WHERE arquivo = 'imoveis.csv')
              AND matricula NOT IN (SELECT chave FROM interchange_set_aside WHERE arquivo = 'imoveis.csv' AND chave IS NOT NULL) RETURNING matricula
            """
        ).all().count
        let customers = try await db.raw(
            """
            UPDATE customers SET ativo = 0 WHERE ativo = 1 AND codigo_origem IS NOT NULL
              AND codigo_origem NOT IN (SELECT chave FROM interchange_keys WHERE arquivo = 'clientes.csv')
              AND codigo_origem NOT IN (SELECT chave FROM interchange_set_aside WHERE arquivo = 'clientes.csv' AND chave IS NOT NULL)
              RETURNING documento
            """
        ).all().count
        // The links of a property in the package are the package's; a property it left out
        // keeps its last people (its holder is told why they cannot log in).
        let touched = try await db.raw(
            """
            DELETE FROM source_links WHERE load_id <> \(bind: loadId)
              AND matricula IN (SELECT chave FROM interchange_keys WHERE arquivo = 'imoveis.csv') RETURNING matricula
            """
        ).all().map {
            try $0.decode(column: "matricula", as: String.self)
        }
        var holders = 0
        let unique = Array(Set(touched)).sorted()
        var start = 0
        while start < unique.count {
            holders += try await derive(Array(unique[start..<min(unique.count, start + 500)]), db: db)
            start += 500
        }
        return (properties, customers, holders)
    }
}
