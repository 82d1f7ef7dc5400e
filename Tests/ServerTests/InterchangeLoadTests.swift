import Domain
import Foundation
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
