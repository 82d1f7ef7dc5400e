import Foundation
import XCTest

@testable import Server

/// The interchange package's contract (issue 30): `docs/INTEGRATION.md` and
/// `docs/intercambio-v1.json` are written from `Interchange.files` (`AGENCIA_RECORD=1` rewrites
/// them) and held equal to it, so what a producer reads is what the loader applies.
final class InterchangeTests: XCTestCase {
    static let docs = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("../../docs").standardized

    func testTheDocumentsAreTheContract() throws {
        let written: [(String, Data)] = [
            ("INTEGRATION.md", Data(Interchange.document().utf8)), ("intercambio-v1.json", try Interchange.jsonSchema()),
        ]
        for (name, data) in written {
            let url = Self.docs.appendingPathComponent(name)
            if ProcessInfo.processInfo.environment["AGENCIA_RECORD"] != nil { try data.write(to: url) }
            XCTAssertEqual(
                try String(contentsOf: url, encoding: .utf8), String(decoding: data, as: UTF8.self),
                "docs/\(name) differs from Interchange.swift: AGENCIA_RECORD=1 swift test --filter InterchangeTests")
        }
    }

    /// Every file has its key among its columns, required; no column twice (its origin pair
    /// included); the required files are the ones GSAN.md §9.4 names.
    func testTheTableIsSound() {
        for f in Interchange.files {
            let names = f.headerNames
            XCTAssertEqual(Set(names).count, names.count, "\(f.name): a column twice")
            for k in f.key {
                XCTAssertEqual(f.columns.first { $0.name == k }?.presence, .required, "\(f.name): key \(k)")
            }
            XCTAssertTrue(f.columns.contains { $0.name == "atualizado_em" }, f.name)
            XCTAssertTrue(f.columns.contains { $0.name == "excluido" && $0.presence == .incrementalOnly }, f.name)
        }
        XCTAssertEqual(
            Interchange.files.filter(\.required).map(\.name), ["imoveis.csv", "clientes.csv", "vinculos.csv", "contas.csv", "pagamentos.csv"])
    }
}
