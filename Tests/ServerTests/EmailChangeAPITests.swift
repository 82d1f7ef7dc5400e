import Domain
import Foundation
import HummingbirdTesting
import SQLKit
import XCTest

@testable import Server

/// The e-mail address changed by a code (issue 12) on both engines: the code goes to the new
/// address, works once within 15 minutes, five wrong codes end the change; at a counter the
/// change is recorded with the person present; the old address is told.
final class EmailChangeAPITests: XCTestCase {
    static let old = "maria.silva@example.com"

    private func code(_ store: any Store, _ id: Int) async throws -> String {
        try await store.read { db in
            try await db.raw("SELECT code FROM email_changes WHERE id = \(bind: id)").first()?.decode(column: "code", as: String?.self)
        } ?? ""
    }

    private func email(_ store: any Store) async throws -> String? {
        try await store.read { db in
            try await db.raw("SELECT email FROM customers WHERE documento = '11144477735'").first()?.decode(
                column: "email", as: String?.self)
        }
    }

    private func outbox(_ store: any Store) async throws -> [String] {
        try await store.read { db in
            try await db.raw(
                "SELECT document_kind, recipient FROM email_outbox WHERE document_kind IN ('email_code', 'email_changed') ORDER BY id"
            ).all().map {
                "\(try $0.decode(column: "document_kind", as: String.self)) \(try $0.decode(column: "recipient", as: String.self))"
            }
        }
    }

    func testCodeExpiryAttemptsReplayAndCounter() async throws {
        let clock = TestClock()
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine, clock: clock,
                configure: {
                    $0.smtp.url = "smtp://127.0.0.1:9"
                    // The customer waits for codes longer than a kiosk's idle time (the session
                    // would otherwise end on the server, as it should).
                    $0.kioskIdleSeconds = 3600
                }
            ) { client, server in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                let m = Demo.mariaNorm
                var key = 0
                func ask(_ body: [String: Any], _ token: String) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/properties/\(m)/email-change", body, token: token, headers: ["Idempotency-Key": "em-\(engine)-\(key)"])
                }
                func confirm(_ id: Int, _ code: String, _ token: String) async throws -> TestResponse {
                    try await client.post("/v1/properties/\(m)/email-change/\(id)/confirm", ["code": code], token: token)
                }

                // Bad input and someone else's property change nothing.
                AEq(try await ask(["email": "sem-arroba"], maria).status, .badRequest)
                AEq(try await ask(["email": Self.old], maria).errorMessage, "Este já é o e-mail do cadastro.")
                AEq(try await ask(["email": "x@example.com"], company).status, .notFound, "\(engine)")
                AEq(try await ask(["email": "x@example.com", "presential": true], maria).status, .forbidden, "no code only at a counter")

                // Five wrong codes end it; the right one afterwards does nothing.
                var r = try await ask(["email": "maria.nova@example.com"], maria)
                AEq(r.status, .accepted, "\(engine): \(r.json)")
                AEq(r.json["status"] as? String, "pendente")
                AEq(r.json["to"] as? String, Masking.email("maria.nova@example.com"))
                AEq(r.json["expiresAt"] as? String, "2026-11-23T13:15:00Z", "15 minutes")
                var id = try XCTUnwrap(r.json["id"] as? Int)
                var right = try await code(server.store, id)
                AEq(right.count, 6)
                let wrong = right == "000000" ? "111111" : "000000"
                for left in [4, 3, 2, 1] {
                    r = try await confirm(id, wrong, maria)
                    AEq(r.status, .badRequest)
                    AEq(r.errorMessage, "Código incorreto: \(left == 1 ? "resta 1 tentativa" : "restam \(left) tentativas").")
                }
                r = try await confirm(id, wrong, maria)
                AEq(r.status, .conflict, "\(engine)")
                AEq(r.errorMessage, "Cinco códigos errados: a alteração foi cancelada e o e-mail continua o mesmo. Peça um novo código.")
                AEq(try await confirm(id, right, maria).errorCode, "code_used")
                AEq(try await email(server.store), Self.old, "\(engine): unchanged")

                // Late: 15 minutes and one second after.
                r = try await ask(["email": "maria.nova@example.com"], maria)
                id = try XCTUnwrap(r.json["id"] as? Int)
                right = try await code(server.store, id)
                clock.advance(15 * 60 + 1)
                AEq(try await confirm(id, right, maria).errorCode, "code_expired", "\(engine)")

                // A new request cancels the pending one; its code works once, then the old address is told.
                r = try await ask(["email": "maria.nova@example.com"], maria)
                let first = try XCTUnwrap(r.json["id"] as? Int)
                let firstCode = try await code(server.store, first)
                r = try await ask(["email": "maria.nova@example.com"], maria)
                id = try XCTUnwrap(r.json["id"] as? Int)
                right = try await code(server.store, id)
                AEq(try await confirm(first, firstCode, maria).errorCode, "code_used", "the older request ended")
                r = try await confirm(id, " \(right) ", maria)
                AEq(r.status, .ok, "\(engine): \(r.json)")
                AEq(r.json["status"] as? String, "confirmado")
                AEq(try await email(server.store), "maria.nova@example.com")
                AEq(try await confirm(id, right, maria).errorCode, "code_used", "a used code is not replayed")
                AEq(try await code(server.store, id), "", "the code is not kept after the change")

                // At the counter, with Maria present: recorded at once, audited, the previous address told.
                let ana = try await client.staffToken()
                r = try await ask(["email": "maria.balcao@example.com", "presential": true], ana)
                AEq(r.status, .accepted, "\(engine): \(r.json)")
                AEq(r.json["status"] as? String, "confirmado")
                AEq(try await email(server.store), "maria.balcao@example.com")
                let audit = try await AuditLog(store: server.store, clock: AppClock(now: { clock.now }, timeZone: "America/Sao_Paulo"))
                    .entries(staff: "ana")
                ATrue(audit.contains { $0.action == "alterar_email_presencial" && $0.matricula == m }, "\(audit)")
                AEq(
                    try await outbox(server.store),
                    [
                        "email_code maria.nova@example.com", "email_code maria.nova@example.com", "email_code maria.nova@example.com",
                        "email_code maria.nova@example.com", "email_changed maria.silva@example.com",
                        "email_changed maria.nova@example.com",
                    ], "\(engine)")
            }
        }
    }
}
