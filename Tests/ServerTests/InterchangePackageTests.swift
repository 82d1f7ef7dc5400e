import Crypto
import SQLKit
import Foundation
import XCTest

@testable import Server

/// A package's faults of the whole (issue 30): each refuses it with its reason before anything
/// is read further; a good one opens, with the fingerprint that marks it applied.
final class InterchangePackageTests: XCTestCase {
    /// The smallest complete package: one property, its holder, the link, a bill, its payment.
    static let good: [String: String] = [
        "imoveis.csv": """
            matricula,logradouro,bairro,municipio,uf,situacao_agua,situacao_agua_origem_codigo,situacao_agua_origem_descricao,situacao_esgoto,categoria_principal,economias_total,tarifa_social,ativo,atualizado_em
            10001-3,RUA LARANJEIRAS 120,CENTRO,ARACAJU,SE,ligada,3,LIGADO,ligado,residencial,1,false,true,2026-11-30T02:00:00-03:00

            """,
        "clientes.csv": """
            codigo_cliente,tipo_pessoa,nome,cpf_cnpj,ativo,atualizado_em
            77,F,"SILVA, MARIA APARECIDA",11144477735,true,2026-11-30T02:00:00-03:00

            """,
        "vinculos.csv": """
            matricula,codigo_cliente,tipo,inicio,nome_na_conta,atualizado_em
            10001-3,77,usuario,2019-03-01,true,2026-11-30T02:00:00-03:00

            """,
        "contas.csv": """
            id_conta,matricula,referencia,vencimento,valor_agua,valor_esgoto,valor_debitos,valor_creditos,valor_impostos,valor_total,situacao,em_revisao,atualizado_em
            9001,10001-3,2026-10,2026-11-10,60.00,48.00,10.00,0.00,2.84,115.16,normal,false,2026-11-30T02:00:00-03:00

            """,
        "pagamentos.csv": """
            id_pagamento,id_conta,documento_tipo,data_pagamento,valor,situacao,atualizado_em
            5001,9001,conta,2026-11-09,115.16,classificado,2026-11-30T02:00:00-03:00

            """,
    ]

    func goodFiles() -> [String: Data] { Self.good.mapValues { Data($0.utf8) } }

    /// The timestamps of every row, read by hand: the same instant as Foundation's ISO 8601
    /// formatter (an independent reading) for each valid text, nil for each invalid one.
    func testTimestampsReadAsFoundationReadsThem() {
        let valid = [
            "2026-11-30T14:05:00-03:00", "2026-11-30T17:05:00Z", "2024-02-29T23:59:59+14:00", "2026-12-31T00:00:00-12:00",
            "2026-01-01T00:00:00.250Z", "1999-12-31T23:59:59.5-02:30", "2026-06-15T08:30:15+05:45",
        ]
        let f = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for text in valid {
            let expected = f.date(from: text) ?? fractional.date(from: text)
            XCTAssertNotNil(expected, text)
            XCTAssertEqual(InterchangePackage.timestamp(text)?.timeIntervalSince1970 ?? -1, expected?.timeIntervalSince1970 ?? -2, accuracy: 0.0005, text)
        }
        for text in [
            "2026-11-30T14:05:00", "2026-11-30 14:05:00-03:00", "2026-02-30T10:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T14:60:00Z",
            "2026-13-01T00:00:00Z", "2026-11-30T14:05:00-0300", "2026-11-30T14:05:00.Z", "2026-11-30", "", "2026-11-30T14:05:00Zx",
            "2026-11-30T14:05:00+03:00 ", "20261130T140500Z",
        ] {
            XCTAssertNil(InterchangePackage.timestamp(text), text)
        }
    }

    func testAGoodPackageOpens() throws {
        let p = try InterchangePackage.open(try writePackage(goodFiles()))
        XCTAssertEqual(p.mode, .completo)
        XCTAssertEqual(p.matriculaRule, .mod11)
        XCTAssertEqual(p.headers["clientes.csv"], ["codigo_cliente", "tipo_pessoa", "nome", "cpf_cnpj", "ativo", "atualizado_em"])
        // The same content is the same package, whatever the folder.
        XCTAssertEqual(try InterchangePackage.open(try writePackage(goodFiles())).fingerprint, p.fingerprint)
    }

    func testEveryFaultOfTheWholeRefusesIt() throws {
        func refused(_ said: String, files: [String: Data]? = nil, manifest: (inout [String: Any]) -> Void = { _ in },
                     after: (String) throws -> Void = { _ in }, line: UInt = #line) throws {
            let path = try writePackage(files ?? goodFiles(), manifest: manifest)
            try after(path)
            XCTAssertThrowsError(try InterchangePackage.open(path), line: line) { e in
                XCTAssertTrue("\(e)".contains(said), "expected “\(said)”: \(e)", line: line)
            }
        }
        try refused("Falta o manifest.json") { try FileManager.default.removeItem(atPath: $0 + "/manifest.json") }
        try refused("não é JSON") { try Data("{não é json".utf8).write(to: URL(fileURLWithPath: $0 + "/manifest.json")) }
        try refused("falta \"modo\"", manifest: { $0["modo"] = nil })
        try refused("formato \"outro\"", manifest: { $0["formato"] = "outro" })
        try refused("versão 2.0 desconhecida", manifest: { $0["versao"] = "2.0" })
        try refused("modo \"total\"", manifest: { $0["modo"] = "total" })
        try refused("um pacote incremental diz desde quando", manifest: { $0["modo"] = "incremental" })
        try refused("regra_dv_matricula \"gsan\"", manifest: { $0["regra_dv_matricula"] = "gsan" })
        try refused("lista faturas.csv, que não é um arquivo do formato") { path in
            var m = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + "/manifest.json"))) as! [String: Any]
            m["arquivos"] = (m["arquivos"] as! [[String: Any]]) + [["nome": "faturas.csv", "registros": 0, "sha256": "x"]]
            try JSONSerialization.data(withJSONObject: m).write(to: URL(fileURLWithPath: path + "/manifest.json"))
        }
        try refused("Arquivo desconhecido no pacote: notas.txt") { try Data().write(to: URL(fileURLWithPath: $0 + "/notas.txt")) }
        try refused("Um pacote completo traz pagamentos.csv", files: goodFiles().filter { $0.key != "pagamentos.csv" })
        try refused("contas.csv: o SHA-256 não confere") { path in
            let h = try FileHandle(forUpdating: URL(fileURLWithPath: path + "/contas.csv"))
            try h.seek(toOffset: 40)
            try h.write(contentsOf: Data("X".utf8))
            try h.close()
        }
        try refused("clientes.csv: 1 registro no arquivo e 2 no manifest.json", manifest: { m in
            m["arquivos"] = (m["arquivos"] as! [[String: Any]]).map { e in
                var e = e
                if e["nome"] as? String == "clientes.csv" { e["registros"] = 2 }
                return e
            }
        })
        var latin1 = goodFiles()
        latin1["clientes.csv"] = Self.good["clientes.csv"]!.replacingOccurrences(of: "SILVA", with: "CONCEIÇÃO").data(using: .isoLatin1)!
        try refused("clientes.csv não está em UTF-8", files: latin1)
        var semicolons = goodFiles()
        semicolons["pagamentos.csv"] = Data(Self.good["pagamentos.csv"]!.replacingOccurrences(of: ",", with: ";").utf8)
        try refused("pagamentos.csv: separado por \";\"", files: semicolons)
        var unknownColumn = goodFiles()
        unknownColumn["imoveis.csv"] = Data(Self.good["imoveis.csv"]!.replacingOccurrences(of: "bairro,", with: "distrito,").utf8)
        try refused("imoveis.csv: coluna desconhecida \"distrito\"", files: unknownColumn)
        var twice = goodFiles()
        twice["vinculos.csv"] = Data(Self.good["vinculos.csv"]!.replacingOccurrences(of: "inicio,", with: "tipo,").utf8)
        try refused("vinculos.csv: coluna \"tipo\" duas vezes", files: twice)
        var missing = goodFiles()
        missing["contas.csv"] = Data(
            Self.good["contas.csv"]!.replacingOccurrences(of: ",em_revisao", with: "").replacingOccurrences(of: ",false,2026", with: ",2026").utf8)
        try refused("contas.csv: faltam no cabeçalho as colunas em_revisao", files: missing)
    }

    /// Row faults: each set aside with its line and reason — a bad check digit (matrícula, CPF),
    /// a bill whose total does not add up, a value outside its enumeration, a malformed date or
    /// amount, a multi-line quoted field counted in the lines — and the good rows taken.
    func testRowFaultsAreNamedByLineAndReason() throws {
        var files = goodFiles()
        files["imoveis.csv"] = Data(
            (Self.good["imoveis.csv"]! + """
                10002-9,AV BEIRA MAR 2450,ATALAIA,ARACAJU,SE,ligada,3,LIGADO,ligado,residencial,1,false,true,2026-11-30T02:00:00-03:00
                10003-0,"RUA JOÃO PESSOA 33
                FUNDOS",CENTRO,ARACAJU,SE,religada,99,RELIGADO,ligado,residencial,1,false,true,2026-11-30T02:00:00-03:00
                10004-8,RUA X,CENTRO,ARACAJU,XX,ligada,,,ligado,residencial,0,talvez,true,2026-11-30

                """).utf8)
        files["clientes.csv"] = Data(
            (Self.good["clientes.csv"]! + """
                78,F,JOÃO,11144477736,true,2026-11-30T02:00:00-03:00
                79,J,EMPRESA,12ABC34501DE35,true,2026-11-30T02:00:00-03:00
                80,F,=CMD(),,true,2026-11-30T02:00:00-03:00

                """).utf8)
        files["contas.csv"] = Data(
            (Self.good["contas.csv"]! + """
                9002,10001-3,2026-09,2026-10-10,60.00,48.00,10.00,0.00,2.84,120.00,normal,false,2026-11-30T02:00:00-03:00
                9003,10001-3,2026-13,2026-02-30,60,48.00,10.00,0.00,0.00,118.00,aberta,false,2026-11-30T02:00:00-03:00

                """).utf8)
        let p = try InterchangePackage.open(try writePackage(files, records: ["imoveis.csv": 4]))
        var report: [String: [(Int, [String])]] = [:]
        var taken: [String: Int] = [:]
        for f in Interchange.files where p.headers[f.name] != nil {
            try p.forEachRow(f) { line, row in
                let problems = Interchange.problems(row, in: f, mode: p.mode, rule: p.matriculaRule)
                if problems.isEmpty { taken[f.name, default: 0] += 1 } else { report[f.name, default: []].append((line, problems)) }
            }
        }
        func at(_ file: String, _ line: Int) -> [String] { report[file]?.first { $0.0 == line }?.1 ?? [] }
        XCTAssertEqual(at("imoveis.csv", 3), ["matricula: dígito verificador não confere (regra mod11)"])
        XCTAssertEqual(at("imoveis.csv", 4), ["logradouro: caractere de controle (U+000A): só texto visível", "situacao_agua: \"religada\" não é um dos valores (potencial, factivel, ligada, em_fiscalizacao, cortada, suprimida, suprimida_parcial, em_cancelamento, outra)"])
        XCTAssertEqual(
            at("imoveis.csv", 6),
            ["uf: UF inválida", "economias_total: fora de 1–9999", "tarifa_social: use true ou false", "atualizado_em: data e hora inválida (ISO 8601 com fuso)"],
            "line 6: the quoted address of line 4 spans two lines")
        XCTAssertEqual(at("clientes.csv", 3).count, 1)
        XCTAssertTrue(at("clientes.csv", 3)[0].hasPrefix("cpf_cnpj: "), "\(at("clientes.csv", 3))")
        XCTAssertEqual(at("clientes.csv", 4), [], "an alphanumeric CNPJ with its check digits")
        XCTAssertEqual(at("clientes.csv", 5), ["nome: começa com \"=\", que uma planilha leria como fórmula"])
        XCTAssertEqual(at("contas.csv", 3), ["valor_total: R$ 120,00 não é água + esgoto + débitos − créditos − impostos (R$ 115,16)"])
        XCTAssertEqual(
            at("contas.csv", 4),
            ["referencia: mês inválido (use AAAA-MM)", "vencimento: data inválida (use AAAA-MM-DD)",
             "valor_agua: valor em dinheiro escrito como 1234.50 (ponto e duas casas)", "situacao: \"aberta\" não é um dos valores (normal, retificada, incluida, cancelada, substituida, parcelada, arrastada, entrada_parcelamento, prescrita, pre_faturada, outra)"])
        XCTAssertEqual(taken, ["imoveis.csv": 1, "clientes.csv": 2, "vinculos.csv": 1, "contas.csv": 1, "pagamentos.csv": 1])
    }
}

/// The agência's own data as a package (`exportar`), on both engines: a complete package the
/// package checks accept whole, every row taken, as many records as the database has, and a
/// property read back as the API shows it.
final class InterchangeExportTests: XCTestCase {
    func testTheDemoExportsAsAPackageThatPassesEveryCheck() async throws {
        try await forEachEngine { engine in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let source = NIOLockedValueBoxString()
            try await Harness.withServer(engine, configure: { c in source.set(c.database) }) { _, server in
                var c = ServerConfiguration()
                c.database = source.get()
                let summary = try await InterchangeExport.run(configuration: c, folder: folder)
                let counts = try await server.store.read { db in
                    func n(_ sql: String) async throws -> Int { try await db.raw(SQLQueryString(sql)).first()?.decode(column: "n", as: Int.self) ?? -1 }
                    return [
                        "imoveis.csv": try await n("SELECT COUNT(*) AS n FROM properties"),
                        "clientes.csv": try await n("SELECT COUNT(*) AS n FROM customers"),
                        "vinculos.csv": try await n("SELECT COUNT(*) AS n FROM property_links"),
                        "contas.csv": try await n("SELECT COUNT(*) AS n FROM bills"),
                        "leituras.csv": try await n("SELECT COUNT(*) AS n FROM bills"),
                        "pagamentos.csv": try await n("SELECT COUNT(*) AS n FROM payments"),
                    ]
                }
                AEq(summary.records, counts, "\(engine)")
            }
            let p = try InterchangePackage.open(folder)
            var faults: [String] = []
            var maria: [String: String]?
            for f in Interchange.files where p.headers[f.name] != nil {
                try p.forEachRow(f) { line, row in
                    let problems = Interchange.problems(row, in: f, mode: p.mode, rule: p.matriculaRule)
                    if !problems.isEmpty { faults.append("\(f.name):\(line): \(problems)") }
                    if f.name == "imoveis.csv", row["matricula"] == "10001-3" { maria = row }
                }
            }
            AEq(faults, [], "\(engine): every exported row passes the loader's checks")
            let m = try XCTUnwrap(maria, "\(engine)")
            AEq(m["logradouro"], "Rua Laranjeiras", "\(engine)")
            AEq(m["situacao_agua"], "ligada")
            AEq(m["categoria_principal"], "residencial")
            AEq(m["cep"]?.count, 8)
        }
    }
}

extension XCTestCase {
    /// `records`: a file's count when a quoted field spans lines (the lines are not the records).
    func writePackage(_ files: [String: Data], records: [String: Int] = [:], manifest: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pacote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        var entries: [[String: Any]] = []
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            try data.write(to: dir.appendingPathComponent(name))
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).count - 1
            entries.append(["nome": name, "registros": records[name] ?? lines, "sha256": SHA256.hash(data: data).hex])
        }
        var m: [String: Any] = [
            "formato": "agencia-intercambio", "versao": "1.0", "sistema_origem": "teste", "gerado_em": "2026-11-30T02:00:00-03:00",
            "modo": "completo", "regra_dv_matricula": "mod11", "arquivos": entries,
        ]
        manifest(&m)
        try JSONSerialization.data(withJSONObject: m).write(to: dir.appendingPathComponent("manifest.json"))
        return dir.path
    }
}

/// A string shared with a configure closure.
final class NIOLockedValueBoxString: @unchecked Sendable {
    private var value = ""
    private let lock = NSLock()
    func set(_ v: String) { lock.withLock { value = v } }
    func get() -> String { lock.withLock { value } }
}
