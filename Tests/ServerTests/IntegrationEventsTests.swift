import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// The events the utility's service-management system hears of (issue 31, first part): written
/// with the change, public steps only, none for a change that rolled back, ids that only grow
/// under concurrent writers — on SQLite and PostgreSQL.
final class IntegrationEventsTests: XCTestCase {
    func events(_ server: AgenciaServer) async throws -> [IntegrationEvents.Published] {
        try await IntegrationEvents.publish(server.store)
        return try await server.store.read { db in try await IntegrationEvents.after(0, limit: 1_000, db: db) }
    }

    func testAProtocolsPublicLifeIsToldInOrderAndNothingElse() async throws {
        try await forEachEngine { engine in
            var database = ""
            try await Harness.withServer(engine, configure: { database = $0.database }) { client, server in
                let ana = try await client.staffToken()  // atendente
                let diego = try await client.staffToken("diego", "comercial123")  // backoffice, comercial
                let carla = try await client.staffToken("carla", "supervisao123")  // supervisor
                let opened = try await client.post(
                    "/v1/protocols", ProtocolAPITests.request(1), token: ana, headers: ["Idempotency-Key": "evento-0001"])
                AEq(opened.status, .created, "\(engine): \(opened.json)")
                let number = try XCTUnwrap(opened.json["number"] as? String)
                var key = 0
                func step(_ token: String, _ body: [String: Any]) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/protocols/\(number)/steps", body, token: token, headers: ["Idempotency-Key": "ev-step-\(key)"])
                }
                AEq(try await step(diego, ["action": "receive"]).status, .ok, "\(engine)")
                AEq(try await step(diego, ["action": "dispatch", "text": "Nota interna: SEGREDO-123.", "public": false]).status, .ok)
                let publicStep: [String: Any] = ["action": "dispatch", "text": "Leitura conferida em campo.", "public": true]
                let first = try await client.post(
                    "/v1/protocols/\(number)/steps", publicStep, token: diego, headers: ["Idempotency-Key": "ev-step-public"])
                AEq(first.status, .ok, "\(engine)")
                // Retried with its key at once: the first answer, nothing told twice.
                let again = try await client.post(
                    "/v1/protocols/\(number)/steps", publicStep, token: diego, headers: ["Idempotency-Key": "ev-step-public"])
                AEq(again.status, .ok, "\(engine)")
                AEq(again.json["steps"] as? NSArray, first.json["steps"] as? NSArray, "\(engine): the step recorded once")
                AEq(try await step(diego, ["action": "edit", "subject": "Consumo alto contestado"]).status, .ok)
                // Refused: nothing is told.
                AEq(try await step(diego, ["action": "reopen"]).status, .conflict, "\(engine)")
                AEq(try await step(diego, ["action": "conclude", "text": "Conta revista: crédito na próxima fatura.", "public": true]).status, .ok)
                AEq(try await step(diego, ["action": "dispatch", "text": "Depois de concluído", "public": true]).status, .conflict)
                AEq(try await step(carla, ["action": "reopen", "text": "Cliente trouxe nova leitura.", "public": true]).status, .ok)

                // Retried once more through a server started again on the same database.
                var c = Harness.config(database)
                c.seed = nil
                let restarted = try await buildApplication(c, clock: { Date(timeIntervalSince1970: 1_795_438_800) })
                try await restarted.application.test(.live) { other in
                    let late = try await other.post(
                        "/v1/protocols/\(number)/steps", publicStep, token: diego, headers: ["Idempotency-Key": "ev-step-public"])
                    AEq(late.status, .ok, "\(engine): the step's key still answers after a restart")
                    let shown = (late.json["steps"] as? [[String: Any]] ?? []).filter { $0["text"] as? String == "Leitura conferida em campo." }
                    AEq(shown.count, 1, "\(engine): and the step is not recorded again")
                }
                await restarted.store.shutdown()

                let told = try await events(server)
                AEq(
                    told.map(\.type), ["protocolo.criado", "protocolo.andamento", "protocolo.concluido", "protocolo.reaberto"],
                    "\(engine): the receipt, the private dispatch, the edit and the refusals say nothing")
                AEq(told.map(\.id), [1, 2, 3, 4], "\(engine)")
                AEq(told.map(\.body.sequencia), [1, 2, 3, 4], "\(engine)")
                ATrue(told.allSatisfy { $0.body.protocolo == "2026/000001" }, "\(engine)")
                AEq(told[1].body.texto, "Leitura conferida em campo.")
                AEq(told[2].body.situacao, "concluido")
                AEq(told[3].body.situacao, "reaberto")
                let request = try XCTUnwrap(told[0].body.solicitacao, "\(engine): the opening carries the request")
                AEq(request.tipo, "revisao-conta")
                AEq(request.assunto, "Consumo alto na conta 1")
                AEq(request.matricula, "100013")
                AEq(request.solicitante?.documento, "11144477735")
                AEq(request.canal, "counter")
                // No staff name and no private text in any event, raw.
                let raw = try await server.store.read { db in
                    try await db.raw("SELECT body FROM integration_events").all().map { try $0.decode(column: "body", as: String.self) }
                }.joined()
                for secret in ["SEGREDO-123", "diego", "carla", "\"ana\"", "contestado"] {
                    ATrue(!raw.contains(secret), "\(engine): \(secret) in \(raw)")
                }

                // An ouvidoria manifestation is told without its requester's identity.
                var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "evento-ouv-1"]
                headers[.authorization] = "Bearer \(try await client.customerToken(Demo.maria.m, Demo.maria.doc))"
                let manifested = try await client.execute(
                    uri: "/v1/ouvidoria/manifestations", method: .post, headers: headers,
                    body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["typeCode": "reclamacao", "text": "Falta d'água há três dias na rua."])))
                AEq(manifested.status, .created, "\(engine): \(manifested.json)")
                let all = try await events(server)
                let last = try XCTUnwrap(all.last)
                AEq(last.type, "protocolo.criado", "\(engine)")
                ATrue(last.body.solicitacao?.ouvidoria == true && last.body.solicitacao?.solicitante == nil, "\(engine): \(last.body)")
            }
        }
    }

    func testAChangeThatRollsBackTellsNothing() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let ana = try await client.staffToken()
                // A trigger refuses the opening's event, the last write of the creation: the
                // protocol, its number and its step roll back with it.
                try await Harness.refuseInserts(
                    server.store, name: "falha_ev", into: "integration_events", when: "NEW.body LIKE '%FALHA%'", after: true)
                var failing = ProtocolAPITests.request(0)
                failing["subject"] = "FALHA"
                let failed = try await client.post("/v1/protocols", failing, token: ana, headers: ["Idempotency-Key": "evento-falha"])
                AEq(failed.status, .internalServerError, "\(engine)")
                let counts = try await server.store.read { db in
                    (
                        try await db.raw("SELECT COUNT(*) AS n FROM protocols").first()?.decode(column: "n", as: Int.self),
                        try await db.raw("SELECT COUNT(*) AS n FROM integration_events").first()?.decode(column: "n", as: Int.self)
                    )
                }
                AEq(counts.0, 0, "\(engine): the protocol rolled back")
                AEq(counts.1, 0, "\(engine): and its event with it")
                AEq(
                    try await client.post("/v1/protocols", ProtocolAPITests.request(2), token: ana, headers: ["Idempotency-Key": "evento-ok-1"])
                        .status, .created)
                AEq(try await events(server).map(\.type), ["protocolo.criado"], "\(engine)")
            }
        }
    }

    /// Eight writers post public dispatches on distinct protocols through two instances while a
    /// reader publishes and reads after the last id it saw: every id it reads is above the last,
    /// and at the end it has read every event — none appeared behind one already read.
    func testIdsOnlyGrowUnderConcurrentWriters() async throws {
        try await forEachEngine { engine in
            var database = ""
            try await Harness.withServer(engine, configure: { database = $0.database }) { clientA, server in
                let ana = try await clientA.staffToken()
                let diego = try await clientA.staffToken("diego", "comercial123")
                let protocols = engine == .postgres ? 24 : 8
                var numbers: [String] = []
                for k in 0..<protocols {
                    let r = try await clientA.post(
                        "/v1/protocols", ProtocolAPITests.request(k), token: ana, headers: ["Idempotency-Key": "evc-open-\(k)"])
                    let number = try XCTUnwrap(r.json["number"] as? String, "\(r.json)")
                    let received = try await clientA.post(
                        "/v1/protocols/\(number)/steps", ["action": "receive"], token: diego, headers: ["Idempotency-Key": "evc-recv-\(k)"])
                    AEq(received.status, .ok)
                    numbers.append(number)
                }
                let before = try await events(server).count
                if engine == .postgres {
                    // Each writer lingers a little after its event, before its commit: later
                    // events commit before earlier ones, as under real load (the dispatches share
                    // no lock: distinct protocols, no queue count moves).
                    try await server.store.write { db in
                        try await db.raw(
                            "CREATE FUNCTION lenta() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(random() * 0.03); RETURN NEW; END $$ LANGUAGE plpgsql"
                        ).run()
                        try await db.raw("CREATE TRIGGER lenta AFTER INSERT ON integration_events FOR EACH ROW EXECUTE FUNCTION lenta()").run()
                    }
                }
                var c = Harness.config(database)
                c.seed = nil
                let second = try await buildApplication(c, clock: { Date(timeIntervalSince1970: 1_795_438_800) })  // 23/11/2026
                let total = engine == .postgres ? 400 : 120
                let reading = ReaderBox()
                reading.last = Int64(before)
                try await second.application.test(.live) { clientB in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            // The reader, on either instance's store, until the writers are done.
                            var turn = 0
                            while true {
                                turn += 1
                                let store = turn % 2 == 0 ? server.store : second.store
                                try await IntegrationEvents.publish(store, limit: 7)
                                let got = try await store.read { db in try await IntegrationEvents.after(reading.last, limit: 50, db: db) }
                                for e in got {
                                    XCTAssertGreaterThan(e.id, reading.last, "\(engine): an id behind one already read")
                                    reading.last = e.id
                                    reading.count += 1
                                }
                                if reading.done && got.isEmpty { return }
                            }
                        }
                        try await withThrowingTaskGroup(of: Void.self) { writers in
                            for k in 0..<total {
                                if k >= 8 { try await writers.next() }
                                let client = k % 2 == 0 ? clientA : clientB
                                let number = numbers[k % protocols]
                                writers.addTask {
                                    let r = try await client.post(
                                        "/v1/protocols/\(number)/steps", ["action": "dispatch", "text": "Andamento \(k)", "public": true],
                                        token: diego, headers: ["Idempotency-Key": "evc-step-\(100_000 + k)"])
                                    XCTAssertEqual(r.status, .ok, "\(r.json)")
                                }
                            }
                            try await writers.waitForAll()
                        }
                        // The writers are done: what is left is published, the reader drains it and stops.
                        while try await IntegrationEvents.publish(server.store) > 0 {}
                        reading.done = true
                        try await group.waitForAll()
                    }
                }
                await second.store.shutdown()
                AEq(reading.count, total, "\(engine): every event read once, none left behind")
                AEq(reading.last, Int64(before + total), "\(engine): ids without a gap")
                // Each protocol's events in its own order.
                for e in try await events(server) where e.type == "protocolo.andamento" {
                    ATrue(e.body.sequencia >= 2, "\(engine)")
                }
            }
        }
    }
}

/// The reader's place, shared with the test's tasks (one reader task writes it).
final class ReaderBox: @unchecked Sendable {
    var last: Int64 = 0
    var count = 0
    var done = false
}
