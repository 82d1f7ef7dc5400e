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
                XCTAssertEqual(before.count, 10, "the demo catalogue")
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
                XCTAssertEqual(typesAfter.count, 10, "nothing stored")

                // Units first, then types that use them; --dry-run stores nothing.
                let units = try write("u2.csv", "codigo,nome\nfiscal,Fiscalização\n")
                let summary = try await CatalogueAdmin.importFile(.units, configuration: c, path: units, dryRun: false)
                XCTAssertEqual(summary, "1 unidade(s) importadas.")
                let types = try write(
                    "t2.csv",
                    "codigo,nome,descricao,unidade,prazo_dias,publico\nmulta,Multa,\"Multa por irregularidade, com auto\",fiscal,,não\n")
                _ = try await CatalogueAdmin.importFile(.protocolTypes, configuration: c, path: types, dryRun: true)
                let dry = try await repository.types()
                XCTAssertEqual(dry.count, 10)
                _ = try await CatalogueAdmin.importFile(.protocolTypes, configuration: c, path: types, dryRun: false)
                let stored = try await repository.types()
                let multa = try XCTUnwrap(stored.first { $0.code == "multa" })
                XCTAssertEqual(
                    multa,
                    ProtocolType(
                        code: "multa", name: "Multa", description: "Multa por irregularidade, com auto", defaultUnit: "fiscal",
                        deadlineDays: nil, isPublic: false))
            }
        }
    }
}
