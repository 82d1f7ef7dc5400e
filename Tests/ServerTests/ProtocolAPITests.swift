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
                AEq(all?.count, 10, "\(engine)")
                AEq(mine?.count, 8, "\(engine): internal types hidden from customers")

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

                // The public lookup: the routing only; a wrong pair answers like a missing protocol.
                let found = try await client.post("/v1/protocol-lookup", ["number": "2026/1", "documento": "11144477735"])
                AEq(found.status, .ok, "\(engine): \(found.json)")
                ATrue(
                    found.json["subject"] == nil && found.json["text"] == nil && found.json["requester"] == nil, "\(engine): \(found.json)")
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
                try await server.store.write { db in
                    if engine == .postgres {
                        try await db.raw(
                            "CREATE FUNCTION falha() RETURNS trigger AS $$ BEGIN IF NEW.subject = 'FALHA' THEN RAISE EXCEPTION 'falha'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                        ).run()
                        try await db.raw("CREATE TRIGGER falha BEFORE INSERT ON protocols FOR EACH ROW EXECUTE FUNCTION falha()").run()
                    } else {
                        try await db.raw(
                            "CREATE TRIGGER falha BEFORE INSERT ON protocols WHEN NEW.subject = 'FALHA' BEGIN SELECT RAISE(ABORT, 'falha'); END"
                        ).run()
                    }
                }
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
            }
        }
    }
}
