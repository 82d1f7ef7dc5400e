import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// The source system's side (issue 31): its key, the pull feed, and its answers — what the
/// customer and the attendant see of them, applied once however often they come.
final class IntegrationAnswersTests: XCTestCase {
    static let now: Int64 = 1_795_438_800

    func patch(_ client: any TestClientProtocol, _ path: String, _ body: [String: Any], token: String) async throws -> TestResponse {
        let headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]
        return try await client.execute(
            uri: path, method: .patch, headers: headers, body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
    }

    func testTheSourceReadsARequestConfirmsItAndTheCustomerSeesItsSteps() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let key = try await IntegrationKeys.create("gsan", store: server.store, now: Self.now)
                let ana = try await client.staffToken()
                let opened = try await client.post(
                    "/v1/protocols", ProtocolAPITests.request(1), token: ana, headers: ["Idempotency-Key": "integ-open-1"])
                AEq(opened.status, .created, "\(engine): \(opened.json)")
                let number = try XCTUnwrap(opened.json["number"] as? String)
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                // Not sent yet: the screens say nothing of the source.
                let unsent = try await client.get("/v1/protocols/\(number)", token: maria)
                XCTAssertNil(unsent.json["source"], "\(engine)")

                // The feed: the opening, with the request; from then on it counts as sent.
                let feed = try await client.get("/v1/integration/events?after=0&limit=10", token: key)
                AEq(feed.status, .ok, "\(engine): \(feed.json)")
                let events = try XCTUnwrap(feed.json["eventos"] as? [[String: Any]])
                let created = try XCTUnwrap(events.first { ($0["evento"] as? [String: Any])?["protocolo"] as? String == "2026/\(number.suffix(6))" })
                let body = try XCTUnwrap(created["evento"] as? [String: Any])
                AEq(body["tipo"] as? String, "protocolo.criado")
                AEq(((body["solicitacao"] as? [String: Any])?["solicitante"] as? [String: Any])?["nome"] as? String, "Maria Aparecida da Silva")
                let last = try XCTUnwrap(feed.json["ultimo"] as? Int)
                let empty = try await client.get("/v1/integration/events?after=\(last)", token: key)
                AEq((empty.json["eventos"] as? [Any])?.count, 0)
                AEq(empty.json["ultimo"] as? Int, last)
                let sent = try await client.get("/v1/protocols/\(number)", token: maria).json["source"] as? [String: Any]
                XCTAssertNotNil(sent?["sentAt"], "\(engine): enviada à concessionária")
                XCTAssertNil(sent?["number"])

                // Bad input changes nothing.
                for bad in [["dataPrevista": "2026-13-45"], [:], ["protocoloOrigem": String(repeating: "9", count: 41)]] {
                    let r = try await patch(client, "/v1/integration/protocols/\(number)", bad, token: key)
                    AEq(r.status, .badRequest, "\(engine) \(bad): \(r.json)")
                }
                let stillUnconfirmed = try await client.get("/v1/protocols/\(number)", token: ana).json["source"] as? [String: Any]
                XCTAssertNil(stillUnconfirmed?["confirmedAt"], "\(engine)")
                // The source confirms with its number and data prevista; the attendant sees it beside ours.
                let confirmed = try await patch(
                    client, "/v1/integration/protocols/\(number)", ["idOrigem": "88123", "protocoloOrigem": "RA-2026-0042", "dataPrevista": "2026-12-10"],
                    token: key)
                AEq(confirmed.status, .ok, "\(engine): \(confirmed.json)")
                AEq(confirmed.json["protocoloOrigem"] as? String, "RA-2026-0042")
                let seen = try await client.get("/v1/protocols/\(number)", token: ana).json["source"] as? [String: Any]
                AEq(seen?["number"] as? String, "RA-2026-0042")
                AEq(seen?["expectedOn"] as? String, "2026-12-10")

                // A public step: the customer sees it, is told by e-mail; a retry is the same step.
                let step: [String: Any] = ["situacao": "em_execucao", "eventoEm": "2026-12-05T13:00:00Z", "texto": "Equipe a caminho."]
                let first = try await client.post("/v1/integration/protocols/\(number)/steps", step, token: key)
                AEq(first.status, .ok, "\(engine): \(first.json)")
                AEq(first.json["situacao"] as? String, "em_andamento")
                async let a = client.post("/v1/integration/protocols/\(number)/steps", step, token: key)
                async let b = client.post("/v1/integration/protocols/\(number)/steps", step, token: key)
                let (ra, rb) = try await (a, b)
                for r in [ra, rb] {
                    AEq(r.status, .ok, "\(engine)")
                    AEq(r.headers[HTTPField.Name("Idempotency-Replayed")!], "true", "\(engine)")
                }
                var other = step
                other["texto"] = "Outro texto no mesmo instante"
                let clash = try await client.post("/v1/integration/protocols/\(number)/steps", other, token: key)
                AEq(clash.status, .conflict, "\(engine)")
                AEq(clash.errorCode, "answer_conflict")

                let customerView = try await client.get("/v1/protocols/\(number)", token: maria)
                let steps = try XCTUnwrap(customerView.json["steps"] as? [[String: Any]])
                let fromSource = steps.filter { $0["action"] as? String == "source" }
                AEq(fromSource.count, 1, "\(engine): one step however often it came")
                AEq(fromSource.first?["text"] as? String, "Em execução: Equipe a caminho.")
                XCTAssertNil(fromSource.first?["staff"], "\(engine): no names for the customer")
                let carla = try await client.staffToken("carla", "supervisao123")
                let staffView = try await client.get("/v1/protocols/\(number)", token: carla)
                let staffStep = (staffView.json["steps"] as? [[String: Any]])?.last
                AEq(staffStep?["staff"] as? String, "sistema gsan")

                // A conclusion needs its parecer; with it, the protocol is concluded; nothing comes after.
                let bare = try await client.post(
                    "/v1/integration/protocols/\(number)/steps", ["situacao": "concluida", "eventoEm": "2026-12-05T15:00:00Z"], token: key)
                AEq(bare.status, .conflict, "\(engine)")
                XCTAssertTrue(bare.errorMessage?.contains("parecer") ?? false, bare.errorMessage ?? "")
                let done = try await client.post(
                    "/v1/integration/protocols/\(number)/steps",
                    ["situacao": "concluida", "eventoEm": "2026-12-05T15:00:00Z", "texto": "Vazamento reparado na rede."], token: key)
                AEq(done.json["situacao"] as? String, "concluido", "\(engine): \(done.json)")
                let late = try await client.post(
                    "/v1/integration/protocols/\(number)/steps", ["situacao": "em_execucao", "eventoEm": "2026-12-05T16:00:00Z"], token: key)
                AEq(late.status, .conflict, "\(engine)")
                AEq(try await client.post("/v1/integration/protocols/2026999999/steps", step, token: key).status, .notFound)

                let mails = try await server.store.read { db in
                    try await db.raw(
                        "SELECT COUNT(*) AS n FROM email_outbox WHERE document_kind = 'protocol_step' AND recipient = 'maria.silva@example.com'"
                    ).first()?.decode(column: "n", as: Int.self) ?? 0
                }
                AEq(mails, 3, "\(engine): opened, em execução, concluída")

                // The feed tells the source's own steps with their origin, so it can skip them.
                let after = try await client.get("/v1/integration/events?after=\(last)", token: key)
                let told = try XCTUnwrap(after.json["eventos"] as? [[String: Any]]).compactMap { $0["evento"] as? [String: Any] }
                AEq(told.map { $0["tipo"] as? String ?? "" }, ["protocolo.andamento", "protocolo.concluido"], "\(engine)")
                AEq(told.map { $0["origem"] as? String ?? "" }, ["gsan", "gsan"])
                AEq(told.map { $0["sequencia"] as? Int ?? 0 }, [2, 3])
            }
        }
    }

    func testARevokedKeyIsRefusedAtOnceOnEveryInstance() async throws {
        try await forEachEngine { engine in
            var database = ""
            try await Harness.withServer(engine, configure: { database = $0.database }) { client, server in
                let key = try await IntegrationKeys.create("sap-pm", store: server.store, now: Self.now)
                do {
                    _ = try await IntegrationKeys.create("sap-pm", store: server.store, now: Self.now)
                    XCTFail("a second live key with the same name")
                } catch IntegrationKeyError.exists {}
                var c = Harness.config(database)
                c.seed = nil
                let second = try await buildApplication(c, clock: { Date(timeIntervalSince1970: TimeInterval(Self.now)) })
                try await second.application.test(.live) { other in
                    AEq(try await client.get("/v1/integration/events", token: key).status, .ok, "\(engine)")
                    AEq(try await other.get("/v1/integration/events", token: key).status, .ok, "\(engine)")
                    // What the key may not reach: a property, a customer search, a queue, a protocol.
                    for path in ["/v1/properties/\(Demo.mariaNorm)", "/v1/customers/search?q=maria", "/v1/queue", "/v1/protocols/2026000001"] {
                        let r = try await other.get(path, token: key)
                        AEq(r.status, .forbidden, "\(engine) \(path): \(r.json)")
                    }
                    let revoked = try await IntegrationKeys.revoke("sap-pm", store: server.store, now: Self.now + 1)
                    XCTAssertTrue(revoked)
                    for c in [client, other] {
                        let r = try await c.get("/v1/integration/events", token: key)
                        AEq(r.status, .unauthorized, "\(engine): revoked")
                        AEq(r.errorCode, "key_refused")
                    }
                    // A new key under the same name works; the old one stays refused.
                    let fresh = try await IntegrationKeys.create("sap-pm", store: server.store, now: Self.now + 2)
                    AEq(try await other.get("/v1/integration/events", token: fresh).status, .ok)
                    AEq(try await other.get("/v1/integration/events", token: key).status, .unauthorized)
                }
                await second.store.shutdown()
            }
        }
    }

    /// The file forms: `solicitacoes.csv` out (by our own contract's checker), and
    /// `solicitacoes_retorno.csv` back — refused whole with numbered lines, applied once.
    func testTheRequestsFileGoesOutAndTheAnswersFileComesBackOnce() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let ana = try await client.staffToken()
                var numbers: [String] = []
                for n in 1...2 {
                    let r = try await client.post(
                        "/v1/protocols", ProtocolAPITests.request(n), token: ana, headers: ["Idempotency-Key": "file-open-\(n)"])
                    numbers.append(try XCTUnwrap(r.json["formatted"] as? String))
                }
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("solic-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let out = try await RequestExport.write(server.store, since: 0, folder: folder, now: Self.now)
                AEq(out.rows, 2, "\(engine)")
                let text = try String(contentsOfFile: out.path, encoding: .utf8)
                let lines = text.split(separator: "\n").map(String.init)
                AEq(lines.first, Interchange.requestsOut.headerNames.joined(separator: ","))
                let header = Interchange.requestsOut.headerNames
                for line in lines.dropFirst() {
                    // Simple lines here (no quotes in the demo request): split is enough to check.
                    let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    let row = Dictionary(uniqueKeysWithValues: zip(header, fields))
                    AEq(Interchange.problems(row, in: Interchange.requestsOut, mode: .completo, rule: nil), [], "\(engine): \(line)")
                    AEq(row["canal"], "balcao")
                    AEq(row["solicitante_cpf_cnpj"], "11144477735")
                }
                AEq(lines.dropFirst().map { String($0.prefix(11)) }, numbers)
                AEq(try await RequestExport.write(server.store, since: out.last, folder: folder, now: Self.now).rows, 0, "\(engine): nothing new")

                func file(_ body: String) throws -> String {
                    let path = (folder as NSString).appendingPathComponent("retorno-\(UUID().uuidString).csv")
                    try (Interchange.requestAnswers.headerNames.joined(separator: ",") + "\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
                    return path
                }
                let (a, b) = (numbers[0], numbers[1])
                let cols = "\(a),88123,RA-0042,2026-12-05T10:00:00-03:00,recebida,,2026-12-10,,,\n"
                let done = "\(a),88123,RA-0042,2026-12-05T15:00:00-03:00,encerrada,Manutencao,,,Vazamento reparado.,executada\n"
                // Refused whole: an unknown protocol, a situation not in the list; nothing applied.
                let bad = try file(cols + "2026/999999,1,X,2026-12-05T10:00:00-03:00,recebida,,,,,\n" + "\(b),2,Y,2026-12-05T10:00:00-03:00,feita,,,,,\n")
                do {
                    _ = try await AnswerFile.apply(bad, source: "gsan", store: server.store, now: Self.now, timeZone: "America/Maceio")
                    XCTFail("\(engine): a file with bad lines applied")
                } catch let e as AnswerFile.Refused {
                    AEq(e.refusals.map(\.line), [3, 4], "\(engine): every refused line, by number")
                    XCTAssertTrue(e.refusals.first?.reason.contains("Protocolo não encontrado") ?? false, "\(e)")
                    XCTAssertTrue(e.refusals.last?.reason.contains("situacao") ?? false, "\(e)")
                } catch { XCTFail("\(error)") }
                let untouched = try await client.get("/v1/protocols/\(a.replacingOccurrences(of: "/", with: ""))", token: ana)
                XCTAssertFalse((untouched.json["steps"] as? [[String: Any]] ?? []).contains { $0["action"] as? String == "source" }, "\(engine)")

                // Applied, in the order of evento_em whatever the file's; once.
                let good = try file(done + cols)
                let applied = try await AnswerFile.apply(good, source: "gsan", store: server.store, now: Self.now, timeZone: "America/Maceio")
                AEq(applied.applied, 2, "\(engine)")
                let after = try await client.get("/v1/protocols/\(a.replacingOccurrences(of: "/", with: ""))", token: ana)
                AEq(after.json["situation"] as? String, "concluido", "\(engine)")
                let texts = (after.json["steps"] as? [[String: Any]] ?? []).filter { $0["action"] as? String == "source" }.map { $0["text"] as? String ?? "" }
                AEq(texts, ["Recebida pela concessionária.", "Concluída: Vazamento reparado."], "\(engine)")
                AEq((after.json["source"] as? [String: Any])?["number"] as? String, "RA-0042")
                do {
                    _ = try await AnswerFile.apply(good, source: "gsan", store: server.store, now: Self.now, timeZone: "America/Maceio")
                    XCTFail("\(engine): the same file twice")
                } catch is AnswerFile.AlreadyApplied {}
                let again = try await AnswerFile.apply(try file(cols), source: "gsan", store: server.store, now: Self.now, timeZone: "America/Maceio")
                AEq(again.applied, 0, "\(engine)")
                AEq(again.alreadyApplied, 1)
            }
        }
    }
}
