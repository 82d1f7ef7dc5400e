import API
import CSV
import Domain
import Foundation
import SQLKit

/// `agencia-server exportar PACOTE` (issue 30): the agência's own data as an interchange package
/// — a `completo` package the loader reads back, so demo tiers become packages (tests, bench) and
/// a utility can take its data with it. Streamed: each table is read in key order, a page at a
/// time, and written as it is read.
public enum InterchangeExport {
    public struct Summary: Sendable, CustomStringConvertible {
        public var folder: String
        public var records: [String: Int]
        public var seconds: Double
        public var description: String {
            "pacote exportado em \(folder) (\(String(format: "%.1f", seconds)) s): "
                + Interchange.files.compactMap { f in records[f.name].map { "\(f.name) \($0)" } }.joined(separator: ", ")
        }
    }

    static let page = 5_000

    public static func run(
        configuration: ServerConfiguration, folder: String, clock: @escaping @Sendable () -> Date = ServerClock.system
    ) async throws -> Summary {
        try prepare(folder)
        let started = clock()
        let stamp = ISO8601DateFormatter.string(
            from: started, timeZone: TimeZone(identifier: configuration.timeZone) ?? .current, formatOptions: [.withInternetDateTime])
        let context = Context(stamp: stamp, rule: configuration.matriculaRule, timeZone: configuration.timeZone)
        return try await AdminStore.run(configuration, clock: clock) { store in
            let files = Interchange.files.filter { $0.name != "debitos.csv" }.map { f in
                let (columns, query, key) = source(f.name)
                return (f.name, Source(columns: columns, page: query, key: key) { column, row in try value(of: column, file: f.name, row: row, context: context) })
            }
            let records = try await writePackage(
                folder: folder, files: files, query: { sql in try await store.read { db in try await db.raw(SQLQueryString(sql)).all() } },
                manifest: [
                    "sistema_origem": "Agência Virtual \(AgenciaVersion.current)", "gerado_em": stamp, "modo": "completo",
                    "regra_dv_matricula": configuration.matriculaRule.rawValue,
                ])
            return Summary(folder: folder, records: records, seconds: clock().timeIntervalSince(started))
        }
    }

    /// A new folder for a package, or an empty one.
    static func prepare(_ folder: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder) {
            guard (try fm.contentsOfDirectory(atPath: folder)).isEmpty else {
                throw InterchangePackage.Refused("\(folder) já existe e não está vazia: o pacote vai para uma pasta nova.")
            }
        } else {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Where a file's rows come from: the columns it fills, the query of one page after a key (in
    /// key order), the key column, and each value.
    struct Source: Sendable {
        var columns: [String]
        var page: @Sendable (String?) -> String
        var key: String
        var value: @Sendable (String, any SQLRow) throws -> String
    }

    /// Writes each file, then the manifest (`manifest` adds the format, the version and the files
    /// with their counts and SHA-256); returns the records of each file.
    static func writePackage(
        folder: String, files: [(String, Source)], query: @escaping @Sendable (String) async throws -> [any SQLRow], manifest: [String: Any]
    ) async throws -> [String: Int] {
        var records: [String: Int] = [:]
        for (name, source) in files { records[name] = try await write(name, source, query: query, folder: folder) }
        var entries: [[String: Any]] = []
        for (name, count) in records.sorted(by: { $0.key < $1.key }) {
            entries.append(["nome": name, "registros": count, "sha256": try Backup.sha256(of: (folder as NSString).appendingPathComponent(name))])
        }
        let whole = manifest.merging(["formato": Interchange.format, "versao": Interchange.version, "arquivos": entries]) { a, _ in a }
        try JSONSerialization.data(withJSONObject: whole, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            .write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(InterchangePackage.manifestName)))
        return records
    }

    /// What every value of an export shares.
    struct Context {
        var stamp: String
        var rule: MatriculaRule
        var timeZone: String
    }

    /// One file: its header (the columns it fills) and a row per record, in pages by key.
    static func write(_ name: String, _ source: Source, query: @Sendable (String) async throws -> [any SQLRow], folder: String) async throws -> Int {
        let path = (folder as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw StorageError.corrupt("não foi possível criar \(name)")
        }
        defer { try? out.close() }
        // CSV.swift writes a byte at a time: each page goes to memory, then to the file at once.
        func chunk(_ rows: [[String]], first: Bool) throws {
            let memory = OutputStream.toMemory()
            let csv = try CSVWriter(stream: memory)
            for r in rows { try csv.write(row: r) }
            memory.close()
            let data = memory.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
            try out.write(contentsOf: (first ? Data() : Data("\n".utf8)) + data)
        }
        try chunk([source.columns], first: true)
        var count = 0
        var after: String? = nil
        while true {
            let rows = try await query(source.page(after))
            guard !rows.isEmpty else { break }
            try chunk(try rows.map { r in try source.columns.map { try source.value($0, r) } }, first: false)
            count += rows.count
            guard rows.count == page, let last = rows.last else { break }
            after = try last.decode(column: source.key, as: String.self)
        }
        try out.write(contentsOf: Data("\n".utf8))
        try out.synchronize()
        return count
    }

    /// The columns written for a file, the query of one page after a key (in key order), and the
    /// key column.
    static func source(_ name: String) -> ([String], @Sendable (String?) -> String, String) {
        @Sendable func after(_ column: String, _ k: String?) -> String {
            k.map { "WHERE \(column) > '\($0.replacingOccurrences(of: "'", with: "''"))'" } ?? ""
        }
        // An id's page starts after the last id read (the key column holds it as text).
        @Sendable func afterPair(_ k: String?) -> String {
            guard let parts = k?.split(separator: " ", maxSplits: 1), parts.count == 2 else { return "" }
            let (m, d) = (parts[0].replacingOccurrences(of: "'", with: "''"), parts[1].replacingOccurrences(of: "'", with: "''"))
            return "WHERE l.matricula > '\(m)' OR (l.matricula = '\(m)' AND l.documento > '\(d)')"
        }
        @Sendable func afterId(_ k: String?) -> String { k.flatMap(Int64.init).map { "WHERE id > \($0)" } ?? "" }
        switch name {
        case "imoveis.csv":
            return (
                [
                    "matricula", "logradouro", "numero", "complemento", "bairro", "municipio", "uf", "cep", "situacao_agua",
                    "situacao_agua_desde", "situacao_esgoto", "categoria_principal", "economias_total", "tarifa_social", "dia_vencimento",
                    "ativo", "atualizado_em",
                ],
                {
                    "SELECT matricula AS k, logradouro, numero, complemento, bairro, cidade, uf, cep, categoria, economias, situacao_ligacao, situacao_desde, esgoto, dia_vencimento FROM properties \(after("matricula", $0)) ORDER BY matricula LIMIT \(page)"
                }, "k"
            )
        case "clientes.csv":
            return (
                ["codigo_cliente", "tipo_pessoa", "nome", "cpf_cnpj", "email", "telefone_principal", "ativo", "atualizado_em"],
                { "SELECT documento AS k, nome, email, telefone FROM customers \(after("documento", $0)) ORDER BY documento LIMIT \(page)" },
                "k"
            )
        case "vinculos.csv":
            // The holder is a link of its own in `property_links` (papel `titular`).
            return (
                ["matricula", "codigo_cliente", "tipo", "inicio", "nome_na_conta", "atualizado_em"],
                {
                    // By the primary key (a page after the last pair), never by an expression: each
                    // page is an index range, not a scan of the table.
                    "SELECT l.matricula || ' ' || l.documento AS k, l.matricula, l.documento, l.papel, l.linked_at, (SELECT MIN(b.competencia) FROM bills b WHERE b.matricula = l.matricula) AS primeira FROM property_links l \(afterPair($0)) ORDER BY l.matricula, l.documento LIMIT \(page)"
                }, "k"
            )
        case "leituras.csv":
            return (
                ["matricula", "referencia", "ponto", "consumo_faturado_m3", "tipo_consumo", "atualizado_em"],
                {
                    // A month's reading from its bill in force, by the bills' primary key.
                    "SELECT CAST(id AS TEXT) AS k, matricula, competencia, consumo_m3, leitura_estimada FROM bills WHERE situacao <> 'baixada' AND id > \($0.flatMap(Int64.init) ?? Int64.min) ORDER BY id LIMIT \(page)"
                }, "k"
            )
        case "contas.csv":
            return (
                [
                    "id_conta", "matricula", "referencia", "vencimento", "valor_agua", "valor_esgoto", "valor_debitos", "valor_creditos",
                    "valor_impostos", "valor_total", "consumo_agua_m3", "situacao", "em_revisao", "divida_ativa", "divida_ativa_em",
                    "atualizado_em",
                ],
                {
                    "SELECT CAST(id AS TEXT) AS k, id, matricula, competencia, vencimento, valor_centavos, consumo_m3, situacao, divida_ativa_em FROM bills \(afterId($0)) ORDER BY id LIMIT \(page)"
                }, "k"
            )
        default:  // pagamentos.csv
            return (
                ["id_pagamento", "id_conta", "documento_tipo", "matricula", "data_pagamento", "valor", "situacao", "canal", "atualizado_em"],
                {
                    "SELECT CAST(id AS TEXT) AS k, id, bill_id, matricula, paid_on, amount_cents, channel FROM payments \(afterId($0)) ORDER BY id LIMIT \(page)"
                }, "k"
            )
        }
    }

    static func money(_ cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let a = abs(cents)
        return "\(sign)\(a / 100).\(String(format: "%02d", a % 100))"
    }

    /// One value of the package, from the agência's row (the agência's model mapped onto the
    /// canonical values: DECISIONS 92).
    static func value(of column: String, file: String, row r: any SQLRow, context: Context) throws -> String {
        func s(_ c: String) throws -> String { try r.decode(column: c, as: String?.self) ?? "" }
        func i(_ c: String) throws -> Int64? { try r.decode(column: c, as: Int64?.self) }
        func printed(_ normalized: String) -> String { Matricula(parsing: normalized, rule: context.rule)?.formatted ?? normalized }
        switch (file, column) {
        case (_, "atualizado_em"): return context.stamp
        case (_, "ativo"): return "true"
        case ("imoveis.csv", "matricula"): return printed(try s("k"))
        case ("imoveis.csv", "municipio"): return try s("cidade")
        case ("imoveis.csv", "cep"): return try s("cep").filter(\.isNumber)
        case ("imoveis.csv", "situacao_agua"):
            return SituacaoLigacao(rawValue: try s("situacao_ligacao")).map(InterchangeMapping.canonical) ?? "outra"
        case ("imoveis.csv", "situacao_agua_desde"): return try s("situacao_desde")
        case ("imoveis.csv", "situacao_esgoto"): return try i("esgoto") == 1 ? "ligado" : "factivel"
        case ("imoveis.csv", "categoria_principal"):
            return Categoria(rawValue: try s("categoria")).map { InterchangeMapping.canonical($0).principal } ?? "outra"
        case ("imoveis.csv", "tarifa_social"):
            return Categoria(rawValue: try s("categoria")).map { InterchangeMapping.canonical($0).tarifaSocial } == true ? "true" : "false"
        case ("imoveis.csv", "economias_total"): return String(try i("economias") ?? 1)
        case ("imoveis.csv", "dia_vencimento"): return (try i("dia_vencimento")).map(String.init) ?? ""
        case ("imoveis.csv", _): return try s(column)
        case ("clientes.csv", "codigo_cliente"), ("clientes.csv", "cpf_cnpj"): return try s("k")
        case ("clientes.csv", "tipo_pessoa"): return try s("k").count == 11 ? "F" : "J"
        case ("clientes.csv", "telefone_principal"): return PhoneNumber.normalized(try s("telefone")) ?? ""
        case ("clientes.csv", _): return try s(column)
        case ("vinculos.csv", "matricula"): return printed(try s("matricula"))
        case ("vinculos.csv", "codigo_cliente"): return try s("documento")
        case ("vinculos.csv", "tipo"): return try s("papel") == "responsavel_financeiro" ? "responsavel" : "usuario"
        case ("vinculos.csv", "nome_na_conta"): return try s("papel") == "titular" ? "true" : "false"
        case ("vinculos.csv", "inicio"):
            // When the link was made, or (a link older than the agência) its first bill's month.
            if let at = try i("linked_at") { return LocalCalendar.local(Date(timeIntervalSince1970: Double(at)), timeZone: context.timeZone).date.iso }
            return (try s("primeira")).isEmpty ? "2000-01-01" : "\(try s("primeira"))-01"
        case ("leituras.csv", "matricula"), ("contas.csv", "matricula"), ("pagamentos.csv", "matricula"): return printed(try s("matricula"))
        case ("leituras.csv", "referencia"), ("contas.csv", "referencia"): return try s("competencia")
        case ("leituras.csv", "ponto"): return "agua"
        case ("leituras.csv", "consumo_faturado_m3"), ("contas.csv", "consumo_agua_m3"): return String(try i("consumo_m3") ?? 0)
        case ("leituras.csv", "tipo_consumo"): return try i("leitura_estimada") == 1 ? "media" : "real"
        case ("contas.csv", "id_conta"): return String(try i("id") ?? 0)
        case ("contas.csv", "vencimento"): return try s("vencimento")
        // The agência keeps a bill's total only: it goes as water, the other parts zero.
        case ("contas.csv", "valor_agua"), ("contas.csv", "valor_total"): return money(try i("valor_centavos") ?? 0)
        case ("contas.csv", "valor_esgoto"), ("contas.csv", "valor_debitos"), ("contas.csv", "valor_creditos"), ("contas.csv", "valor_impostos"):
            return "0.00"
        case ("contas.csv", "situacao"): return SituacaoConta(rawValue: try s("situacao")) == .parcelada ? "parcelada" : "normal"
        case ("contas.csv", "em_revisao"): return "false"
        case ("contas.csv", "divida_ativa"): return (try s("divida_ativa_em")).isEmpty ? "false" : "true"
        case ("contas.csv", "divida_ativa_em"): return try s("divida_ativa_em")
        case ("pagamentos.csv", "id_pagamento"): return String(try i("id") ?? 0)
        case ("pagamentos.csv", "id_conta"): return String(try i("bill_id") ?? 0)
        case ("pagamentos.csv", "documento_tipo"): return "conta"
        case ("pagamentos.csv", "data_pagamento"): return try s("paid_on")
        case ("pagamentos.csv", "valor"): return money(try i("amount_cents") ?? 0)
        case ("pagamentos.csv", "situacao"): return "classificado"
        case ("pagamentos.csv", "canal"): return try s("channel")
        default: return ""
        }
    }
}

