import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import XCTest

@testable import Server

/// Protocols through the API (issue 11, first part): opening, reading by whom, the public
/// lookup, and gap-free numbers under concurrency — on SQLite and PostgreSQL.
final class ProtocolAPITests: XCTestCase {
    static func request(_ key: Int, documento: String = "111.444.777-35", matricula: String? = "10001-3", type: String = "revisao-conta")
        -> [String: Any]
    {
        var requester: [String: Any] = [
            "kind": "cliente", "documento": documento, "nome": "Maria Aparecida da Silva", "email": "maria.silva@example.com",
        ]
        if let matricula { requester["matricula"] = matricula }
        return [
            "typeCode": type, "subject": "Consumo alto na conta \(key)", "text": "A conta veio com o dobro do consumo de costume.",
            "requester": requester,
        ]
    }

    func create(_ client: any TestClientProtocol, _ body: [String: Any], token: String, key: String) async throws -> TestResponse {
        try await client.post("/v1/protocols", body, token: token, headers: ["Idempotency-Key": key])
    }

    func testOpenReadListAndLookUp() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()  // Monday 23/11/2026
            try await Harness.withServer(engine, clock: clock) { client in
                let ana = try await client.staffToken()
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)

                // The catalogue: customers see the public types only.
                let all = try await client.get("/v1/protocol-catalogue", token: ana).json["types"] as? [[String: Any]]
                let mine = try await client.get("/v1/protocol-catalogue", token: maria).json["types"] as? [[String: Any]]
                AEq(all?.count, 25, "\(engine)")
                AEq(mine?.count, 21, "\(engine): internal types hidden from customers")

                // Bad input changes nothing and takes no number.
                var bad = Self.request(0)
                bad["requester"] = ["kind": "outro", "documento": "111.444.777-36", "nome": "Fulano"]
                let refused = try await create(client, bad, token: ana, key: "proto-0000")
                AEq(refused.status, .badRequest, "\(engine)")
                ATrue(refused.errorMessage?.contains("CPF") == true, "\(engine): \(refused.errorMessage ?? "")")
                AEq(try await create(client, Self.request(0, type: "inexistente"), token: ana, key: "proto-0001").status, .badRequest)
                AEq(
                    try await create(client, Self.request(0), token: maria, key: "proto-0002").status, .forbidden,
                    "customers do not open here")

                // Opened at the counter: the first number of the year, aberto at the type's unit, its deadline.
                let first = try await create(client, Self.request(1), token: ana, key: "proto-0003")
                AEq(first.status, .created, "\(engine): \(first.json)")
                AEq(first.json["formatted"] as? String, "2026/000001", "\(engine)")
                AEq(first.json["situation"] as? String, "aberto")
                AEq(first.json["unit"] as? String, "comercial")
                AEq(first.json["channel"] as? String, "counter")
                AEq(first.json["deadlineAt"] as? String, "2026-12-03T13:00:00Z", "\(engine): 10 days, the type's default")
                let steps = try XCTUnwrap(first.json["steps"] as? [[String: Any]])
                AEq(steps.first?["staff"] as? String, "ana", "staff see who acted")
                // A retry is the same protocol.
                let again = try await create(client, Self.request(1), token: ana, key: "proto-0003")
                AEq(again.json["number"] as? String, first.json["number"] as? String)
                AEq(again.headers[HTTPField.Name("Idempotency-Replayed")!], "true")
                // An outro requerente with Maria's CPF and no matrícula: hers too, by CPF.
                let second = try await create(client, Self.request(2, matricula: nil, type: "vazamento"), token: ana, key: "proto-0004")
                AEq(second.json["formatted"] as? String, "2026/000002", "\(engine): no number lost to the refusals")

                // A phone is a phone (issue 28).
                var badPhone = Self.request(9)
                badPhone["requester"] = ["kind": "cliente", "documento": "111.444.777-35", "nome": "Maria", "telefone": "abc"]
                let phoneRefused = try await client.post("/v1/protocols", badPhone, token: ana, headers: ["Idempotency-Key": "phone-\(engine)"])
                AEq(phoneRefused.errorMessage, PhoneNumber.problem, "\(engine)")
                // Maria reads hers, without staff names; another customer gets 404 for the same number.
                let hers = try await client.get("/v1/protocols/2026000001", token: maria)
                AEq(hers.status, .ok, "\(engine)")
                let raw = String(buffer: hers.body)
                ATrue(!raw.contains("\"ana\"") && !raw.contains("\"staff\""), "\(engine): no staff names for customers: \(raw)")
                AEq((hers.json["requester"] as? [String: Any])?["documento"] as? String, "***.444.777-**")
                AEq(try await client.get("/v1/protocols/2026000001", token: company).status, .notFound, "\(engine)")
                AEq(try await client.get("/v1/protocols/2026000002", token: company).status, .notFound)
                // Her list: the property's and the CPF's, newest first, whatever channel opened them.
                let list = try await client.get("/v1/properties/\(Demo.mariaNorm)/protocols", token: maria)
                AEq(
                    (list.json["items"] as? [[String: Any]])?.compactMap { $0["formatted"] as? String }, ["2026/000002", "2026/000001"],
                    "\(engine)")

                // The public lookup reads what her "Meus protocolos" reads (issue 28.4: one rule), without
                // the requester, whom the caller just named; a wrong pair answers like a missing protocol.
                let found = try await client.post("/v1/protocol-lookup", ["number": "2026/1", "documento": "11144477735"])
                AEq(found.status, .ok, "\(engine): \(found.json)")
                AEq(found.json["subject"] as? String, hers.json["subject"] as? String, "\(engine)")
                AEq(found.json["text"] as? String, "A conta veio com o dobro do consumo de costume.", "\(engine)")
                AEq(hers.json["text"] as? String, "A conta veio com o dobro do consumo de costume.", "\(engine)")
                ATrue(found.json["requester"] == nil, "\(engine): \(found.json)")
                AEq(found.json["unitName"] as? String, "Comercial")
                let wrongPair = try await client.post("/v1/protocol-lookup", ["number": "2026/000001", "documento": "529.982.247-25"])
                let missing = try await client.post("/v1/protocol-lookup", ["number": "2026/000999", "documento": "111.444.777-35"])
                let malformed = try await client.post("/v1/protocol-lookup", ["number": "abc", "documento": "111.444.777-35"])
                for r in [wrongPair, missing, malformed] {
                    AEq(r.status, .notFound, "\(engine)")
                    AEq(String(buffer: r.body), String(buffer: missing.body), "\(engine): the same answer")
                }
                // Guessing is limited like login: after 5 failures for a number, 429 even with the right pair.
                for _ in 0..<4 {
                    _ = try await client.post("/v1/protocol-lookup", ["number": "2026000001", "documento": "529.982.247-25"])
                }
                let limited = try await client.post("/v1/protocol-lookup", ["number": "2026000001", "documento": "111.444.777-35"])
                AEq(limited.status, .tooManyRequests, "\(engine)")
            }
        }
    }

    /// A protocol's life through the queues: who may move it where, what the customer and the
    /// public lookup see of private and public steps.
    func testQueueAndStepsByRoleAndUnit() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let ana = try await client.staffToken()  // atendente, centro
                let diego = try await client.staffToken("diego", "comercial123")  // backoffice, comercial
                let bruno = try await client.staffToken("bruno", "backoffice123")  // backoffice, ouvidoria
                let carla = try await client.staffToken("carla", "supervisao123")  // supervisor, centro
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let opened = try await create(client, Self.request(1), token: ana, key: "life-0001")
                let number = try XCTUnwrap(opened.json["number"] as? String)
                var key = 0
                func step(_ token: String, _ body: [String: Any]) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/protocols/\(number)/steps", body, token: token, headers: ["Idempotency-Key": "step-\(10_000 + key)"])
                }

                // The comercial queue: Diego's; Bruno (another unit) may not read it, Carla (supervisor) may.
                let queue = try await client.get("/v1/queue", token: diego)
                AEq(queue.status, .ok, "\(engine)")
                let item = try XCTUnwrap((queue.json["items"] as? [[String: Any]])?.first)
                AEq(item["formatted"] as? String, "2026/000001")
                AEq(item["unread"] as? Bool, true)
                AEq((queue.json["counts"] as? [String: Any])?["aberto"] as? Int, 1)
                AEq(try await client.get("/v1/queue?unit=comercial", token: bruno).status, .forbidden, "\(engine)")
                AEq(try await client.get("/v1/queue?unit=comercial", token: carla).status, .ok)
                AEq(try await client.get("/v1/queue", token: ana).status, .forbidden, "atendentes have no queue")

                // Refusals, each with its reason.
                var r = try await step(ana, ["action": "receive"])
                AEq(r.status, .forbidden, "\(engine)")
                AEq(r.errorCode, "role_forbidden")
                r = try await step(bruno, ["action": "receive"])
                ATrue(r.status == .conflict && r.errorMessage?.contains("outra unidade") == true, "\(engine): \(r.json)")
                r = try await step(diego, ["action": "dispatch", "text": "Antes de receber", "public": true])
                ATrue(r.status == .conflict && r.errorMessage?.contains("Receba") == true, "\(engine): \(r.json)")

                // Diego receives, dispatches privately then publicly.
                AEq(try await step(diego, ["action": "receive"]).json["situation"] as? String, "recebido", "\(engine)")
                r = try await step(
                    diego, ["action": "dispatch", "text": "Nota interna: SEGREDO-123, cliente já reclamou antes.", "public": false])
                AEq(r.json["situation"] as? String, "em_andamento")
                AEq(try await step(diego, ["action": "dispatch", "text": "Leitura conferida em campo.", "public": true]).status, .ok)
                AEq(try await step(diego, ["action": "dispatch", "public": true]).status, .badRequest, "a dispatch needs its text")

                // Private text absent from every customer-facing and public answer (raw JSON).
                let hers = try await client.get("/v1/protocols/\(number)", token: maria)
                let lookup = try await client.post("/v1/protocol-lookup", ["number": number, "documento": "111.444.777-35"])
                for (what, raw) in [("cliente", String(buffer: hers.body)), ("consulta pública", String(buffer: lookup.body))] {
                    ATrue(!raw.contains("SEGREDO-123") && !raw.contains("diego"), "\(engine) \(what): \(raw)")
                    ATrue(raw.contains("Leitura conferida em campo."), "\(engine) \(what): the public dispatch is there")
                }
                let staffView = try await client.get("/v1/protocols/\(number)", token: carla)
                ATrue(String(buffer: staffView.body).contains("SEGREDO-123"), "staff read private dispatches")

                // Forward to the Ouvidoria: aberto there; Diego's unit no longer moves it.
                r = try await step(
                    diego, ["action": "forward", "toUnit": "ouvidoria", "text": "Segue para análise da Ouvidoria.", "public": true])
                AEq(r.json["situation"] as? String, "aberto", "\(engine)")
                AEq(r.json["unit"] as? String, "ouvidoria")
                AEq(try await step(diego, ["action": "receive"]).status, .conflict)
                // Bruno receives, edits (audited with the old value), concludes publicly.
                AEq(try await step(bruno, ["action": "receive"]).status, .ok, "\(engine)")
                r = try await step(bruno, ["action": "edit", "subject": "Consumo alto contestado"])
                AEq(r.json["subject"] as? String, "Consumo alto contestado")
                AEq(try await step(bruno, ["action": "edit", "subject": "Consumo alto contestado"]).status, .badRequest, "nothing changed")
                // A deadline moved by an edit: never into the past; the history says it in the utility's time (issue 28.11).
                r = try await step(bruno, ["action": "edit", "deadlineAt": "2026-11-20T12:00:00Z"])
                AEq(r.errorMessage, "O prazo precisa ser uma data futura.", "\(engine)")
                r = try await step(bruno, ["action": "edit", "deadlineAt": "2026-12-10T20:00:00Z"])
                AEq(r.status, .ok, "\(engine): \(r.json)")
                let edited = (r.json["steps"] as? [[String: Any]])?.last?["detail"] as? String
                ATrue(edited?.hasSuffix("→ 10/12/2026 17:00") == true, "\(engine): \(edited ?? "")")
                AEq(try await step(bruno, ["action": "conclude", "text": "Resposta", "public": false]).status, .badRequest)
                r = try await step(bruno, ["action": "conclude", "text": "Conta revista: crédito na próxima fatura.", "public": true])
                AEq(r.json["situation"] as? String, "concluido", "\(engine)")
                AEq(try await step(bruno, ["action": "dispatch", "text": "Depois", "public": true]).status, .conflict)
                // Only a supervisor reopens.
                r = try await step(bruno, ["action": "reopen"])
                ATrue(r.status == .conflict && r.errorMessage?.contains("supervisor") == true, "\(engine): \(r.json)")
                AEq(
                    try await step(carla, ["action": "reopen", "text": "Cliente trouxe nova leitura.", "public": true]).json["situation"]
                        as? String, "reaberto")
                // The history: every step with who (staff) and the units.
                let history = try await client.get("/v1/protocols/\(number)", token: carla)
                let steps = try XCTUnwrap(history.json["steps"] as? [[String: Any]])
                AEq(
                    steps.compactMap { $0["action"] as? String },
                    ["open", "receive", "dispatch", "dispatch", "forward", "receive", "edit", "edit", "conclude", "reopen"], "\(engine)")
                AEq(steps[4]["toUnit"] as? String, "Ouvidoria")
                AEq(
                    steps[6]["detail"] as? String, "assunto: Consumo alto na conta 1 → Consumo alto contestado",
                    "\(engine): the old value kept")
                let customerView = try await client.get("/v1/protocols/\(number)", token: maria)
                ATrue(!String(buffer: customerView.body).contains("Consumo alto na conta 1 →"), "\(engine): edits are staff-only")
                AEq(
                    steps.compactMap { $0["staff"] as? String },
                    ["ana", "diego", "diego", "diego", "diego", "bruno", "bruno", "bruno", "bruno", "carla"])
            }
        }
    }

    /// The queue a page at a time, oldest first, and filtered over the whole unit: words start
    /// words of the number, subject or requester (accents aside), or name the type or situation.
    func testQueuePagesAndFilters() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let ana = try await client.staffToken()
                let diego = try await client.staffToken("diego", "comercial123")
                let people = [
                    "Maria Aparecida da Silva", "João da Água Bonita", "Empresa Ômega Ltda", "José Pereira", "Ana Lúcia Souza",
                    "Carlos Eduardo", "Beatriz Ramos",
                ]
                for (i, name) in people.enumerated() {
                    var request = Self.request(i + 1, matricula: nil)
                    request["subject"] = i == 1 ? "Vazamento na calçada" : "Consumo alto na conta \(i + 1)"
                    request["requester"] = ["kind": "outro", "documento": "111.444.777-35", "nome": name]
                    AEq(try await create(client, request, token: ana, key: "queue-\(engine)-\(i)").status, .created)
                }
                func queue(_ query: String) async throws -> (numbers: [String], total: Int?) {
                    let r = try await client.get("/v1/queue?\(query)", token: diego)
                    AEq(r.status, .ok, "\(engine) \(query): \(r.json)")
                    let items = r.json["items"] as? [[String: Any]] ?? []
                    return (items.compactMap { ($0["formatted"] as? String)?.suffix(1).description }, r.json["total"] as? Int)
                }
                // Pages, oldest first (numbers 1…7; each row's last digit).
                var page = try await queue("limit=3")
                AEq(page.numbers, ["1", "2", "3"], "\(engine)")
                AEq(page.total, 7)
                AEq(try await queue("limit=3&offset=3").numbers, ["4", "5", "6"], "\(engine)")
                AEq(try await queue("limit=3&offset=6").numbers, ["7"], "\(engine)")
                // Words: accents and case aside, each word the start of a word, all words together.
                AEq(try await queue("q=joao").numbers, ["2"], "\(engine): João")
                AEq(try await queue("q=AGUA%20bon").numbers, ["2"], "\(engine): two words, both")
                AEq(try await queue("q=omega").numbers, ["3"], "\(engine): Ômega")
                AEq(try await queue("q=ereira").numbers, [], "\(engine): the start of a word, not its middle")
                AEq(try await queue("q=000005").numbers, ["5"], "\(engine): the number as printed")
                AEq(try await queue("q=2026/000006").numbers, ["6"], "\(engine)")
                page = try await queue("q=consumo&limit=2")
                AEq(page.numbers, ["1", "3"], "\(engine)")
                AEq(page.total, 6, "\(engine): how many match, beyond the page")
                AEq(try await queue("q=revisao%20vazamento").numbers, ["2"], "\(engine): the type's name and a subject word")
                // The situation's name: after Diego receives number 4, "recebido" finds it.
                let fourth = try await client.get("/v1/queue?q=000004", token: diego)
                let number = try XCTUnwrap((fourth.json["items"] as? [[String: Any]])?.first?["number"] as? String)
                _ = try await client.post(
                    "/v1/protocols/\(number)/steps", ["action": "receive"], token: diego, headers: ["Idempotency-Key": "queue-r-\(engine)"])
                AEq(try await queue("q=recebido").numbers, ["4"], "\(engine)")
                AEq(try await queue("situation=recebido").total, 1)
                // An edited subject is found by its new words.
                _ = try await client.post(
                    "/v1/protocols/\(number)/steps", ["action": "edit", "subject": "Hidrômetro parado"], token: diego,
                    headers: ["Idempotency-Key": "queue-e-\(engine)"])
                AEq(try await queue("q=hidrometro").numbers, ["4"], "\(engine)")
                if engine == .sqlite {
                    // The open queue is read in index order: no sort of the whole unit.
                    let plan = try await server.store.read { db in
                        try await db.raw(
                            "EXPLAIN QUERY PLAN SELECT number FROM protocols WHERE unit = 'comercial' AND situation <> 'concluido' ORDER BY opened_at, number LIMIT 50"
                        ).all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: " | ")
                    }
                    ATrue(plan.contains("protocols_open_queue") && !plan.contains("TEMP B-TREE"), plan)
                }
            }
        }
    }

    /// Every step by every role from every situation, through the API: the table below is the
    /// rule written out by hand (not computed from the Domain's), one fresh protocol per cell.
    /// Allowed steps move the protocol and are audited; refused ones answer 409 and change nothing.
    func testEveryTransitionByEveryRole() async throws {
        // Actors, in the order of each cell's letters: Ana (atendente, centro), Diego (backoffice of
        // the protocol's unit, comercial), Bruno (backoffice, ouvidoria), Carla (supervisor, centro).
        // "Y" allowed, "-" refused.
        let situations = ["aberto", "recebido", "em_andamento", "concluido", "reaberto"]
        let table: [(action: String, cells: [String], after: String?)] = [
            ("receive", ["-Y-Y", "----", "----", "----", "-Y-Y"], "recebido"),
            ("dispatch", ["----", "-Y-Y", "-Y-Y", "----", "----"], "em_andamento"),
            ("forward", ["-Y-Y", "-Y-Y", "-Y-Y", "----", "-Y-Y"], "aberto"),
            ("edit", ["-Y-Y", "-Y-Y", "-Y-Y", "----", "-Y-Y"], nil),
            ("conclude", ["----", "-Y-Y", "-Y-Y", "----", "----"], "concluido"),
            ("reopen", ["----", "----", "----", "---Y", "----"], "reaberto"),
        ]
        // How Carla brings a new protocol to each situation.
        let path: [String: [String]] = [
            "aberto": [], "recebido": ["receive"], "em_andamento": ["receive", "dispatch"], "concluido": ["receive", "conclude"],
            "reaberto": ["receive", "conclude", "reopen"],
        ]
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let ana = try await client.staffToken()
                let actors = [
                    ("ana", ana), ("diego", try await client.staffToken("diego", "comercial123")),
                    ("bruno", try await client.staffToken("bruno", "backoffice123")),
                    ("carla", try await client.staffToken("carla", "supervisao123")),
                ]
                var key = 0
                var audited = 0
                func step(_ number: String, _ action: String, _ token: String) async throws -> TestResponse {
                    key += 1
                    var body: [String: Any] = ["action": action]
                    switch action {
                    case "dispatch", "conclude", "reopen":
                        body["text"] = "Texto do trâmite \(key)."
                        body["public"] = true
                    case "forward":
                        body["text"] = "Segue para a Operação."
                        body["toUnit"] = "operacao"
                    case "edit": body["subject"] = "Assunto editado \(key)"
                    default: break
                    }
                    return try await client.post(
                        "/v1/protocols/\(number)/steps", body, token: token, headers: ["Idempotency-Key": "table-\(engine)-\(key)"])
                }
                for row in table {
                    for (s, situation) in situations.enumerated() {
                        for (a, actor) in actors.enumerated() {
                            key += 1
                            let opened = try await create(client, Self.request(key), token: ana, key: "table-open-\(engine)-\(key)")
                            audited += 1
                            let number = try XCTUnwrap(opened.json["number"] as? String)
                            for setup in path[situation] ?? [] {
                                AEq(try await step(number, setup, actors[3].1).status, .ok, "\(engine) setup \(setup)")
                                audited += 1
                            }
                            let before = try await client.get("/v1/protocols/\(number)", token: ana).json
                            AEq(before["situation"] as? String, situation, "\(engine): reached \(situation)")
                            let cell = "\(engine): \(actor.0) \(row.action) from \(situation)"
                            let allowed = Array(row.cells[s])[a] == "Y"
                            let r = try await step(number, row.action, actor.1)
                            let after = try await client.get("/v1/protocols/\(number)", token: ana).json
                            let stepsBefore = (before["steps"] as? [Any])?.count ?? 0
                            let stepsAfter = (after["steps"] as? [Any])?.count ?? 0
                            if allowed {
                                AEq(r.status, .ok, "\(cell) allowed: \(r.json)")
                                AEq(after["situation"] as? String, row.after ?? situation, cell)
                                AEq(stepsAfter, stepsBefore + 1, cell)
                                if row.action == "forward" { AEq(after["unit"] as? String, "operacao", cell) }
                                audited += 1
                            } else {
                                // An atendente does not work queues at all (Permissions); the
                                // others are refused by the protocol's unit and situation.
                                AEq(r.status, actor.0 == "ana" ? .forbidden : .conflict, "\(cell) refused: \(r.json)")
                                ATrue(r.errorMessage?.isEmpty == false, cell)
                                AEq(after["situation"] as? String, situation, "\(cell): unchanged")
                                AEq(stepsAfter, stepsBefore, "\(cell): no step recorded")
                            }
                        }
                    }
                }
                // Every staff action that happened is in the audit log, and nothing else.
                let logged = try await server.store.read { db in
                    try await db.raw(
                        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'abrir_protocolo' OR action LIKE 'protocolo_%'"
                    ).first()?.decode(column: "n", as: Int64.self)
                }
                AEq(logged, Int64(audited), "\(engine)")
                // The queue's counts, kept by each transaction, equal a count of the protocols.
                try await assertQueueCountsExact(server, "\(engine)")
            }
        }
    }

    /// `protocol_queue_counts` against a count of the protocols themselves.
    func assertQueueCountsExact(_ server: AgenciaServer, _ what: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let (kept, counted) = try await server.store.read { db in
            func pairs(_ sql: SQLQueryString) async throws -> [String] {
                try await db.raw(sql).all().map {
                    "\(try $0.decode(column: "unit", as: String.self))/\(try $0.decode(column: "situation", as: String.self))=\(try $0.decode(column: "n", as: Int64.self))"
                }.sorted()
            }
            return (
                try await pairs("SELECT unit, situation, n FROM protocol_queue_counts WHERE n <> 0"),
                try await pairs(
                    "SELECT unit, situation, COUNT(*) AS n FROM protocols WHERE situation <> 'concluido' GROUP BY unit, situation")
            )
        }
        XCTAssertEqual(kept, counted, what, file: file, line: line)
        XCTAssertFalse(counted.isEmpty, what, file: file, line: line)
    }

    /// Numbers are gap-free and unique: 1 000 concurrent creations over two server instances on
    /// one PostgreSQL (8 clients on SQLite) give exactly 1…N; a creation failing inside its
    /// transaction leaves no hole.
    func testNumbersAreGapFreeUnderConcurrency() async throws {
        try await forEachEngine { engine in
            var database = ""
            try await Harness.withServer(engine, configure: { database = $0.database }) { clientA, server in
                let token = try await clientA.staffToken()
                var c = Harness.config(database)
                c.seed = nil
                let second = try await buildApplication(c, clock: { Date(timeIntervalSince1970: 1_795_438_800) })  // 23/11/2026
                let total = engine == .postgres ? 1_000 : 200
                let width = engine == .postgres ? 32 : 8
                try await second.application.test(.live) { clientB in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for k in 0..<total {
                            if k >= width { try await group.next() }
                            let client = k % 2 == 0 ? clientA : clientB
                            group.addTask {
                                let r = try await self.create(client, Self.request(k), token: token, key: "conc-\(100_000 + k)")
                                XCTAssertEqual(r.status, .created, "\(r.json)")
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                await second.store.shutdown()
                // A creation that fails inside its transaction (a trigger refuses it) takes no number.
                try await Harness.refuseInserts(server.store, name: "falha", into: "protocols", when: "NEW.subject = 'FALHA'")
                var failing = Self.request(0)
                failing["subject"] = "FALHA"
                let failed = try await self.create(clientA, failing, token: token, key: "conc-failing")
                AEq(failed.status, .internalServerError, "\(engine)")
                AEq(try await self.create(clientA, Self.request(0), token: token, key: "conc-after").status, .created)
                let seqs = try await server.store.read { db in
                    try await db.raw("SELECT seq FROM protocols WHERE year = 2026 ORDER BY seq").all().map {
                        try $0.decode(column: "seq", as: Int.self)
                    }
                }
                AEq(seqs, Array(1...(total + 1)), "\(engine): 1…\(total + 1), no gap, no duplicate")
                try await assertQueueCountsExact(server, "\(engine): counts kept under concurrency, none left by the failed one")
            }
        }
    }
}
