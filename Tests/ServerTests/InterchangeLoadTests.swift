import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import XCTest

@testable import Server

/// `agencia-server carga` (issue 30): a package exported from the demo loads into an empty
/// database and the API answers as the source did; a package already applied changes nothing.
final class InterchangeLoadTests: XCTestCase {
    /// What the API answers about a property, as staff at the counter sees it: summary, bills,
    /// consumption, payments, linked properties and people.
    static func answers(_ client: any TestClientProtocol, token: String, matricula m: String) async throws -> [String: String] {
        var out: [String: String] = [:]
        for path in ["", "/bills", "/consumption", "/payments", "/linked", "/people"] {
            let r = try await client.get("/v1/properties/\(m)\(path)", token: token)
            var object = try JSONSerialization.jsonObject(with: Data(buffer: r.body))
            // When a person was linked: the source knows it (the link's start) where the demo
            // never recorded it.
            if path == "/people", var o = object as? [String: Any], let items = o["items"] as? [[String: Any]] {
                o["items"] = items.map { $0.filter { $0.key != "since" } }
                object = o
            }
            out[path] = "\(r.status.code) " + String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        return out
    }

    /// The situations that are the agência's own and do not travel in the package: a card
    /// payment under review, an agreement (DECISIONS 93).
    static func ownStates(_ answers: [String: String]) -> Bool {
        answers["/bills"].map { $0.contains("\"em_revisao\"") || $0.contains("\"parcelada\"") } ?? false
    }

    func testAnExportLoadsIntoAnEmptyDatabaseWithTheSameAnswers() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carga-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let source = NIOLockedValueBoxString()
            var before: [String: [String: String]] = [:]
            try await Harness.withServer(engine, clock: clock, configure: { c in source.set(c.database) }) { client, server in
                var c = ServerConfiguration()
                c.database = source.get()
                _ = try await InterchangeExport.run(configuration: c, folder: folder, clock: { clock.now })
                let token = try await client.staffToken()
                let ms = try await server.store.read { db in
                    try await db.raw("SELECT matricula FROM properties ORDER BY matricula").all().map { try $0.decode(column: "matricula", as: String.self) }
                }
                for m in ms { before[m] = try await Self.answers(client, token: token, matricula: m) }
            }
            let target = NIOLockedValueBoxString()
            try await Harness.withServer(
                engine, clock: clock,
                configure: { c in
                    c.seed = "referencia"
                    target.set(c.database)
                }
            ) { client, server in
                var c = ServerConfiguration()
                c.database = target.get()
                let report = try await InterchangeLoad.run(configuration: c, folder: folder, simulate: false, clock: { clock.now })
                AEq(report.separados, [], "\(engine): nothing set aside")
                AEq(report.arquivos["imoveis.csv"]?.inseridos, before.count, "\(engine)")
                AEq(report.titularesTrocados, 0, "\(engine): a first load changes no holder")
                let token = try await client.staffToken()
                // Those properties' bills differ (the card payment and the agreement stay in the
                // source database): their consumption, payments and people do not.
                let own = Set(before.filter { Self.ownStates($0.value) }.keys)
                var compared = 0
                for (m, expected) in before.sorted(by: { $0.key < $1.key }) {
                    let got = try await Self.answers(client, token: token, matricula: m)
                    for (path, answer) in expected {
                        if own.contains(m) && ["", "/bills"].contains(path) { continue }
                        if path == "/linked", own.contains(where: { answer.contains("\"matricula\":\"\($0)\"") }) { continue }
                        compared += 1
                        if got[path] != answer {
                            XCTFail("\(engine) \(m)\(path):\n  fonte:  \(answer.prefix(600))\n  carga:  \(got[path]?.prefix(600) ?? "-")")
                        }
                    }
                }
                ATrue(own.count * 5 < before.count, "\(engine): \(own.count) of \(before.count) properties with the agência's own states")
                ATrue(compared > before.count * 5, "\(engine): \(compared) answers compared")
                // The same package again: nothing to do.
                do {
                    _ = try await InterchangeLoad.run(configuration: c, folder: folder, simulate: false, clock: { clock.now })
                    XCTFail("\(engine): a package applied twice")
                } catch is InterchangeLoad.AlreadyApplied {}
            }
        }
    }
}

/// Every kind of fault of a load (issue 30): the message, and that nothing else changed.
final class InterchangeLoadFaultTests: XCTestCase {
    typealias Files = [String: String]

    /// A server over a database with the demo's reference data and no property; `body` gets a
    /// configuration for the load on the same database.
    func withEmpty(
        _ engine: Engine, clock: TestClock = TestClock(), _ body: (ServerConfiguration, any TestClientProtocol, AgenciaServer) async throws -> Void
    ) async throws {
        let database = NIOLockedValueBoxString()
        try await Harness.withServer(
            engine, clock: clock,
            configure: { c in
                c.seed = "referencia"
                database.set(c.database)
            }
        ) { client, server in
            var c = ServerConfiguration()
            c.database = database.get()
            try await body(c, client, server)
        }
    }

    func load(_ c: ServerConfiguration, _ folder: String, simulate: Bool = false, clock: TestClock = TestClock()) async throws
        -> InterchangeLoad.Report
    {
        try await InterchangeLoad.run(configuration: c, folder: folder, simulate: simulate, batchSize: 2, clock: { clock.now })
    }

    func count(_ server: AgenciaServer, _ sql: String) async throws -> Int {
        try await server.store.read { db in try await db.raw(SQLQueryString(sql)).first()?.decode(column: "n", as: Int.self) ?? -1 }
    }

    func package(_ files: Files, mode: String = "completo") throws -> String {
        try writePackage(files.mapValues { Data($0.utf8) }) { m in
            m["modo"] = mode
            if mode == "incremental" { m["desde"] = "2026-11-29T02:00:00-03:00" }
        }
    }

    /// The good package with a row appended to some files.
    func adding(_ extra: Files) -> Files {
        var files = InterchangePackageTests.good
        for (name, rows) in extra { files[name] = files[name]! + rows + "\n" }
        return files
    }

    static let stamp = "2026-11-30T02:00:00-03:00"

    func testRowFaultsAreSetAsideByLineAndReasonAndTheRestApplied() async throws {
        try await forEachEngine { engine in
            try await withEmpty(engine) { c, _, server in
                let s = Self.stamp
                let folder = try package(
                    adding([
                        "imoveis.csv": """
                            10002-9,RUA A 1,CENTRO,ARACAJU,SE,ligada,,,ligado,residencial,1,false,true,\(s)
                            10003-0,RUA B 2,CENTRO,ARACAJU,SE,xyz,,,ligado,residencial,1,false,true,\(s)
                            10005-6,RUA C 3,CENTRO,ARACAJU,SE,ligada,,,ligado,outra,1,false,true,\(s)
                            """,
                        "clientes.csv": "78,F,JOSE SOUZA,11144477736,true,\(s)",
                        "vinculos.csv": "10001-3,99,usuario,2020-01-01,false,\(s)",
                        "contas.csv": """
                            9002,10001-3,2026-09,2026-10-10,60.00,48.00,0.00,0.00,0.00,100.00,normal,false,\(s)
                            9003,10005-6,2026-10,2026-11-10,60.00,0.00,0.00,0.00,0.00,60.00,normal,false,\(s)
                            """,
                        "pagamentos.csv": "5002,9999,conta,2026-11-09,10.00,classificado,\(s)",
                    ]))
                let report = try await load(c, folder)
                let got = report.separados.map { "\($0.arquivo):\($0.linha): \($0.motivos.joined(separator: "; "))" }
                let expected = [
                    ("clientes.csv:3:", "cpf_cnpj: CPF/CNPJ inválido: dígitos verificadores não conferem"),
                    ("contas.csv:3:", "valor_total: R$ 100,00 não é água + esgoto + débitos − créditos − impostos (R$ 108,00)"),
                    ("contas.csv:4:", "matricula: imóvel desconhecido"),
                    ("imoveis.csv:3:", "matricula: dígito verificador não confere"),
                    ("imoveis.csv:4:", "situacao_agua: \"xyz\" não é um dos valores"),
                    ("imoveis.csv:5:", "categoria_principal: \"outra\" não tem tarifa na agência"),
                    ("pagamentos.csv:3:", "id_conta: conta 9999 desconhecida"),
                    ("vinculos.csv:3:", "codigo_cliente: cliente desconhecido"),
                ]
                AEq(got.count, expected.count, "\(engine): \(got)")
                for (prefix, reason) in expected {
                    ATrue(got.contains { $0.hasPrefix(prefix) && $0.contains(reason) }, "\(engine): \(prefix) \(reason) in \(got)")
                }
                // The good rows are in; the set-aside ones are not, and nothing refers to them.
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM properties"), 1, "\(engine)")
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM properties WHERE matricula = '100013' AND titular = '11144477735'"), 1)
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM bills WHERE origem_id = '9001' AND situacao = 'paga'"), 1, "\(engine)")
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM bills"), 1, "\(engine)")
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM payments"), 1, "\(engine)")
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM customers WHERE codigo_origem = '78'"), 0, "\(engine)")
                AEq(report.arquivos["contas.csv"]?.separados, 2, "\(engine)")
                AEq(report.arquivos["contas.csv"]?.inseridos, 1, "\(engine)")
                ATrue(report.description.contains("imoveis.csv, linha 3 (100029)") || report.description.contains("imoveis.csv, linha 3"), report.description)
            }
        }
    }

    func testAPackageFaultWritesNothing() async throws {
        try await withEmpty(.sqlite) { c, _, server in
            let folder = try package(InterchangePackageTests.good)
            try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: folder + "/contas.csv"), options: .atomic)
            do {
                _ = try await load(c, folder)
                XCTFail("a tampered package loaded")
            } catch let e as InterchangePackage.Refused {
                ATrue(e.description.contains("contas.csv: o SHA-256 não confere"), e.description)
            }
            AEq(try await count(server, "SELECT COUNT(*) AS n FROM properties"), 0)
            AEq(try await count(server, "SELECT COUNT(*) AS n FROM interchange_loads"), 0)
            AEq(try await count(server, "SELECT COUNT(*) AS n FROM batch_runs WHERE name = 'carga'"), 0)
            // A package of another matrícula rule is refused too: its matrículas are not ours.
            let other = try writePackage(InterchangePackageTests.good.mapValues { Data($0.utf8) }) { $0["regra_dv_matricula"] = "nenhuma" }
            do {
                _ = try await load(c, other)
                XCTFail("a package of another rule loaded")
            } catch let e as InterchangePackage.Refused {
                ATrue(e.description.contains("regra nenhuma"), e.description)
            }
            AEq(try await count(server, "SELECT COUNT(*) AS n FROM properties"), 0)
        }
    }

    func testASimulationWritesNothingAndCountsWhatTheLoadDoes() async throws {
        try await forEachEngine { engine in
            try await withEmpty(engine) { c, _, server in
                let folder = try package(adding(["pagamentos.csv": "5002,9999,conta,2026-11-09,10.00,classificado,\(Self.stamp)"]))
                let simulated = try await load(c, folder, simulate: true)
                ATrue(simulated.simulacao)
                for table in ["properties", "bills", "payments", "source_links", "interchange_loads", "interchange_set_aside", "interchange_keys"] {
                    AEq(try await count(server, "SELECT COUNT(*) AS n FROM \(table)"), 0, "\(engine): \(table) after a simulation")
                }
                let real = try await load(c, folder)
                AEq(simulated.arquivos, real.arquivos, "\(engine): the simulation counts what the load does")
                AEq(simulated.separados, real.separados, "\(engine)")
                AEq(real.arquivos["pagamentos.csv"]?.separados, 1, "\(engine)")
            }
        }
    }

    func testASecondLoaderIsRefusedWhileTheFirstRuns() async throws {
        try await withEmpty(.sqlite) { c, _, server in
            let other = BatchLease(store: server.store, name: InterchangeLoad.leaseName, holder: "outra-maquina:1", seconds: 600)
            _ = try await other.acquire(now: Int64(TestClock().now.timeIntervalSince1970))
            do {
                _ = try await load(c, try package(InterchangePackageTests.good))
                XCTFail("two loaders at once")
            } catch let e as BatchBusy {
                ATrue(e.description.contains("outra-maquina:1"), e.description)
            }
            AEq(try await count(server, "SELECT COUNT(*) AS n FROM properties"), 0)
        }
    }

    /// An incremental package: a connection cut, a bill cancelled that sat in a statement, a
    /// payment undone, the holder changed (their session ends, the name search follows).
    func testAnIncrementalAppliesChangesAndExclusionsAndKeepsTheAgenciasRecordsTrue() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            try await withEmpty(engine, clock: clock) { c, client, server in
                let s = Self.stamp
                _ = try await load(
                    c, try package(adding(["contas.csv": "9004,10001-3,2026-11,2026-12-10,50.00,0.00,0.00,0.00,0.00,50.00,normal,false,\(s)"])),
                    clock: clock)
                let maria = try await client.customerToken("10001-3", "111.444.777-35")
                let bills = try await client.get("/v1/properties/100013/bills", token: maria).json["items"] as? [[String: Any]] ?? []
                let open = bills.filter { $0["situacao"] as? String == "aberta" }.compactMap { $0["id"] as? Int }
                AEq(open.count, 1, "\(engine): \(bills)")
                let st = try await client.post("/v1/properties/100013/statements", ["billIds": open], token: maria, headers: ["Idempotency-Key": "k-carga-01"])
                AEq(st.status, .created, "\(engine): \(st.json)")
                let statementId = st.json["id"] as? Int ?? -1

                let m = "matricula,codigo_cliente,tipo,inicio,fim,nome_na_conta,atualizado_em,excluido\n"
                let incremental = try package(
                    [
                        "imoveis.csv": """
                            matricula,logradouro,bairro,municipio,uf,situacao_agua,situacao_agua_desde,situacao_esgoto,categoria_principal,economias_total,tarifa_social,ativo,atualizado_em,excluido
                            10001-3,RUA LARANJEIRAS 120,CENTRO,ARACAJU,SE,cortada,2026-11-28,ligado,residencial,1,false,true,\(s),false

                            """,
                        "clientes.csv": "codigo_cliente,tipo_pessoa,nome,cpf_cnpj,ativo,atualizado_em,excluido\n80,F,JOAO BATISTA DOS SANTOS,52998224725,true,\(s),false\n",
                        "vinculos.csv": m + "10001-3,77,usuario,2019-03-01,2026-11-20,true,\(s),false\n10001-3,80,usuario,2026-11-21,,true,\(s),false\n",
                        "contas.csv": """
                            id_conta,matricula,referencia,vencimento,valor_agua,valor_esgoto,valor_debitos,valor_creditos,valor_impostos,valor_total,situacao,situacao_origem_descricao,em_revisao,atualizado_em,excluido
                            9004,10001-3,2026-11,2026-12-10,50.00,0.00,0.00,0.00,0.00,50.00,cancelada,CANCELADA,false,\(s),false

                            """,
                        "pagamentos.csv": "id_pagamento,id_conta,documento_tipo,data_pagamento,valor,situacao,atualizado_em,excluido\n5001,9001,conta,2026-11-09,115.16,classificado,\(s),true\n",
                    ], mode: "incremental")
                let report = try await load(c, incremental, clock: clock)
                AEq(report.separados, [], "\(engine)")
                AEq(report.arquivos["imoveis.csv"]?.atualizados, 1, "\(engine)")
                AEq(report.arquivos["contas.csv"]?.inativados, 1, "\(engine)")
                AEq(report.arquivos["pagamentos.csv"]?.inativados, 1, "\(engine)")
                AEq(report.titularesTrocados, 1, "\(engine)")
                ATrue(report.avisos.contains { $0.contains("Extrato nº \(statementId) cancelado") }, "\(engine): \(report.avisos)")

                // Maria's session ended with her link (the server hears of another process's
                // writes within half a second); João logs in and sees the property as it is now.
                var status = HTTPResponse.Status.ok
                for _ in 0..<30 where status != .unauthorized {
                    status = try await client.get("/v1/properties/100013", token: maria).status
                    if status != .unauthorized { try await Task.sleep(for: .milliseconds(100)) }
                }
                AEq(status, .unauthorized, "\(engine)")
                let joao = try await client.customerToken("10001-3", "529.982.247-25")
                let p = try await client.get("/v1/properties/100013", token: joao).json
                AEq(p["situacaoLigacao"] as? String, "cortada", "\(engine)")
                AEq(p["situacaoLigacaoSinceOn"] as? String, "2026-11-28", "\(engine)")
                let now = try await client.get("/v1/properties/100013/bills", token: joao).json["items"] as? [[String: Any]] ?? []
                let byCompetencia = Dictionary(uniqueKeysWithValues: now.map { ($0["competencia"] as? String ?? "", $0) })
                AEq(byCompetencia["2026-11"]?["situacao"] as? String, "baixada", "\(engine)")
                AEq(byCompetencia["2026-11"]?["situacaoOrigem"] as? String, "CANCELADA", "\(engine)")
                AEq(byCompetencia["2026-10"]?["situacao"] as? String, "aberta", "\(engine): the undone payment reopens the bill")
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM payments"), 0, "\(engine)")
                let voided = try await client.get("/v1/properties/100013/statements/\(statementId)", token: joao)
                AEq(voided.status, .gone, "\(engine)")
                ATrue(voided.errorMessage?.contains("emita um novo extrato") == true, "\(engine): \(voided.json)")
                // The counter finds the property by the new holder's name, not the old one's.
                let staff = try await client.staffToken()
                let found = try await client.get("/v1/customers/search?by=nome&q=JOAO%20BATISTA", token: staff).json
                ATrue("\(found)".contains("100013"), "\(engine): \(found)")
                let gone = try await client.get("/v1/customers/search?by=nome&q=SILVA%20MARIA", token: staff).json
                ATrue(!"\(gone)".contains("100013"), "\(engine): \(gone)")
            }
        }
    }

    /// A complete package that leaves a property out inactivates it (never deletes it): its
    /// holder can no longer log in and is told why.
    func testACompletePackageInactivatesWhatItLeftOut() async throws {
        try await forEachEngine { engine in
            try await withEmpty(engine) { c, client, server in
                let s = Self.stamp
                let extra: Files = [
                    "imoveis.csv": "10002-1,RUA A 1,CENTRO,ARACAJU,SE,ligada,,,ligado,comercial,1,false,true,\(s)",
                    "vinculos.csv": "10002-1,77,usuario,2019-03-01,true,\(s)",
                ]
                _ = try await load(c, try package(adding(extra)))
                _ = try await client.customerToken("10002-1", "111.444.777-35")
                var second = InterchangePackageTests.good
                second["imoveis.csv"] = second["imoveis.csv"]!.replacingOccurrences(of: "RUA LARANJEIRAS 120", with: "RUA LARANJEIRAS 122")
                let report = try await load(c, try package(second))
                AEq(report.arquivos["imoveis.csv"]?.inativados, 1, "\(engine)")
                AEq(report.arquivos["imoveis.csv"]?.atualizados, 1, "\(engine)")
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM properties WHERE matricula = '100021' AND ativo = 0"), 1, "\(engine)")
                let r = try await client.post("/v1/sessions/customer", ["matricula": "10002-1", "documento": "111.444.777-35"])
                AEq(r.status, .forbidden, "\(engine)")
                AEq(r.errorCode, "property_inactive", "\(engine)")
                AEq(try await count(server, "SELECT COUNT(*) AS n FROM property_links WHERE matricula = '100021'"), 1, "\(engine): it keeps its people")
            }
        }
    }
}
