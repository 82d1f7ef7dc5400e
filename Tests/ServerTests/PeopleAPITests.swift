import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// The counter's customer record (issue 12) on both engines: who is linked to a property and in
/// what role, linking and unlinking with a document (each a concluded protocol, audited), a
/// phone, and the property's contact history. Customers read none of it.
final class PeopleAPITests: XCTestCase {
    static let joao = (doc: "529.982.247-25", norm: "52998224725")
    static let newcomer = (doc: "123.456.789-09", norm: "12345678909")

    func testPeopleLinksPhoneAndHistory() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let ana = try await client.staffToken()
                let carla = try await client.staffToken("carla", "supervisao123")
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let m = Demo.mariaNorm
                var key = 0
                func upload() async throws -> Int {
                    key += 1
                    return try await client.uploadPDF("rg.pdf", token: ana, key: "people-up-\(engine)-\(key)")
                }
                func post(_ path: String, _ body: [String: Any]) async throws -> TestResponse {
                    key += 1
                    return try await client.post(path, body, token: ana, headers: ["Idempotency-Key": "people-\(engine)-\(key)"])
                }
                func people() async throws -> [String] {
                    let items = try await client.get("/v1/properties/\(m)/people", token: ana).json["items"] as? [[String: Any]] ?? []
                    return items.map { "\($0["nome"] as? String ?? "") \($0["papel"] as? String ?? "")" }
                }

                AEq(try await people(), ["Maria Aparecida da Silva titular", "Ana Luíza Conceição usuario"], "\(engine)")
                AEq(try await client.get("/v1/properties/\(m)/people", token: maria).status, .forbidden, "customers do not read it")
                AEq(try await client.get("/v1/properties/\(m)/history", token: maria).status, .forbidden)

                // João becomes responsável financeiro, with his document: a concluded protocol carries it.
                var r = try await post(
                    "/v1/properties/\(m)/people",
                    ["documento": Self.joao.doc, "papel": "responsavel_financeiro", "attachment": try await upload()])
                AEq(r.status, .created, "\(engine): \(r.json)")
                let record = try await client.get("/v1/protocols/\(r.json["protocol"] as? String ?? "")", token: carla).json
                AEq(record["situation"] as? String, "concluido", "\(engine)")
                AEq(record["typeCode"] as? String, "vinculo-cadastral")
                AEq(((record["steps"] as? [[String: Any]])?.first?["attachments"] as? [[String: Any]])?.count, 1, "the document")
                AEq(
                    try await people(),
                    ["Maria Aparecida da Silva titular", "Ana Luíza Conceição usuario", "João Batista dos Santos responsavel_financeiro"])
                // Issue 28.3: the holder reads the protocol about her property, never João's document;
                // João, now able to log in, neither (a document brought to the counter is staff's).
                let number = r.json["protocol"] as? String ?? ""
                let documentId = ((record["steps"] as? [[String: Any]])?.first?["attachments"] as? [[String: Any]])?.first?["id"] as? Int ?? 0
                let joaoToken = try await client.customerToken(Demo.maria.m, Self.joao.doc)
                for (who, token) in [("titular", maria), ("João", joaoToken)] {
                    let seen = try await client.get("/v1/protocols/\(number)", token: token)
                    AEq(seen.status, .ok, "\(engine) \(who)")
                    ATrue(!String(buffer: seen.body).contains("rg.pdf"), "\(engine) \(who): \(seen.json)")
                    AEq(try await client.get("/v1/protocols/\(number)/attachments/\(documentId)", token: token).status, .notFound, "\(who)")
                }
                let joao = (try await client.get("/v1/properties/\(m)/people", token: ana).json["items"] as? [[String: Any]])?[2]
                AEq(joao?["since"] as? String, "2026-11-23T13:00:00Z", "since now")

                // Refusals change nothing: linked already, unknown CPF without a name, no document, a bad CPF.
                r = try await post(
                    "/v1/properties/\(m)/people", ["documento": Self.joao.doc, "papel": "usuario", "attachment": try await upload()])
                AEq(r.status, .conflict)
                r = try await post(
                    "/v1/properties/\(m)/people", ["documento": Self.newcomer.doc, "papel": "usuario", "attachment": try await upload()])
                AEq(r.errorMessage, "CPF/CNPJ sem cadastro: informe o nome ou a razão social.")
                r = try await post(
                    "/v1/properties/\(m)/people",
                    ["documento": Self.newcomer.doc, "nome": "Ana Lúcia Prado", "papel": "usuario", "attachment": 999_999])
                AEq(r.status, .badRequest, "\(engine): \(r.json)")
                AEq(try await people().count, 3, "\(engine): nothing linked without the document")
                r = try await post(
                    "/v1/properties/\(m)/people",
                    ["documento": "123.456.789-00", "nome": "X", "papel": "usuario", "attachment": try await upload()])
                AEq(r.status, .badRequest)

                // A newcomer is registered and linked as usuário.
                r = try await post(
                    "/v1/properties/\(m)/people",
                    ["documento": Self.newcomer.doc, "nome": "Ana Lúcia Prado", "papel": "usuario", "attachment": try await upload()])
                AEq(r.status, .created, "\(engine): \(r.json)")
                AEq(try await people().count, 4)

                // The holder leaves only by a titularidade request; João leaves with a reason and a document.
                r = try await post(
                    "/v1/properties/\(m)/people/\(Demo.maria.doc.filter(\.isNumber))/unlink",
                    ["attachment": try await upload(), "reason": "Saiu"])
                AEq(r.status, .conflict, "\(engine)")
                ATrue(r.errorMessage?.contains("alteração de titularidade") == true, r.errorMessage ?? "")
                r = try await post(
                    "/v1/properties/\(m)/people/\(Self.joao.norm)/unlink", ["attachment": try await upload(), "reason": "Mudou-se"])
                AEq(r.status, .ok, "\(engine): \(r.json)")
                AEq(try await people().count, 3)
                r = try await post(
                    "/v1/properties/\(m)/people/\(Self.joao.norm)/unlink", ["attachment": try await upload(), "reason": "De novo"])
                AEq(r.status, .notFound)

                // A phone, for a linked person only.
                r = try await client.post(
                    "/v1/properties/\(m)/people/\(Self.newcomer.norm)/phone", ["telefone": "(79) 98111-2233"], token: ana, headers: [:],
                    method: .put)
                AEq(r.status, .ok, "\(engine): \(r.json)")
                ATrue((r.json["items"] as? [[String: Any]])?.contains { $0["telefone"] as? String == "(79) 98111-2233" } == true)
                r = try await client.post(
                    "/v1/properties/\(m)/people/\(Self.joao.norm)/phone", ["telefone": "(79) 98111-2233"], token: ana, headers: [:],
                    method: .put)
                AEq(r.status, .notFound)

                // The history: the link records, a statement issued at the counter, a payment of the demo.
                r = try await client.post(
                    "/v1/properties/\(m)/statements",
                    [
                        "billIds": [
                            (try await client.get("/v1/properties/\(m)/bills", token: ana).json["items"] as? [[String: Any]])?
                                .first { $0["situacao"] as? String == "aberta" }?["id"] as? Int ?? 0
                        ]
                    ],
                    token: ana, headers: ["Idempotency-Key": "people-st-\(engine)"])
                AEq(r.status, .created, "\(engine): \(r.json)")
                let history = try await client.get("/v1/properties/\(m)/history", token: ana).json["items"] as? [[String: Any]] ?? []
                let titles = history.compactMap { $0["title"] as? String }
                AEq(titles.filter { $0.contains("Vínculo cadastral") }.count, 3, "\(engine): two links and one unlink")
                ATrue(titles.contains("Extrato de débitos nº \(r.json["id"] as? Int ?? -1)"), "\(titles)")
                ATrue(history.contains { $0["kind"] as? String == "pagamento" }, "a payment")
                let dates = history.compactMap { $0["at"] as? String }
                AEq(dates, dates.sorted(by: >), "newest first")
                let audit = try await AuditLog(store: server.store, clock: AppClock(now: { Date() }, timeZone: "America/Sao_Paulo"))
                    .entries(staff: "ana").map(\.action)
                AEq(audit.filter { $0 == "vincular_pessoa" }.count, 2, "\(engine)")
                AEq(audit.filter { $0 == "desvincular_pessoa" }.count, 1)
            }
        }
    }
}
