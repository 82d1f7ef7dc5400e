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
}
