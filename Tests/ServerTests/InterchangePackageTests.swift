import Crypto
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

    func write(_ files: [String: Data], manifest: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pacote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        var entries: [[String: Any]] = []
        for (name, data) in files.sorted(by: { $0.key < $1.key }) {
            try data.write(to: dir.appendingPathComponent(name))
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).count - 1
            entries.append(["nome": name, "registros": lines, "sha256": SHA256.hash(data: data).hex])
        }
        var m: [String: Any] = [
            "formato": "agencia-intercambio", "versao": "1.0", "sistema_origem": "teste", "gerado_em": "2026-11-30T02:00:00-03:00",
            "modo": "completo", "regra_dv_matricula": "mod11", "arquivos": entries,
        ]
        manifest(&m)
        try JSONSerialization.data(withJSONObject: m).write(to: dir.appendingPathComponent("manifest.json"))
        return dir.path
    }

    func goodFiles() -> [String: Data] { Self.good.mapValues { Data($0.utf8) } }

    func testAGoodPackageOpens() throws {
        let p = try InterchangePackage.open(try write(goodFiles()))
        XCTAssertEqual(p.mode, .completo)
        XCTAssertEqual(p.matriculaRule, .mod11)
        XCTAssertEqual(p.headers["clientes.csv"], ["codigo_cliente", "tipo_pessoa", "nome", "cpf_cnpj", "ativo", "atualizado_em"])
        // The same content is the same package, whatever the folder.
        XCTAssertEqual(try InterchangePackage.open(try write(goodFiles())).fingerprint, p.fingerprint)
    }

    func testEveryFaultOfTheWholeRefusesIt() throws {
        func refused(_ said: String, files: [String: Data]? = nil, manifest: (inout [String: Any]) -> Void = { _ in },
                     after: (String) throws -> Void = { _ in }, line: UInt = #line) throws {
            let path = try write(files ?? goodFiles(), manifest: manifest)
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
}
