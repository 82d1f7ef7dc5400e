import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// Issue 27, findings 2 and 5, on both engines: an identity typed by a stranger attaches a
/// manifestation to nobody's records; staff read the protocols their role and unit need (an
/// object-level table over four staff members and three protocols), and every read is audited.
final class ProtocolPrivacyAPITests: XCTestCase {
    func manifest(_ client: any TestClientProtocol, _ body: [String: Any], token: String?, key: String) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: key]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: "/v1/ouvidoria/manifestations", method: .post, headers: headers,
            body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
    }

    func testATypedIdentityAttachesNothing() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                // A stranger, without logging in, files a complaint in Maria's name against her property.
                let planted = try await manifest(
                    client,
                    [
                        "typeCode": "reclamacao", "text": "Reclamação plantada em nome de outra pessoa, sem prova nenhuma.",
                        "requester": [
                            "kind": "cliente", "documento": Demo.maria.doc, "nome": "Maria Aparecida da Silva", "matricula": Demo.maria.m,
                        ],
                    ], token: nil, key: "planted-\(engine)")
                AEq(planted.status, .created, "\(engine): \(planted.json)")
                let number = try XCTUnwrap(planted.json["number"] as? String)
                // Maria's own manifestation, from her session.
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let own = try await manifest(
                    client, ["typeCode": "reclamacao", "text": "Minha própria reclamação, feita com a minha sessão."], token: maria,
                    key: "own-\(engine)")
                let ownNumber = try XCTUnwrap(own.json["number"] as? String)

                let listed =
                    try await client.get("/v1/properties/\(Demo.mariaNorm)/protocols", token: maria).json["items"] as? [[String: Any]] ?? []
                let numbers = listed.compactMap { $0["number"] as? String }
                ATrue(!numbers.contains(number), "\(engine): a declared identity is not in Maria's protocols")
                ATrue(numbers.contains(ownNumber), "\(engine): her own manifestation is")
                AEq(try await client.get("/v1/protocols/\(number)", token: maria).status, .notFound, "\(engine)")
                AEq(try await client.get("/v1/protocols/\(ownNumber)", token: maria).status, .ok)
                // The property's list (what anyone serving or linked to 10001 sees) holds no manifestation.
                let ana = try await client.staffToken()
                let propertyList =
                    try await client.get("/v1/properties/\(Demo.mariaNorm)/protocols", token: ana).json["items"] as? [[String: Any]] ?? []
                ATrue(!propertyList.contains { [number, ownNumber].contains($0["number"] as? String ?? "") }, "\(engine): \(propertyList)")
                // Whoever filed it still follows it with the number and the CPF typed.
                let lookup = try await client.post("/v1/protocol-lookup", ["number": number, "documento": Demo.maria.doc])
                AEq(lookup.status, .ok, "\(engine): \(lookup.json)")
            }
        }
    }

    func testStaffReadWhatTheirRoleAndUnitNeed() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let ana = try await client.staffToken()  // atendente, centro
                let bruno = try await client.staffToken("bruno", "backoffice123")  // back office, ouvidoria
                let diego = try await client.staffToken("diego", "comercial123")  // back office, comercial
                let carla = try await client.staffToken("carla", "supervisao123")  // supervisor
                // A manifestation, registered at the counter by Ana for Maria.
                let m = try await manifest(
                    client,
                    [
                        "typeCode": "denuncia", "text": "Denúncia sobre a conduta de um empregado na agência.",
                        "requester": ["kind": "cliente", "documento": Demo.maria.doc, "nome": "Maria Aparecida da Silva"],
                    ], token: ana, key: "priv-m-\(engine)")
                let manifestation = try XCTUnwrap(m.json["number"] as? String, "\(m.json)")
                // A bill review opened by Ana for Maria (unit comercial), with a private dispatch by Diego.
                let p = try await client.post(
                    "/v1/protocols", ProtocolAPITests.request(1), token: ana, headers: ["Idempotency-Key": "priv-p-\(engine)"])
                let review = try XCTUnwrap(p.json["number"] as? String, "\(p.json)")
                var key = 0
                func step(_ number: String, _ body: [String: Any], _ token: String) async throws {
                    key += 1
                    let r = try await client.post(
                        "/v1/protocols/\(number)/steps", body, token: token, headers: ["Idempotency-Key": "priv-s-\(engine)-\(key)"])
                    AEq(r.status, .ok, "\(engine): \(r.json)")
                }
                try await step(review, ["action": "receive"], diego)
                let secret = "Nota interna: leitura conferida pelo fiscal."
                try await step(review, ["action": "dispatch", "text": secret, "public": false], diego)
                // A protocol of the company's property, opened by Carla.
                let q = try await client.post(
                    "/v1/protocols",
                    ProtocolAPITests.request(2, documento: Demo.company.doc, matricula: Demo.company.m), token: carla,
                    headers: ["Idempotency-Key": "priv-q-\(engine)"])
                let other = try XCTUnwrap(q.json["number"] as? String, "\(q.json)")

                func read(_ number: String, _ token: String) async throws -> TestResponse {
                    try await client.get("/v1/protocols/\(number)", token: token)
                }
                func privateText(_ r: TestResponse) -> Bool {
                    (r.json["steps"] as? [[String: Any]] ?? []).contains { $0["text"] as? String == secret }
                }
                // The object-level table: who reads what (404: as if it did not exist).
                let table: [(String, String, String, HTTPResponse.Status, Bool?)] = [
                    // (who, token, protocol, status, sees the private dispatch)
                    ("carla", carla, manifestation, .ok, nil), ("bruno", bruno, manifestation, .ok, nil),
                    ("ana", ana, manifestation, .notFound, nil), ("diego", diego, manifestation, .notFound, nil),
                    ("carla", carla, review, .ok, true), ("diego", diego, review, .ok, true),
                    ("ana", ana, review, .ok, false), ("bruno", bruno, review, .notFound, nil),
                    ("carla", carla, other, .ok, nil), ("diego", diego, other, .ok, nil),
                    ("ana", ana, other, .notFound, nil), ("bruno", bruno, other, .notFound, nil),
                ]
                for (who, token, number, status, sees) in table {
                    let r = try await read(number, token)
                    AEq(r.status, status, "\(engine): \(who) reads \(number)")
                    if let sees { AEq(privateText(r), sees, "\(engine): \(who) and the private dispatch of \(number)") }
                }
                // The ouvidoria reads the complainant in full; nobody else reads it at all.
                let full = try await read(manifestation, bruno).json["requester"] as? [String: Any]
                AEq(full?["documento"] as? String, Demo.maria.doc, "\(engine)")
                // Ana serves the company at her counter (opens its property): now she reads its protocol's public part.
                AEq(try await client.get("/v1/properties/\(Demo.companyNorm)", token: ana).status, .ok)
                AEq(try await read(other, ana).status, .ok, "\(engine): the customer at her counter")
                // Every staff read is in the audit trail.
                let audited = try await server.store.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'consultar_protocolo'").first()?.decode(
                        column: "n", as: Int.self) ?? -1
                }
                AEq(audited, table.filter { $0.3 == .ok }.count + 2, "\(engine): each read that answered")
            }
        }
    }
}
