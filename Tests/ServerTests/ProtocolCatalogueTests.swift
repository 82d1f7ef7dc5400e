import Domain
import Foundation
import SQLKit
import XCTest

@testable import Server

/// The units and protocol-types catalogue (issue 11): imported all or nothing with every problem
/// on its line, on both engines; the demo seeds a realistic one.
final class ProtocolCatalogueTests: XCTestCase {
    func testImportCommandsAllOrNothing() async throws {
        try await forEachEngine { engine in
            var database = ""
            try await Harness.withServer(engine, configure: { database = $0.database }) { _, server in
                var c = Harness.config(database)
                c.seed = nil
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("catalogo-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                func write(_ name: String, _ text: String) throws -> String {
                    let url = dir.appendingPathComponent(name)
                    try text.write(to: url, atomically: true, encoding: .utf8)
                    return url.path
                }
                let repository = ProtocolRepository(store: server.store)
                let before = try await repository.types()
                XCTAssertEqual(before.count, 25, "the demo catalogue: 16 protocol types and 9 more services")
                XCTAssertTrue(before.contains { $0.code == "reclamacao" && $0.defaultUnit == "ouvidoria" && $0.deadlineDays == 30 })
                XCTAssertFalse(try XCTUnwrap(before.first { $0.code == "juridico-intimacao" }).isPublic)

                let badUnits = try write("u.csv", "codigo;nome\nfiscal;Fiscalização\nFISCAL;Fiscalização\nfiscal;De novo\nvazio;\n")
                do {
                    _ = try await CatalogueAdmin.importFile(.units, configuration: c, path: badUnits, dryRun: false)
                    XCTFail("imported a broken file")
                } catch let e as ImportFileError {
                    XCTAssertEqual(e.problems.map(\.line), [3, 4, 5], e.description)
                    XCTAssertTrue(e.description.contains("linha 3: código \"FISCAL\" inválido"), e.description)
                    XCTAssertTrue(e.description.contains("linha 4: código \"fiscal\" repetido (linha 2)"), e.description)
                    XCTAssertTrue(e.description.contains("linha 5: nome vazio"), e.description)
                }
                let unitsAfter = try await repository.units()
                XCTAssertFalse(unitsAfter.contains { $0.code == "fiscal" }, "nothing stored")

                let badTypes = try write(
                    "t.csv",
                    """
                    codigo,nome,descricao,unidade,prazo_dias,publico
                    hidrometro,Troca de hidrômetro,Hidrômetro parado ou quebrado,operacao,7,sim
                    multa,Multa,Multa por irregularidade,fiscal,10,sim
                    poda,Poda,Poda de árvore sobre a rede,operacao,zero,sim
                    sigilo,Sigilo,Assunto sigiloso,juridico,5,talvez
                    """)
                do {
                    _ = try await CatalogueAdmin.importFile(.protocolTypes, configuration: c, path: badTypes, dryRun: false)
                    XCTFail("imported a broken file")
                } catch let e as ImportFileError {
                    XCTAssertEqual(e.problems.map(\.line), [3, 4, 5], e.description)
                    XCTAssertTrue(e.description.contains("unidade \"fiscal\" não cadastrada"), e.description)
                }
                let typesAfter = try await repository.types()
                XCTAssertEqual(typesAfter.count, 25, "nothing stored")

                // Units first, then types that use them; --dry-run stores nothing.
                let units = try write("u2.csv", "codigo,nome\nfiscal,Fiscalização\n")
                let summary = try await CatalogueAdmin.importFile(.units, configuration: c, path: units, dryRun: false)
                XCTAssertEqual(summary, "1 unidade(s) importadas.")
                let types = try write(
                    "t2.csv",
                    "codigo,nome,descricao,unidade,prazo_dias,publico\nmulta,Multa,\"Multa por irregularidade, com auto\",fiscal,,não\n")
                _ = try await CatalogueAdmin.importFile(.protocolTypes, configuration: c, path: types, dryRun: true)
                let dry = try await repository.types()
                XCTAssertEqual(dry.count, 25)
                _ = try await CatalogueAdmin.importFile(.protocolTypes, configuration: c, path: types, dryRun: false)
                let stored = try await repository.types()
                let multa = try XCTUnwrap(stored.first { $0.code == "multa" })
                XCTAssertEqual(
                    multa,
                    ProtocolType(
                        code: "multa", name: "Multa", description: "Multa por irregularidade, com auto", defaultUnit: "fiscal",
                        deadlineDays: nil, isPublic: false))

                // Services: every problem with its line, nothing stored; then a good file.
                let services = ServiceRepository(store: server.store)
                let badServices = try write(
                    "s.csv",
                    """
                    codigo,nome,descricao,unidade,prazo_dias,prazo_horas_uteis,taxa,cobranca,campos,situacoes,motivo,sem_vencidas,exige_imovel
                    poda,Poda,Poda de árvore,operacao,7,,,,local*:Onde,,,não,sim
                    troca,Troca,Troca de hidrômetro,operacao,7,24,,,,,,não,sim
                    caro,Caro,Taxa errada,operacao,7,,"R$ muito",documento,,,,não,sim
                    sem,Sem,Campo sem rótulo,operacao,7,,,,telefone*,,,não,sim
                    corte,Corte,Situação errada,operacao,7,,,,,desligada,Motivo,não,sim
                    mudo,Mudo,Sem motivo,operacao,7,,,,,cortada,,não,sim
                    """)
                do {
                    _ = try await CatalogueAdmin.importFile(.serviceTypes, configuration: c, path: badServices, dryRun: false)
                    XCTFail("imported a broken file")
                } catch let e as ImportFileError {
                    XCTAssertEqual(e.problems.map(\.line), [3, 4, 5, 6, 7], e.description)
                    XCTAssertTrue(e.description.contains("linha 3: informe prazo_dias (1 a 365) ou prazo_horas_uteis"), e.description)
                    XCTAssertTrue(e.description.contains("linha 4: taxa \"R$ muito\" não é um valor em reais"), e.description)
                    XCTAssertTrue(e.description.contains("linha 5: campo \"telefone*\" sem rótulo"), e.description)
                    XCTAssertTrue(e.description.contains("linha 6: situação \"desligada\" desconhecida"), e.description)
                    XCTAssertTrue(e.description.contains("linha 7: motivo vazio"), e.description)
                }
                let servicesBefore = try await services.types()
                XCTAssertEqual(servicesBefore.count, 12, "nothing stored")
                let goodServices = try write(
                    "s2.csv",
                    """
                    codigo;nome;descricao;unidade;prazo_dias;prazo_horas_uteis;taxa;cobranca;campos;situacoes;motivo;sem_vencidas;exige_imovel
                    poda;Poda de árvore;Poda sobre a rede;operacao;;12;15,50;proxima_conta;local*:Onde fica a árvore|telefone:Telefone;ativa|cortada;Só para ligações com rede;não;sim
                    """)
                let imported = try await CatalogueAdmin.importFile(.serviceTypes, configuration: c, path: goodServices, dryRun: false)
                XCTAssertEqual(imported, "1 serviço(s) importados.")
                let allServices = try await services.types()
                let poda = try XCTUnwrap(allServices.first { $0.code == "poda" })
                XCTAssertEqual(poda.deadline, .businessHours(12))
                XCTAssertEqual(poda.feeCents, 1_550)
                XCTAssertEqual(poda.feeOn, .proximaConta)
                XCTAssertEqual(
                    poda.fields,
                    [
                        .init(key: "local", label: "Onde fica a árvore", required: true),
                        .init(key: "telefone", label: "Telefone", required: false),
                    ])
                XCTAssertEqual(poda.situations, [.ativa, .cortada])
                let protocolTypes = try await repository.types()
                XCTAssertTrue(protocolTypes.contains { $0.code == "poda" && $0.isPublic }, "a service is a public protocol type")
            }
        }
    }
    /// Issue 27, finding 11: what reaches every terminal and PDF from a catalogue is refused with
    /// its line — NUL, an escape sequence, U+202E, a formula, an unknown column — in every import
    /// (units, protocol types, service types, tariffs in CSV and JSON); nothing is stored.
    func testHostileTextIsRefusedWithItsLine() throws {
        func problems(_ body: () throws -> Void) -> String {
            do {
                try body()
                return "aceito"
            } catch { return "\(error)" }
        }
        let units = problems {
            _ = try ProtocolCatalogue.units(
                "codigo,nome\nnul,Unidade\u{0}nula\nesc,\u{1B}[2JApaga a tela\nrlo,Ouvidoria \u{202E}airodivuO\nform,=HYPERLINK(\"x\")\nboa,Boa unidade\n"
            )
        }
        XCTAssertTrue(units.contains("linha 2: nome: caractere de controle (U+0000)"), units)
        XCTAssertTrue(units.contains("linha 3: nome: caractere de controle (U+001B)"), units)
        XCTAssertTrue(units.contains("linha 4: nome: caractere invisível de formatação ou de direção do texto (U+202E)"), units)
        XCTAssertTrue(units.contains("linha 5: nome: começa com \"=\", que uma planilha leria como fórmula"), units)
        XCTAssertFalse(units.contains("linha 6"), units)
        XCTAssertFalse(
            units.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0 }, "the message itself is safe")
        let extra = problems { _ = try ProtocolCatalogue.units("codigo,nome,senha\nboa,Boa,123\n") }
        XCTAssertEqual(extra, "linha 1: colunas desconhecidas: senha; esperado: codigo,nome")
        let types = problems {
            _ = try ProtocolCatalogue.types(
                "codigo,nome,descricao,unidade,prazo_dias,publico\nx,Tipo,@SUM(A1),atendimento,5,sim\n", units: ["atendimento"])
        }
        XCTAssertEqual(types, "linha 2: descricao: começa com \"@\", que uma planilha leria como fórmula")
        let services = problems {
            _ = try ServiceCatalogue.types(
                "codigo,nome,descricao,unidade,prazo_dias,prazo_horas_uteis,taxa,cobranca,campos,situacoes,motivo,sem_vencidas,exige_imovel\n"
                    + "poda,Poda,+cmd|' /C calc'!A0,operacao,7,,,,,,,não,sim\n", units: ["operacao"])
        }
        XCTAssertEqual(services, "linha 2: descricao: começa com \"+\", que uma planilha leria como fórmula")
        let tariffsCSV = problems {
            _ = try TariffFile.parseCSV(
                "categoria,vigencia,faixa,ate_m3,valor,desconto_percentual,esgoto_percentual,fonte\n"
                    + "residencial,2026-01-01,minima,10,45.68,0,80,Resolução\u{1B}]0;x\u{7}\n")
        }
        XCTAssertEqual(tariffsCSV, "linha 2: fonte: caractere de controle (U+001B): só texto visível")
        let json =
            #"{"tabelas":[{"categoria":"residencial","vigencia":"2026-01-01","esgotoPercentual":80,"fonte":"-2+3","minima":{"ateM3":10,"valor":45.68},"faixas":[]}]}"#
        let tariffsJSON = problems { _ = try TariffFile.parse(Data(json.utf8), name: "t.json") }
        XCTAssertTrue(tariffsJSON.contains("fonte: começa com \"-\", que uma planilha leria como fórmula"), tariffsJSON)
        // A negative number is a number, not a formula; an ordinary dash inside is text.
        XCTAssertNil(DisplayText.problem("-12,5".replacingOccurrences(of: ",", with: ".")))
        XCTAssertNil(DisplayText.problem("Água - Centro"))
    }
}
