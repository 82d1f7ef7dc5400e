import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import Server

/// Every endpoint, its errors and its authorisation, on SQLite and on PostgreSQL.
final class APITests: XCTestCase {

    func testHealthPolicyAndDocument() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let h = try await client.get("/v1/health")
                XCTAssertEqual(h.status, .ok)
                XCTAssertEqual(h.json["database"] as? String, engine.rawValue)
                let p = try await client.get("/v1/auth/policy")
                XCTAssertEqual(p.json["policy"] as? String, "matricula_dv_documento")
                XCTAssertEqual(p.json["emailEnabled"] as? Bool, false, "no SMTP configured: terminals say so on entry")
                XCTAssertNil(p.json["demoHints"], "demo hints only when configured")
                let doc = try await client.get("/openapi.yaml")
                XCTAssertEqual(doc.status, .ok)
                XCTAssertTrue(String(buffer: doc.body).contains("operationId: loginCustomer"))
            }
        }
    }

    func testCustomerLoginAndHomeDataMasked() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let r = try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token)
                XCTAssertEqual(r.status, .ok)
                let titular = try XCTUnwrap(r.json["titular"] as? [String: Any])
                XCTAssertEqual(titular["nome"] as? String, "MARIA A. S.")
                XCTAssertEqual(titular["documento"] as? String, "***.444.777-**")
                XCTAssertNil(titular["email"], "customers do not get contact data")
                let debts = try XCTUnwrap(r.json["debts"] as? [String: Any])
                XCTAssertEqual(debts["openCount"] as? Int, 3)
                XCTAssertEqual(debts["overdueCount"] as? Int, 2, "due dates before 2026-11-23")
                XCTAssertEqual(debts["oldestDueOn"] as? String, "2026-09-28")
                let linked = try await client.get("/v1/properties/\(Demo.mariaNorm)/linked", token: token)
                let items = try XCTUnwrap(linked.json["items"] as? [[String: Any]])
                XCTAssertEqual(items.compactMap { $0["matricula"] as? String }, [Demo.mariaPaid, Demo.mariaReview])
                // A linked property is reachable with the same session.
                let other = try await client.get("/v1/properties/\(Demo.mariaReview)", token: token)
                XCTAssertEqual(other.status, .ok)
                XCTAssertEqual((other.json["debts"] as? [String: Any])?["underReviewCount"] as? Int, 1)
            }
        }
    }

    func testAlphanumericCNPJLogin() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let token = try await client.customerToken(Demo.company.m, "12.abc.345/01de-35")
                let r = try await client.get("/v1/properties/\(Demo.companyNorm)", token: token)
                XCTAssertEqual((r.json["titular"] as? [String: Any])?["documento"] as? String, "12.ABC.345/01DE-35")
            }
        }
    }

    /// QUALITY.md 2: unknown matrícula and wrong CPF give the same status and body.
    func testNoEnumeration() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let unknown = try await client.post("/v1/sessions/customer", ["matricula": "99999-7", "documento": Demo.maria.doc])
                let wrongDoc = try await client.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": "529.982.247-25"])
                XCTAssertEqual(unknown.status, .unauthorized)
                XCTAssertEqual(unknown.status, wrongDoc.status)
                XCTAssertEqual(String(buffer: unknown.body), String(buffer: wrongDoc.body))
                XCTAssertTrue(wrongDoc.errorMessage?.contains("agência de atendimento") == true, "says how to get the CPF registered")
            }
        }
    }

    func testInvalidNumbersAreRejectedWithoutCountingAttempts() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let dv = try await client.post("/v1/sessions/customer", ["matricula": "10001-4", "documento": Demo.maria.doc])
                XCTAssertEqual(dv.status, .badRequest)
                XCTAssertTrue(dv.errorMessage?.contains("dígito verificador") == true)
                let cpf = try await client.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": "111.444.777-36"])
                XCTAssertEqual(cpf.status, .badRequest)
                XCTAssertEqual(cpf.errorMessage, "CPF/CNPJ inválido: dígitos verificadores não conferem.")
                for _ in 0..<8 {
                    _ = try await client.post("/v1/sessions/customer", ["matricula": "10001-4", "documento": Demo.maria.doc])
                }
                _ = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
            }
        }
    }

    /// QUALITY.md 1: a customer session reaches only its own properties; anything else is the
    /// same 404 as a property that does not exist.
    func testObjectLevelAuthorisation() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                for path in ["", "/linked"] {
                    let foreign = try await client.get("/v1/properties/\(Demo.mariaNorm)\(path)", token: company)
                    let missing = try await client.get("/v1/properties/999997\(path)", token: company)
                    XCTAssertEqual(foreign.status, .notFound, path)
                    XCTAssertEqual(String(buffer: foreign.body), String(buffer: missing.body), path)
                    let back = try await client.get("/v1/properties/\(Demo.companyNorm)\(path)", token: maria)
                    XCTAssertEqual(back.status, .notFound, path)
                    let garbage = try await client.get("/v1/properties/abc\(path)", token: maria)
                    XCTAssertEqual(garbage.status, .notFound, path)
                    let anonymous = try await client.get("/v1/properties/\(Demo.mariaNorm)\(path)")
                    XCTAssertEqual(anonymous.status, .unauthorized, path)
                }
                // Customers never search.
                let search = try await client.get("/v1/customers/search?q=silva", token: maria)
                XCTAssertEqual(search.status, .forbidden)
            }
        }
    }

    /// With the matrícula-only policy no document is authenticated: no linked properties.
    func testMatriculaOnlyPolicyOpensNoLinkedProperties() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.loginPolicy = .matricula }) { client in
                let r = try await client.post("/v1/sessions/customer", ["matricula": "10001"])
                XCTAssertEqual(r.status, .created)
                let token = try XCTUnwrap(r.json["token"] as? String)
                let linked = try await client.get("/v1/properties/\(Demo.mariaNorm)/linked", token: token)
                XCTAssertEqual((linked.json["items"] as? [Any])?.count, 0)
                let other = try await client.get("/v1/properties/\(Demo.mariaPaid)", token: token)
                XCTAssertEqual(other.status, .notFound)
            }
        }
    }

    /// Policy `matricula_dv`: sequence and check digit, no document; a wrong digit is a 400.
    func testMatriculaWithCheckDigitPolicy() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.loginPolicy = .matriculaDV }) { client in
                let policy = try await client.get("/v1/auth/policy")
                XCTAssertEqual(policy.json["policy"] as? String, "matricula_dv")
                let ok = try await client.post("/v1/sessions/customer", ["matricula": "10001-3"])
                XCTAssertEqual(ok.status, .created)
                let wrong = try await client.post("/v1/sessions/customer", ["matricula": "10001-4"])
                XCTAssertEqual(wrong.status, .badRequest)
                let unknown = try await client.post("/v1/sessions/customer", ["matricula": "99999-7"])
                XCTAssertEqual(unknown.status, .unauthorized)
                XCTAssertEqual(unknown.errorMessage, "Matrícula não encontrada. Confira o número impresso na sua conta de água.")
            }
        }
    }

    /// QUALITY.md 3: after N failures on a matrícula even the right CPF is refused until the
    /// window passes.
    func testAttemptLimitPerMatricula() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            try await Harness.withServer(engine, clock: clock) { client in
                for _ in 0..<5 {
                    let r = try await client.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": "529.982.247-25"])
                    XCTAssertEqual(r.status, .unauthorized)
                }
                let blocked = try await client.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": Demo.maria.doc])
                XCTAssertEqual(blocked.status, .tooManyRequests)
                XCTAssertEqual(blocked.errorCode, "too_many_attempts")
                XCTAssertEqual((blocked.json["error"] as? [String: Any])?["retryAfterSeconds"] as? Int, 900)
                XCTAssertEqual(blocked.headers[.retryAfter], "900")
                // Said to a customer at a kiosk (issue 28.20): no addresses, no supervisors.
                XCTAssertEqual(
                    blocked.errorMessage,
                    "Muitas tentativas sem sucesso para esta matrícula. Confira a matrícula e o CPF/CNPJ na conta de água. "
                        + "Tente novamente em 15 minutos ou procure um atendente.")
                // Another property is not blocked by this one's failures.
                _ = try await client.customerToken(Demo.company.m, Demo.company.doc)
                clock.advance(901)
                _ = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
            }
        }
    }

    func testAttemptLimitPerAddress() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.maxFailuresPerAddress = 3 }) { client in
                for m in ["10005-6", "10006-4", "10007-2"] {
                    let r = try await client.post("/v1/sessions/customer", ["matricula": m, "documento": Demo.maria.doc])
                    XCTAssertEqual(r.status, .unauthorized)
                }
                let r = try await client.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": Demo.maria.doc])
                XCTAssertEqual(r.status, .tooManyRequests)
                XCTAssertFalse(r.errorMessage?.contains("endereço") ?? true, r.errorMessage ?? "")
                XCTAssertTrue(r.errorMessage?.hasSuffix("ou procure um atendente.") ?? false, r.errorMessage ?? "")
            }
        }
    }

    /// QUALITY.md 4: logged-out and expired tokens are refused; no token in the query string.
    func testSessionsEndAndExpire() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            try await Harness.withServer(engine, clock: clock) { client in
                let path = "/v1/properties/\(Demo.mariaNorm)"
                let a = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                AEq(try await client.delete("/v1/sessions/current", token: a).status, .noContent)
                let after = try await client.get(path, token: a)
                XCTAssertEqual(after.status, .unauthorized)
                XCTAssertEqual(after.errorCode, "session_expired")
                let b = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                AEq(try await client.get("\(path)?token=\(b)").status, .unauthorized)
                AEq(try await client.get("\(path)?access_token=\(b)").status, .unauthorized)
                clock.advance(1801)
                AEq(try await client.get(path, token: b).errorCode, "session_expired")
                AEq(try await client.get(path, token: "forged").status, .unauthorized)
            }
        }
    }

    func testBodyLimitAndUnknownFields() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let big = String(repeating: "x", count: 70_000)
                let r = try await client.post("/v1/sessions/customer", ["matricula": big])
                XCTAssertEqual(r.status, .contentTooLarge)
                XCTAssertEqual(r.errorCode, "payload_too_large")
                let s = try await client.post("/v1/sessions/staff", ["usuario": "ana", "senha": big, "modo": "counter"])
                XCTAssertEqual(s.status, .contentTooLarge)
                let extra = try await client.post(
                    "/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": Demo.maria.doc, "admin": true])
                XCTAssertEqual(extra.status, .badRequest)
                let broken = try await client.execute(
                    uri: "/v1/sessions/customer", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{"))
                XCTAssertEqual(broken.status, .badRequest)
                XCTAssertNotNil(broken.errorMessage)
            }
        }
    }

    /// Counter mode: staff login (bcrypt), search by every key, unmasked data, audit log.
    func testStaffSearchAndAudit() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let wrong = try await client.post("/v1/sessions/staff", ["usuario": "ana", "senha": "errada", "modo": "counter"])
                XCTAssertEqual(wrong.status, .unauthorized)
                let nobody = try await client.post("/v1/sessions/staff", ["usuario": "ninguem", "senha": "errada", "modo": "counter"])
                XCTAssertEqual(String(buffer: wrong.body), String(buffer: nobody.body))
                let token = try await client.staffToken()
                func hits(_ q: String) async throws -> [String] {
                    let encoded = q.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? q
                    let r = try await client.get("/v1/customers/search?q=\(encoded)", token: token)
                    XCTAssertEqual(r.status, .ok, q)
                    return (r.json["items"] as? [[String: Any]] ?? []).compactMap { $0["matricula"] as? String }
                }
                AEq(try await hits("111.444.777-35"), [Demo.mariaNorm, Demo.mariaPaid, Demo.mariaReview])
                AEq(try await hits("10004-8"), [Demo.companyNorm])
                AEq(try await hits("10004"), [Demo.companyNorm], "sequence without check digit")
                ATrue(try await hits("maria aparecida").contains(Demo.mariaNorm))
                ATrue(try await hits("MARIA silva").contains(Demo.mariaNorm), "words in any order, accents and case ignored")
                AEq(try await hits("metalurgica"), [Demo.companyNorm])
                ATrue(try await hits("rua laranjeiras 120").contains(Demo.mariaNorm), "falls back to address")
                AEq(try await hits("zzzz"), [])
                let bad = try await client.get("/v1/customers/search?q=111.444.777-36&by=documento", token: token)
                XCTAssertEqual(bad.status, .badRequest)
                let p = try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token)
                let titular = try XCTUnwrap(p.json["titular"] as? [String: Any])
                XCTAssertEqual(titular["nome"] as? String, "Maria Aparecida da Silva")
                XCTAssertEqual(titular["documento"] as? String, "111.444.777-35")
                XCTAssertEqual(titular["email"] as? String, "maria.silva@example.com")
            }
        }
    }

    func testAuditRecordsWhoWhatForWhom() async throws {
        let clock = TestClock()
        var c = Harness.config(try await Harness.database(.sqlite))
        c.port = 0
        let server = try await buildApplication(c, clock: { clock.now })
        try await server.application.test(.live) { client in
            let token = try await client.staffToken()
            _ = try await client.get("/v1/customers/search?q=11144477735", token: token)
            _ = try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token)
            _ = try await client.delete("/v1/sessions/current", token: token)
        }
        let entries = try await AuditLog(store: server.store, clock: AppClock(now: ServerClock.system, timeZone: "UTC")).entries(
            staff: "ana")
        XCTAssertEqual(
            entries,
            [
                .init(staff: "ana", action: "login", matricula: nil, detail: nil),
                .init(staff: "ana", action: "buscar_cliente", matricula: nil, detail: "11144477735"),
                .init(staff: "ana", action: "consultar_imovel", matricula: Demo.mariaNorm, detail: nil),
                .init(staff: "ana", action: "logout", matricula: nil, detail: nil),
            ])
        await server.store.shutdown()
    }
}
