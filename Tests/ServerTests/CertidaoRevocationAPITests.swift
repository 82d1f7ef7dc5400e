import Domain
import Foundation
import HummingbirdTesting
import SQLKit
import XCTest

@testable import Server

/// Issue 27, finding 1, on both engines: a bill under a pending card payment is still owed (no
/// negativa for 10007-2 while its card payment waits, nor after the company declines); a
/// supervisor revokes a certidão and the public verification says when and why; the background
/// rule revokes a negativa issued on facts since found false (a payment reversed), audited.
final class CertidaoRevocationAPITests: XCTestCase {
    static let anaLuiza = (m: "10007-2", doc: "390.533.447-05", norm: "100072")

    func testPendingCardPaymentIsStillOwed() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.sandboxCardCompany = 0 }) { client in
                let ana = try await client.customerToken(Self.anaLuiza.m, Self.anaLuiza.doc)
                let bills =
                    try await client.get("/v1/properties/\(Self.anaLuiza.norm)/bills", token: ana).json["items"] as? [[String: Any]] ?? []
                let open = bills.filter { $0["situacao"] as? String == "aberta" }.compactMap { $0["id"] as? Int }
                AEq(open.count, 9, "\(engine): the fixture's eight overdue bills and this month's")
                let card = try await client.post(
                    "/v1/properties/\(Self.anaLuiza.norm)/card-payments", ["companyId": "sandbox", "billIds": open], token: ana,
                    headers: ["Idempotency-Key": "cert-card-\(engine)"])
                AEq(card.status, .created, "\(engine): \(card.json)")

                // Every bill is now under review, and still owed: no certidão, each bill named.
                let refused = try await client.post(
                    "/v1/properties/\(Self.anaLuiza.norm)/certidoes", [:], token: ana, headers: ["Idempotency-Key": "cert-1-\(engine)"])
                AEq(refused.status, .conflict, "\(engine): \(refused.json)")
                let message = refused.errorMessage ?? ""
                AEq(message.components(separatedBy: "• Conta de").count - 1, 8, message)
                AEq(message.components(separatedBy: "em revisão").count - 1, 8, message)
                AEq(message.components(separatedBy: "dívida ativa").count - 1, 3, message)
                // The home summary says the same.
                let debts = try await client.get("/v1/properties/\(Self.anaLuiza.norm)", token: ana).json["debts"] as? [String: Any] ?? [:]
                AEq(debts["openCount"] as? Int, 9, "\(engine): \(debts)")
                AEq(debts["overdueCount"] as? Int, 8, "\(engine): \(debts)")
                AEq(debts["underReviewCount"] as? Int, 9, "\(engine): \(debts)")
                // The bill list marks them overdue, with charges to today.
                let listed =
                    try await client.get("/v1/properties/\(Self.anaLuiza.norm)/bills", token: ana).json["items"] as? [[String: Any]] ?? []
                let review = listed.filter { $0["situacao"] as? String == "em_revisao" && $0["overdue"] as? Bool == true }
                AEq(review.count, 8)
                ATrue(review.allSatisfy { $0["updated"] != nil }, "\(review)")
            }
        }
    }

    func testSupervisorRevokesAndVerificationSaysWhy() async throws {
        let clock = TestClock()
        try await forEachEngine { engine in
            try await Harness.withServer(engine, clock: clock) { client, server in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let issued = try await client.post(
                    "/v1/properties/\(Demo.mariaPaid)/certidoes", [:], token: maria, headers: ["Idempotency-Key": "rev-\(engine)"])
                AEq(issued.status, .created, "\(engine): \(issued.json)")
                let code = try XCTUnwrap(issued.json["code"] as? String)
                func verify() async throws -> [String: Any] { try await client.post("/v1/certidao-verification", ["code": code]).json }
                let reason = "Emitida por engano: pagamento estornado pelo banco em 24/11."
                let body: [String: Any] = ["code": code, "reason": reason]

                // Nobody but a supervisor: not the customer, not the counter, not the back office, not anonymous.
                AEq(try await client.post("/v1/certidao-revocations", body).status, .unauthorized)
                AEq(try await client.post("/v1/certidao-revocations", body, token: maria).status, .forbidden)
                for (u, p) in [("ana", "atende123"), ("bruno", "backoffice123")] {
                    let t = try await client.staffToken(u, p)
                    AEq(try await client.post("/v1/certidao-revocations", body, token: t).status, .forbidden, "\(engine): \(u)")
                }
                AEq(try await verify()["status"] as? String, "valida")

                let carla = try await client.staffToken("carla", "supervisao123")
                let short = try await client.post("/v1/certidao-revocations", ["code": code, "reason": "   engano   "], token: carla)
                ATrue(short.status == .badRequest || short.status == .unprocessableContent, "\(engine): \(short.status)")
                AEq(try await verify()["status"] as? String, "valida", "a refused revocation changes nothing")
                var rng = SplitMix64(seed: 7)
                let unknown = try await client.post(
                    "/v1/certidao-revocations", ["code": VerificationCode.generate(using: &rng), "reason": reason], token: carla)
                AEq(unknown.status, .notFound)

                let revoked = try await client.post("/v1/certidao-revocations", body, token: carla)
                AEq(revoked.status, .ok, "\(engine): \(revoked.json)")
                AEq(revoked.json["status"] as? String, "revogada")
                var v = try await verify()
                AEq(v["status"] as? String, "revogada", "\(engine)")
                AEq(v["revocationReason"] as? String, reason)
                AEq(v["revokedOn"] as? String, "2026-11-23")
                // A second revocation keeps the first reason; 91 days later it is still revoked, not expired.
                let again = try await client.post(
                    "/v1/certidao-revocations", ["code": code.lowercased(), "reason": "Outro motivo qualquer, depois."], token: carla)
                AEq(again.status, .ok)
                AEq(again.json["revocationReason"] as? String, reason)
                clock.advance(91 * 86_400)
                v = try await verify()
                AEq(v["status"] as? String, "revogada")
                AEq(v["revocationReason"] as? String, reason)
                let audited = try await server.store.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'revogar_certidao' AND staff_usuario = 'carla'")
                        .first()?.decode(column: "n", as: Int.self) ?? -1
                }
                AEq(audited, 2, "\(engine): each revocation asked is audited")
            }
        }
    }

    func testRuleRevokesCertidoesIssuedOnFalseFacts() async throws {
        let clock = TestClock()
        try await forEachEngine { engine in
            try await Harness.withServer(engine, clock: clock) { client, server in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                func issue(_ m: String, _ token: String) async throws -> String {
                    let r = try await client.post(
                        "/v1/properties/\(m)/certidoes", [:], token: token, headers: ["Idempotency-Key": "rule-\(m)-\(engine)"])
                    AEq(r.status, .created, "\(engine) \(m): \(r.json)")
                    return r.json["code"] as? String ?? ""
                }
                func status(_ code: String) async throws -> [String: Any] {
                    try await client.post("/v1/certidao-verification", ["code": code]).json
                }
                let paid = try await issue(Demo.mariaPaid, maria)
                let other = try await issue(Demo.companyNorm, company)

                // The bank reverses a payment of 10002 made months before the certidão.
                try await server.store.write { db in
                    try await db.raw(
                        """
                        UPDATE bills SET situacao = 'aberta', pago_em = NULL
                        WHERE matricula = \(bind: Demo.mariaPaid)
                          AND vencimento = (SELECT MIN(vencimento) FROM bills WHERE matricula = \(bind: Demo.mariaPaid))
                        """
                    ).run()
                }
                // The hourly rule runs in the background chores.
                clock.advance(Double(BackgroundJobs.agreementCheckEverySeconds) + 1)
                var v = try await status(paid)
                for _ in 0..<100 where v["status"] as? String != "revogada" {
                    try await Task.sleep(for: .milliseconds(100))
                    v = try await status(paid)
                }
                AEq(v["status"] as? String, "revogada", "\(engine): \(v)")
                let reason = v["revocationReason"] as? String ?? ""
                ATrue(reason.hasPrefix("Emitida em 23/11/2026 sem considerar débitos que já estavam vencidos: Conta de "), reason)
                AEq(try await status(other)["status"] as? String, "valida", "\(engine): the other property's certidão stands")
                let audited = try await server.store.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'revogar_certidao' AND staff_usuario = 'regra'")
                        .first()?.decode(column: "n", as: Int.self) ?? -1
                }
                AEq(audited, 1, "\(engine)")
                // The bill is owed again: no new certidão.
                let again = try await client.post(
                    "/v1/properties/\(Demo.mariaPaid)/certidoes", [:], token: try await client.customerToken(Demo.maria.m, Demo.maria.doc),
                    headers: ["Idempotency-Key": "rule-again-\(engine)"])
                AEq(again.status, .conflict, "\(engine): \(again.json)")
            }
        }
    }
}
