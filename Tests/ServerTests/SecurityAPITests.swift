import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// Issue 14: what a hostile probe found, each as the attacker tries it and as the victim lives
/// it, on SQLite and PostgreSQL. Clients other than the test's own address are simulated
/// through `X-Forwarded-For` from a trusted proxy (the test's loopback), which is itself checked.
final class SecurityAPITests: XCTestCase {
    static let attacker = ["X-Forwarded-For": "203.0.113.7"]
    static let victim = ["X-Forwarded-For": "198.51.100.20"]
    static let wrongDoc = "529.982.247-25"

    func customerLogin(
        _ client: any TestClientProtocol, _ matricula: String, _ doc: String?, from headers: [String: String]
    ) async throws -> (TestResponse, Duration) {
        var body: [String: Any] = ["matricula": matricula]
        if let doc { body["documento"] = doc }
        let start = ContinuousClock.now
        let r = try await client.post("/v1/sessions/customer", body, headers: headers)
        return (r, ContinuousClock.now - start)
    }

    /// Point 2: failures lock the account only for the address they came from; from anywhere
    /// they make further attempts on the account wait, longer each time; the owner logs in.
    func testLockoutIsPerAddressAndTheAccountOnlySlowsDown() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine,
                configure: {
                    $0.trustedProxies = ["127.0.0.1"]
                    $0.loginDelayAfterFailures = 3
                    $0.loginDelayBaseMilliseconds = 100
                }
            ) { client in
                var waited: [Duration] = []
                for _ in 0..<5 {
                    let (r, t) = try await customerLogin(client, Demo.maria.m, Self.wrongDoc, from: Self.attacker)
                    AEq(r.status, .unauthorized, "\(engine)")
                    waited.append(t)
                }
                // Attempts 4 and 5 came after 3 and 4 failures: 100 ms, then 200 ms.
                XCTAssertGreaterThanOrEqual(waited[3], .milliseconds(100), "\(engine)")
                XCTAssertGreaterThanOrEqual(waited[4], .milliseconds(200), "\(engine)")
                // The attacker's address is locked out, even with the right CPF…
                let (locked, _) = try await customerLogin(client, Demo.maria.m, Demo.maria.doc, from: Self.attacker)
                AEq(locked.status, .tooManyRequests, "\(engine)")
                AEq(locked.errorCode, "too_many_attempts")
                // …the owner, elsewhere, is not: after the account's delay (5 failures: 400 ms).
                let (owner, t) = try await customerLogin(client, Demo.maria.m, Demo.maria.doc, from: Self.victim)
                AEq(owner.status, .created, "\(engine): \(owner.json)")
                XCTAssertGreaterThanOrEqual(t, .milliseconds(400), "\(engine)")

                // Staff: any spelling of a user name is that user; the same rules.
                for typed in ["ANA", " ana", "Ana ", "ana", "aNa"] {
                    let r = try await client.post(
                        "/v1/sessions/staff", ["usuario": typed, "senha": "errada", "modo": "counter"], headers: Self.attacker)
                    AEq(r.status, .unauthorized, "\(engine) \(typed)")
                }
                let staffLocked = try await client.post(
                    "/v1/sessions/staff", ["usuario": "ana", "senha": "atende123", "modo": "counter"], headers: Self.attacker)
                AEq(staffLocked.status, .tooManyRequests, "\(engine)")
                let ana = try await client.post(
                    "/v1/sessions/staff", ["usuario": "ana", "senha": "atende123", "modo": "counter"], headers: Self.victim)
                AEq(ana.status, .created, "\(engine): \(ana.json)")
            }
        }
    }

    /// The delay's shape: none up to the threshold, then doubling, then capped.
    func testLoginDelayGrowsAndIsCapped() {
        var c = ServerConfiguration()
        c.loginDelayAfterFailures = 3
        c.loginDelayBaseMilliseconds = 1000
        c.loginDelayMaxSeconds = 10
        let delays = (0...9).map { AttemptLimiter.LoginGuard.delay(failures: $0, config: c) }
        XCTAssertEqual(
            delays, [.zero, .zero, .zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10), .seconds(10)])
        XCTAssertEqual(AttemptLimiter.LoginGuard.delay(failures: 10_000, config: c), .seconds(10))
    }

    /// A forged `X-Forwarded-For` counts for nothing unless it came through a trusted proxy; a
    /// trusted chain gives the right-most address that is not a proxy.
    func testForwardedForIsBelievedOnlyFromATrustedProxy() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.maxFailuresPerAccount = 2 }) { client in
                for forged in ["203.0.113.1", "203.0.113.2"] {
                    let (r, _) = try await customerLogin(client, Demo.maria.m, Self.wrongDoc, from: ["X-Forwarded-For": forged])
                    AEq(r.status, .unauthorized)
                }
                let (r, _) = try await customerLogin(client, Demo.maria.m, Demo.maria.doc, from: ["X-Forwarded-For": "203.0.113.3"])
                AEq(r.status, .tooManyRequests, "\(engine): all three came from the test's own address")
            }
            try await Harness.withServer(engine, configure: { $0.trustedProxies = ["127.0.0.0/8", "10.0.0.0/8"] }) { client, server in
                let r = try await client.post(
                    "/v1/sessions/staff", ["usuario": "ana", "senha": "atende123", "modo": "counter"],
                    headers: ["X-Forwarded-For": "192.0.2.1, 198.51.100.9, 10.1.2.3"])
                AEq(r.status, .created)
                let row = try await server.store.read { db in
                    try await db.raw("SELECT client_address FROM audit_log WHERE staff_usuario = 'ana' AND action = 'login'").first()
                }
                AEq(try row?.decode(column: "client_address", as: String.self), "198.51.100.9", "\(engine)")
            }
        }
    }

    /// Point 3: successful logins are limited per address, and per terminal when the terminal
    /// presents its credential; a wrong credential is refused; the audit trail names the
    /// terminal; the refusal of an unknown matrícula reads as that of a wrong document.
    func testSuccessfulLoginsPerAddressAndPerTerminal() async throws {
        let kiosk = TerminalCredential.make()
        let counter = TerminalCredential.make()
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine,
                configure: {
                    $0.loginPolicy = .matricula
                    $0.maxLoginsPerAddress = 3
                    $0.maxLoginsPerTerminal = 5
                    $0.terminals = [
                        "quiosque-centro-1": TerminalEntry(secretHash: kiosk.hash, mode: "kiosk"),
                        "balcao-centro-1": TerminalEntry(secretHash: counter.hash, mode: "counter"),
                    ]
                }
            ) { client, server in
                for m in ["10001", "10002", "10004"] {
                    let (r, _) = try await customerLogin(client, m, nil, from: [:])
                    AEq(r.status, .created, "\(engine) \(m)")
                }
                let (harvest, _) = try await customerLogin(client, "10005", nil, from: [:])
                AEq(harvest.status, .tooManyRequests, "\(engine): a fourth property from one address")
                let terminal = ["Agencia-Terminal": "quiosque-centro-1:\(kiosk.secret)"]
                for m in ["10001", "10002", "10004", "10005", "10007"] {
                    let (r, _) = try await customerLogin(client, m, nil, from: terminal)
                    AEq(r.status, .created, "\(engine) \(m) from the kiosk")
                }
                let (sixth, _) = try await customerLogin(client, "10008", nil, from: terminal)
                AEq(sixth.status, .tooManyRequests, "\(engine)")
                for bad in ["quiosque-centro-1:\(counter.secret)", "quiosque-centro-9:\(kiosk.secret)", "quiosque-centro-1", ""] {
                    let (r, _) = try await customerLogin(client, "10001", nil, from: ["Agencia-Terminal": bad])
                    AEq(r.status, .unauthorized, "\(engine) \(bad)")
                    AEq(r.errorCode, "terminal_unknown")
                }
                // A counter terminal: the attendant's actions carry its name.
                let at = ["Agencia-Terminal": "balcao-centro-1:\(counter.secret)"]
                let ana = try await client.post(
                    "/v1/sessions/staff", ["usuario": "ana", "senha": "atende123", "modo": "counter"], headers: at)
                let token = try XCTUnwrap(ana.json["token"] as? String)
                var h: HTTPFields = [.authorization: "Bearer \(token)"]
                h[HTTPField.Name("Agencia-Terminal")!] = "balcao-centro-1:\(counter.secret)"
                let session = try await client.execute(uri: "/v1/sessions/current", method: .get, headers: h, body: nil)
                AEq(session.json["terminal"] as? String, "balcao-centro-1")
                AEq(session.json["idleSeconds"] as? Int, 1800)
                _ = try await client.execute(uri: "/v1/properties/100013", method: .get, headers: h, body: nil)
                let rows = try await server.store.read { db in
                    try await db.raw("SELECT action, terminal, client_address FROM audit_log WHERE staff_usuario = 'ana' ORDER BY id")
                        .all()
                }
                XCTAssertFalse(rows.isEmpty)
                for row in rows {
                    AEq(try row.decode(column: "terminal", as: String?.self), "balcao-centro-1", "\(engine)")
                    AEq(try row.decode(column: "client_address", as: String?.self), "127.0.0.1")
                }
            }
            // Under each policy an unknown matrícula answers exactly as a known one with a
            // document that is not its own (status and body).
            try await Harness.withServer(engine) { client in
                let (unknown, _) = try await customerLogin(client, "99999-7", Demo.maria.doc, from: [:])
                let (wrong, _) = try await customerLogin(client, Demo.maria.m, Self.wrongDoc, from: [:])
                AEq(unknown.status, .unauthorized)
                AEq(String(buffer: unknown.body), String(buffer: wrong.body))
            }
        }
    }

    /// Issue 27, finding 10: a credential carries its terminal's mode — a kiosk's opens no staff
    /// session, a counter's no back-office one; a session stays bound to the credential that
    /// opened it; a credential does not lift the limit on failures from its address.
    func testACredentialCarriesItsModeAndBindsItsSessions() async throws {
        let kiosk = TerminalCredential.make()
        let counter = TerminalCredential.make()
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine,
                configure: {
                    $0.trustedProxies = ["127.0.0.1"]
                    $0.maxFailuresPerAddress = 3
                    $0.terminals = [
                        "quiosque-centro-1": TerminalEntry(secretHash: kiosk.hash, mode: "kiosk"),
                        "balcao-centro-1": TerminalEntry(secretHash: counter.hash, mode: "counter"),
                    ]
                }
            ) { client in
                let atKiosk = ["Agencia-Terminal": "quiosque-centro-1:\(kiosk.secret)"]
                let atCounter = ["Agencia-Terminal": "balcao-centro-1:\(counter.secret)"]
                func staffLogin(_ u: String, _ p: String, _ modo: String, _ h: [String: String]) async throws -> TestResponse {
                    try await client.post("/v1/sessions/staff", ["usuario": u, "senha": p, "modo": modo], headers: h)
                }
                for (u, p, modo) in [
                    ("ana", "atende123", "counter"), ("bruno", "backoffice123", "staff"), ("carla", "supervisao123", "counter"),
                ] {
                    let r = try await staffLogin(u, p, modo, atKiosk)
                    AEq(r.status, .forbidden, "\(engine): \(u) at a kiosk")
                    AEq(r.errorCode, "wrong_terminal")
                }
                AEq(
                    try await staffLogin("bruno", "backoffice123", "staff", atCounter).status, .forbidden,
                    "\(engine): back office at a counter")
                let ana = try await staffLogin("ana", "atende123", "counter", atCounter)
                AEq(ana.status, .created, "\(engine): \(ana.json)")

                // A kiosk's session: only with the kiosk's credential.
                let login = try await client.post(
                    "/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": Demo.maria.doc], headers: atKiosk)
                let token = try XCTUnwrap(login.json["token"] as? String, "\(login.json)")
                func session(_ h: [String: String]) async throws -> TestResponse {
                    var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                    for (k, v) in h { headers[HTTPField.Name(k)!] = v }
                    return try await client.execute(uri: "/v1/properties/\(Demo.mariaNorm)", method: .get, headers: headers, body: nil)
                }
                AEq(try await session(atKiosk).status, .ok, "\(engine)")
                let bare = try await session([:])
                AEq(bare.status, .unauthorized, "\(engine): without the credential")
                AEq(bare.errorCode, "session_terminal")
                AEq(try await session(atCounter).status, .unauthorized, "\(engine): from another terminal")
                AEq(
                    try await session(atKiosk.merging(SecurityAPITests.attacker) { a, _ in a }).status, .ok,
                    "the terminal's address may change")

                // Failures through a credential count at its address as well.
                let stolen = atKiosk.merging(SecurityAPITests.attacker) { a, _ in a }
                for m in ["10002-1", "10004-8", "10007-2"] {
                    let (r, _) = try await customerLogin(client, m, SecurityAPITests.wrongDoc, from: stolen)
                    AEq(r.status, .unauthorized, "\(engine) \(m)")
                }
                let (bareAddress, _) = try await customerLogin(
                    client, "10008-0", SecurityAPITests.wrongDoc, from: SecurityAPITests.attacker)
                AEq(bareAddress.status, .tooManyRequests, "\(engine): the address that failed through the credential")
            }
        }
    }

    /// Point 3: a document printed or e-mailed for a customer session shows the holder as the
    /// kiosk screen does; a staff session's shows the whole name.
    func testHolderMaskedOnCustomerDocumentsWholeForStaff() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let ana = try await client.staffToken()
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: maria)
                let open = try XCTUnwrap(
                    (bills.json["items"] as? [[String: Any]])?.first { $0["situacao"] as? String == "aberta" }?["id"] as? Int)
                let path = "/v1/properties/\(Demo.mariaNorm)/bills/\(open)/pdf"
                let kiosk = try pdfText(Data(buffer: try await client.get(path, token: maria).body))
                XCTAssertTrue(kiosk.contains("MARIA A. S."), "\(engine): \(kiosk)")
                XCTAssertFalse(kiosk.localizedCaseInsensitiveContains("Aparecida"), "\(engine)")
                let counter = try pdfText(Data(buffer: try await client.get(path, token: ana).body))
                XCTAssertTrue(counter.contains("Maria Aparecida da Silva"), "\(engine): \(counter)")
                // The property as the API shows it to each: the same masking.
                let shown = try await client.get("/v1/properties/\(Demo.mariaNorm)", token: maria)
                AEq((shown.json["titular"] as? [String: Any])?["nome"] as? String, "MARIA A. S.")
            }
        }
    }

    /// Point 5: sessions end on the server after their idle time without requests, and at
    /// their absolute end however active they are.
    func testSessionsEndWhenIdleAndAtTheirAbsoluteEnd() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            try await Harness.withServer(engine, clock: clock) { client in
                let path = "/v1/properties/\(Demo.mariaNorm)"
                // Customer: 90 s idle + 15 s warning (the configuration's defaults).
                let a = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                AEq(try await client.get("/v1/sessions/current", token: a).json["idleSeconds"] as? Int, 105)
                for _ in 0..<2 {
                    clock.advance(100)
                    AEq(try await client.get(path, token: a).status, .ok, "\(engine): kept alive by requests")
                }
                clock.advance(105 + Double(SessionRepository.touchSeconds) + 1)
                AEq(try await client.get(path, token: a).errorCode, "session_expired", "\(engine): idle")
                // Active all along, it still ends at customerSessionSeconds.
                let b = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                for _ in 0..<17 {
                    clock.advance(100)
                    AEq(try await client.get("/v1/sessions/current", token: b).status, .ok, "\(engine)")
                }
                clock.advance(101)
                AEq(try await client.get(path, token: b).errorCode, "session_expired", "\(engine): absolute")

                // Staff: staffIdleSeconds (30 min) idle; 8 hours at most.
                let ana = try await client.staffToken()
                clock.advance(1799)
                AEq(try await client.get(path, token: ana).status, .ok, "\(engine)")
                clock.advance(1800 + Double(SessionRepository.touchSeconds) + 1)
                AEq(try await client.get(path, token: ana).errorCode, "session_expired", "\(engine): staff idle")
                let carla = try await client.staffToken("carla", "supervisao123")
                for _ in 0..<16 {
                    clock.advance(1790)
                    AEq(try await client.get(path, token: carla).status, .ok, "\(engine)")
                }
                clock.advance(8 * 3600 - 16 * 1790 + 1)
                AEq(try await client.get(path, token: carla).errorCode, "session_expired", "\(engine): staff absolute")
            }
        }
    }

    /// Point 6: the sandbox company's endpoints need its secret; a callback needs a signature,
    /// a known company, and the company reference stored for the payment.
    func testSandboxCompanyAndCallbacks() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine,
                configure: {
                    $0.sandboxCardCompany = 0
                    $0.sandboxCardCompanySecret = Harness.sandboxSecret
                }
            ) { client in
                AEq(try await client.get("/sandbox-operadora/negotiations").status, .unauthorized)
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: maria)
                let open = try XCTUnwrap(
                    (bills.json["items"] as? [[String: Any]])?.first { $0["situacao"] as? String == "aberta" }?["id"] as? Int)
                let cp = try await client.post(
                    "/v1/properties/\(Demo.mariaNorm)/card-payments", ["companyId": "sandbox", "billIds": [open]], token: maria,
                    headers: ["Idempotency-Key": "sec-card-0001"])
                let id = try XCTUnwrap(cp.json["id"] as? Int)
                AEq(cp.json["companyReference"] as? String, "SBX-000001")
                let decide = try await client.execute(
                    uri: "/sandbox-operadora/negotiations/SBX-000001/approve", method: .post, headers: [:], body: nil)
                AEq(decide.status, .unauthorized, "\(engine)")
                let listed = try await client.execute(
                    uri: "/sandbox-operadora/negotiations", method: .get, headers: Harness.sandboxHeaders, body: nil)
                AEq(listed.status, .ok)

                let reference = "AV-CP-\(id)"
                func callback(_ company: String, _ companyRef: String, signature: String?) async throws -> TestResponse {
                    try await client.post(
                        "/v1/card-companies/\(company)/callback",
                        ["reference": reference, "companyReference": companyRef, "status": "approved"],
                        headers: signature.map { ["X-Signature": $0] } ?? [:])
                }
                let unsigned = try await callback("sandbox", "SBX-000001", signature: nil)
                AEq(unsigned.status, .unauthorized)
                AEq(unsigned.errorCode, "missing_signature")
                AEq(try await callback("nenhuma", "SBX-000001", signature: "00").errorCode, "company_not_found")
                let other = CardSignature.sign(
                    secret: Harness.sandboxSecret, reference: reference, status: "approved", companyReference: "SBX-999999")
                let mismatch = try await callback("sandbox", "SBX-999999", signature: other)
                AEq(mismatch.status, .conflict, "\(engine): signed, but for another transaction")
                AEq(mismatch.errorCode, "company_reference_mismatch")
                let still = try await client.get("/v1/properties/\(Demo.mariaNorm)/card-payments/\(id)", token: maria)
                AEq(still.json["status"] as? String, "pendente", "\(engine)")
                let right = CardSignature.sign(
                    secret: Harness.sandboxSecret, reference: reference, status: "approved", companyReference: "SBX-000001")
                AEq(try await callback("sandbox", "SBX-000001", signature: right).status, .noContent)
                AEq(try await callback("sandbox", "SBX-000001", signature: right).status, .noContent, "a replay is harmless")
            }
        }
        // Served only on loopback.
        var c = ServerConfiguration()
        c.sandboxCardCompany = 0
        c.host = "0.0.0.0"
        XCTAssertThrowsError(try c.validate())
    }

    /// Point 10: every answer is kept by no cache and carries the security headers.
    func testNoStoreAndSecurityHeaders() async throws {
        try await Harness.withServer(.sqlite) { client in
            let login = try await client.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": Demo.maria.doc])
            let token = try XCTUnwrap(login.json["token"] as? String)
            let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
            let open = try XCTUnwrap(
                (bills.json["items"] as? [[String: Any]])?.first { $0["situacao"] as? String == "aberta" }?["id"] as? Int)
            let answers: [(String, TestResponse)] = [
                ("login", login), ("bills", bills),
                ("pdf", try await client.get("/v1/properties/\(Demo.mariaNorm)/bills/\(open)/pdf", token: token)),
                ("health", try await client.get("/v1/health")),
                ("404", try await client.get("/v1/nada")),
                ("401", try await client.get("/v1/properties/\(Demo.mariaNorm)", token: "forjado")),
                ("400", try await client.post("/v1/sessions/customer", ["matricula": "x"])),
            ]
            for (name, r) in answers {
                AEq(r.headers[.cacheControl], "no-store", name)
                AEq(r.headers[.xContentTypeOptions], "nosniff", name)
                AEq(r.headers[HTTPField.Name("X-Frame-Options")!], "DENY", name)
                AEq(r.headers[.contentSecurityPolicy], "default-src 'none'; frame-ancestors 'none'; sandbox", name)
                AEq(r.headers[HTTPField.Name("Referrer-Policy")!], "no-referrer", name)
            }
            AEq(try await client.get("/openapi.yaml").headers[.cacheControl], "public, max-age=300")
        }
    }

    /// What the probe found holding, kept: 50 concurrent retries of one card payment make one;
    /// a session token carries 256 random bits.
    func testRetriesMakeOneCardPaymentAndTokensHave256Bits() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine,
                configure: {
                    $0.sandboxCardCompany = 0
                    $0.sandboxCardCompanySecret = Harness.sandboxSecret
                }
            ) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let other = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                for t in [token, other] {
                    let raw = t.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "="
                    AEq(Data(base64Encoded: raw)?.count, 32, "256 bits")
                }
                XCTAssertNotEqual(token, other)
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
                let open = try XCTUnwrap(
                    (bills.json["items"] as? [[String: Any]])?.filter { $0["situacao"] as? String == "aberta" }.compactMap {
                        ($0["id"] as? Int).map(Int64.init)
                    })
                let port = try XCTUnwrap(client.port)
                let http = CardCompanyClient()
                struct Body: Encodable {
                    let companyId: String
                    let billIds: [Int64]
                }
                let answers = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
                    for _ in 0..<50 {
                        group.addTask {
                            let (status, data) = try await http.post(
                                "http://127.0.0.1:\(port)/v1/properties/\(Demo.mariaNorm)/card-payments",
                                json: Body(companyId: "sandbox", billIds: open),
                                headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": "cartao-50-vezes"])
                            return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? Int)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                XCTAssertTrue(answers.allSatisfy { $0.0 == 201 || $0.0 == 409 }, "\(engine): \(answers.map(\.0))")
                AEq(Set(answers.compactMap(\.1)).count, 1, "\(engine): one card payment for 50 retries")
                let listed = try await client.execute(
                    uri: "/sandbox-operadora/negotiations", method: .get, headers: Harness.sandboxHeaders, body: nil)
                AEq(
                    (try JSONSerialization.jsonObject(with: Data(buffer: listed.body)) as? [Any])?.count, 1,
                    "one negotiation at the company")
            }
        }
    }
}
