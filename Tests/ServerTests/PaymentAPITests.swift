import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PDFReading
import XCTest

@testable import Server

/// Bills, statements, documents, payments and card payments over a live server, on SQLite and
/// PostgreSQL (issue 3).
final class PaymentAPITests: XCTestCase {

    func bills(_ client: any TestClientProtocol, _ m: String, _ token: String) async throws -> [[String: Any]] {
        let r = try await client.get("/v1/properties/\(m)/bills", token: token)
        XCTAssertEqual(r.status, .ok, "\(r.json)")
        return try XCTUnwrap(r.json["items"] as? [[String: Any]])
    }

    func testBillsListDetailAndSecondCopy() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let items = try await bills(client, Demo.mariaNorm, token)
                XCTAssertEqual(items.count, 24)
                XCTAssertEqual(items.first?["competencia"] as? String, "2026-10", "newest first")
                let open = items.filter { $0["situacao"] as? String == "aberta" }
                XCTAssertEqual(open.count, 3)
                let overdue = open.filter { $0["overdue"] as? Bool == true }
                XCTAssertEqual(overdue.count, 2)
                for b in overdue {
                    // Updated to today: fine 2 %, interest 1 %/month pro rata die (DOMAIN.md).
                    let u = try XCTUnwrap(b["updated"] as? [String: Any])
                    let value = try XCTUnwrap(b["amountCents"] as? Int)
                    let due = try XCTUnwrap(CivilDate(iso: XCTUnwrap(b["dueOn"] as? String)))
                    let c = LateCharges(
                        original: Money(cents: Int64(value)), due: due, paidOn: CivilDate(iso: "2026-11-23")!, calendar: .national)
                    XCTAssertEqual(u["fineCents"] as? Int, Int(c.fine.cents))
                    XCTAssertEqual(u["interestCents"] as? Int, Int(c.interest.cents))
                    XCTAssertEqual(u["daysLate"] as? Int, c.daysLate)
                    XCTAssertGreaterThan(u["totalCents"] as? Int ?? 0, value)
                }
                XCTAssertTrue(items.filter { $0["situacao"] as? String == "paga" }.allSatisfy { $0["paidOn"] is String })

                // Segunda via: the bill's own barcode (value and due date) and PIX.
                let id = try XCTUnwrap(open.first?["id"] as? Int)
                let d = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills/\(id)", token: token)
                XCTAssertEqual(d.status, .ok)
                let pay = try XCTUnwrap(d.json["payment"] as? [String: Any])
                let code = try XCTUnwrap(ArrecadacaoBarcode(reading: XCTUnwrap(pay["linhaDigitavel"] as? String)))
                XCTAssertEqual(code.digits, pay["barcode"] as? String)
                XCTAssertEqual(code.amount.cents, Int64(open.first?["amountCents"] as? Int ?? -1))
                XCTAssertEqual(code.company, "0123")
                XCTAssertTrue(code.freeField.hasPrefix((open.first?["dueOn"] as? String ?? "").filter(\.isNumber)))
                let pix = try XCTUnwrap(PixBRCode.fields(of: XCTUnwrap(pay["pix"] as? String)))
                XCTAssertTrue(pix["62"]?.hasSuffix("AVC\(id)") == true, "txid identifies the bill")

                let pdf = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills/\(id)/pdf", token: token)
                XCTAssertEqual(pdf.status, .ok)
                XCTAssertEqual(pdf.headers[.contentType], "application/pdf")
                XCTAssertTrue(String(buffer: pdf.body).hasPrefix("%PDF-"))
                // A paid bill has no second copy to pay.
                let paid = try XCTUnwrap(items.first { $0["situacao"] as? String == "paga" }?["id"] as? Int)
                let nope = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills/\(paid)/pdf", token: token)
                XCTAssertEqual(nope.status, .conflict)
                XCTAssertNotNil(nope.errorMessage)
                // Payment history: the paid bills, with channel.
                let h = try await client.get("/v1/properties/\(Demo.mariaNorm)/payments", token: token)
                let payments = try XCTUnwrap(h.json["items"] as? [[String: Any]])
                XCTAssertEqual(payments.count, items.count - 3)
                XCTAssertTrue(payments.allSatisfy { ($0["channel"] as? String)?.isEmpty == false })
            }
        }
    }

    func testStatementIsIdempotentAndChecksSelection() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            try await Harness.withServer(engine, clock: clock) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let items = try await bills(client, Demo.mariaNorm, token)
                let open = items.filter { $0["situacao"] as? String == "aberta" }.compactMap { $0["id"] as? Int }
                let path = "/v1/properties/\(Demo.mariaNorm)/statements"
                let first = try await client.post(path, ["billIds": open], token: token, headers: ["Idempotency-Key": "k-0000001"])
                XCTAssertEqual(first.status, .created, "\(first.json)")
                XCTAssertNil(first.headers[HTTPField.Name("Idempotency-Replayed")!])
                let lines = try XCTUnwrap(first.json["lines"] as? [[String: Any]])
                XCTAssertEqual(lines.count, 3)
                let pay = try XCTUnwrap(first.json["payment"] as? [String: Any])
                let total = lines.compactMap { ($0["charges"] as? [String: Any])?["totalCents"] as? Int }.reduce(0, +)
                XCTAssertEqual(pay["totalCents"] as? Int, total)
                XCTAssertEqual(ArrecadacaoBarcode(reading: pay["barcode"] as? String ?? "")?.amount.cents, Int64(total))
                XCTAssertEqual(pay["dueOn"] as? String, "2026-11-26", "valid for 3 days")
                // The same request again: the same statement, marked as a replay.
                let again = try await client.post(
                    path, ["billIds": Array(open.reversed())], token: token, headers: ["Idempotency-Key": "k-0000001"])
                XCTAssertEqual(again.status, .created)
                XCTAssertEqual(again.headers[HTTPField.Name("Idempotency-Replayed")!], "true")
                XCTAssertEqual(again.json["id"] as? Int, first.json["id"] as? Int)
                // Same key, different request: refused.
                let other = try await client.post(path, ["billIds": [open[0]]], token: token, headers: ["Idempotency-Key": "k-0000001"])
                XCTAssertEqual(other.status, .unprocessableContent)
                // No key: refused by the contract.
                let noKey = try await client.post(path, ["billIds": [open[0]]], token: token)
                XCTAssertEqual(noKey.status, .badRequest)
                // F4 twice (a new key) on the same day for the same bills: the statement already
                // issued, still valid, not a second barcode for one debt. A later day or other bills
                // get a new one.
                let twice = try await client.post(
                    path, ["billIds": open.shuffled()], token: token, headers: ["Idempotency-Key": "k-0000004"])
                XCTAssertEqual(twice.status, .ok, "\(twice.json)")
                XCTAssertEqual(twice.json["id"] as? Int, first.json["id"] as? Int)
                XCTAssertEqual((twice.json["payment"] as? [String: Any])?["barcode"] as? String, pay["barcode"] as? String)
                let fewer = try await client.post(path, ["billIds": [open[0]]], token: token, headers: ["Idempotency-Key": "k-0000005"])
                XCTAssertEqual(fewer.status, .created)
                XCTAssertNotEqual(fewer.json["id"] as? Int, first.json["id"] as? Int)
                let fewerAgain = try await client.post(
                    path, ["billIds": [open[0]]], token: token, headers: ["Idempotency-Key": "k-0000006"])
                XCTAssertEqual(fewerAgain.json["id"] as? Int, fewer.json["id"] as? Int)
                // A paid bill cannot be selected; a bill of another property does not exist.
                let paid = try XCTUnwrap(items.first { $0["situacao"] as? String == "paga" }?["id"] as? Int)
                let p = try await client.post(path, ["billIds": [open[0], paid]], token: token, headers: ["Idempotency-Key": "k-0000002"])
                XCTAssertEqual(p.status, .conflict)
                XCTAssertTrue(p.errorMessage?.contains("já está paga") == true, p.errorMessage ?? "")
                let foreign = try await client.post(path, ["billIds": [1_000_500]], token: token, headers: ["Idempotency-Key": "k-0000003"])
                XCTAssertEqual(foreign.status, .notFound)
                // Statement and its PDF are readable; the PDF is a PDF.
                let id = try XCTUnwrap(first.json["id"] as? Int)
                let s = try await client.get("\(path)/\(id)", token: token)
                XCTAssertEqual(s.json["id"] as? Int, id)
                let pdf = try await client.get("\(path)/\(id)/pdf", token: token)
                XCTAssertTrue(String(buffer: pdf.body).hasPrefix("%PDF-"))
                // The next day the same bills get a statement of their own (charges to a new date).
                clock.advance(86_400)
                let tomorrow = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let next = try await client.post(path, ["billIds": open], token: tomorrow, headers: ["Idempotency-Key": "k-0000007"])
                XCTAssertEqual(next.status, .created, "\(next.json)")
                XCTAssertNotEqual(next.json["id"] as? Int, id)
            }
        }
    }

    func testConcurrentRetriesWriteOnce() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let open = try await bills(client, Demo.mariaNorm, token).filter { $0["situacao"] as? String == "aberta" }.compactMap {
                    $0["id"] as? Int64 ?? ($0["id"] as? Int).map(Int64.init)
                }
                let port = try XCTUnwrap(client.port)
                let http = CardCompanyClient()
                struct Body: Encodable { let billIds: [Int64] }
                let statuses = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
                    for _ in 0..<50 {
                        group.addTask {
                            let (status, data) = try await http.post(
                                "http://127.0.0.1:\(port)/v1/properties/\(Demo.mariaNorm)/statements", json: Body(billIds: open),
                                headers: ["Authorization": "Bearer \(token)", "Idempotency-Key": "same-key-50"])
                            let id = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? Int
                            return (status, id)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                XCTAssertTrue(statuses.allSatisfy { $0.0 == 201 || $0.0 == 409 }, "\(statuses.map(\.0))")
                XCTAssertEqual(Set(statuses.compactMap(\.1)).count, 1, "one statement for 50 retries")
                XCTAssertGreaterThan(statuses.filter { $0.0 == 201 }.count, 0)
            }
        }
    }

    func testEveryNewEndpointRefusesAnotherPropertysIds() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.sandboxCardCompany = 0 }) { client in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let open = try await bills(client, Demo.mariaNorm, maria).filter { $0["situacao"] as? String == "aberta" }
                let billId = try XCTUnwrap(open.first?["id"] as? Int)
                let st = try await client.post(
                    "/v1/properties/\(Demo.mariaNorm)/statements", ["billIds": [billId]], token: maria,
                    headers: ["Idempotency-Key": "auth-00001"])
                let statementId = try XCTUnwrap(st.json["id"] as? Int)
                let cp = try await client.post(
                    "/v1/properties/\(Demo.mariaNorm)/card-payments", ["companyId": "sandbox", "billIds": [billId]], token: maria,
                    headers: ["Idempotency-Key": "auth-00002"])
                XCTAssertEqual(cp.status, .created, "\(cp.json)")
                let cardId = try XCTUnwrap(cp.json["id"] as? Int)

                // João (another customer) tries Maria's property and ids, and his own property with Maria's ids.
                let joao = try await client.customerToken("10005-6", "529.982.247-25")
                let own = "100056"
                let gets = [
                    "/v1/properties/\(Demo.mariaNorm)/bills", "/v1/properties/\(Demo.mariaNorm)/bills/\(billId)",
                    "/v1/properties/\(Demo.mariaNorm)/bills/\(billId)/pdf", "/v1/properties/\(Demo.mariaNorm)/payments",
                    "/v1/properties/\(Demo.mariaNorm)/statements/\(statementId)",
                    "/v1/properties/\(Demo.mariaNorm)/statements/\(statementId)/pdf",
                    "/v1/properties/\(Demo.mariaNorm)/card-payments/\(cardId)", "/v1/properties/\(own)/bills/\(billId)",
                    "/v1/properties/\(own)/bills/\(billId)/pdf", "/v1/properties/\(own)/statements/\(statementId)",
                    "/v1/properties/\(own)/statements/\(statementId)/pdf", "/v1/properties/\(own)/card-payments/\(cardId)",
                ]
                for path in gets {
                    let r = try await client.get(path, token: joao)
                    XCTAssertEqual(r.status, .notFound, path)
                }
                let missing = try await client.get("/v1/properties/\(own)/bills/999999999", token: joao)
                let foreign = try await client.get("/v1/properties/\(own)/bills/\(billId)", token: joao)
                XCTAssertEqual(String(buffer: missing.body), String(buffer: foreign.body), "foreign id answers like a missing one")
                let posts: [(String, [String: Any])] = [
                    ("/v1/properties/\(Demo.mariaNorm)/statements", ["billIds": [billId]]),
                    ("/v1/properties/\(own)/statements", ["billIds": [billId]]),
                    ("/v1/properties/\(Demo.mariaNorm)/emails", ["document": ["kind": "bill", "id": billId]]),
                    ("/v1/properties/\(own)/emails", ["document": ["kind": "statement", "id": statementId]]),
                    ("/v1/properties/\(Demo.mariaNorm)/card-payments", ["companyId": "sandbox", "billIds": [billId]]),
                    ("/v1/properties/\(own)/card-payments", ["companyId": "sandbox", "billIds": [billId]]),
                ]
                for (i, (path, body)) in posts.enumerated() {
                    let r = try await client.post(path, body, token: joao, headers: ["Idempotency-Key": "joao-000\(i)"])
                    XCTAssertEqual(r.status, .notFound, path)
                }
                // Anonymous: 401 everywhere.
                for path in gets.prefix(7) {
                    let r = try await client.get(path)
                    XCTAssertEqual(r.status, .unauthorized, path)
                }
            }
        }
    }

    func testAttendantActsForTheCustomerAndIsAudited() async throws {
        try await Harness.withServer(.sqlite) { client, server in
            let staff = try await client.staffToken()
            let items = try await bills(client, Demo.mariaNorm, staff)
            let open = items.filter { $0["situacao"] as? String == "aberta" }.compactMap { $0["id"] as? Int }
            let st = try await client.post(
                "/v1/properties/\(Demo.mariaNorm)/statements", ["billIds": open], token: staff, headers: ["Idempotency-Key": "ana-000001"])
            XCTAssertEqual(st.status, .created)
            let id = try XCTUnwrap(st.json["id"] as? Int)
            let pdf = try await client.get("/v1/properties/\(Demo.mariaNorm)/statements/\(id)/pdf", token: staff)
            XCTAssertEqual(pdf.status, .ok)
            let actions = try await AuditLog(store: server.store, clock: AppClock(now: ServerClock.system, timeZone: "UTC")).entries(
                staff: "ana"
            ).map(\.action)
            XCTAssertEqual(Array(actions.suffix(3)), ["consultar_debitos", "emitir_extrato", "extrato_pdf"])
        }
    }

    func testCardPaymentConfirmDeclineExpire() async throws {
        try await forEachEngine { engine in
            let clock = TestClock()
            try await Harness.withServer(
                engine, clock: clock,
                configure: {
                    $0.sandboxCardCompany = 0
                    $0.sandboxCardCompanySecret = Harness.sandboxSecret
                    $0.cardPaymentTimeoutSeconds = 600
                    $0.kioskIdleSeconds = 3600  // the customer outlasts the payment's timeout
                }
            ) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let companies = try await client.get("/v1/card-companies", token: token)
                let sandbox = try XCTUnwrap((companies.json["items"] as? [[String: Any]])?.first { $0["id"] as? String == "sandbox" })
                XCTAssertEqual(sandbox["feeBasisPoints"] as? Int, 299)
                XCTAssertEqual(sandbox["sandbox"] as? Bool, true)
                let m = Demo.mariaNorm
                let open = try await bills(client, m, token).filter { $0["situacao"] as? String == "aberta" }
                let ids = open.compactMap { $0["id"] as? Int }
                func situacoes() async throws -> [Int: String] {
                    var out: [Int: String] = [:]
                    for b in try await bills(client, m, token) { out[b["id"] as! Int] = b["situacao"] as? String }
                    return out
                }
                func start(_ billIds: [Int], key: String) async throws -> [String: Any] {
                    let r = try await client.post(
                        "/v1/properties/\(m)/card-payments", ["companyId": "sandbox", "billIds": billIds], token: token,
                        headers: ["Idempotency-Key": key])
                    XCTAssertEqual(r.status, .created, "\(r.json)")
                    return r.json
                }
                func sandboxDecide(_ index: Int, _ decision: String) async throws {
                    let r = try await client.execute(
                        uri: "/sandbox-operadora/negotiations/\(String(format: "SBX-%06d", index))/\(decision)", method: .post,
                        headers: Harness.sandboxHeaders,
                        body: nil)
                    XCTAssertEqual(r.status, .ok)
                    XCTAssertEqual(r.json["callbackStatus"] as? Int, 204)
                }

                // 1. Approved: bills under review, then paid with a payment record each.
                let p1 = try await start([ids[0], ids[1]], key: "card-000001")
                XCTAssertEqual(p1["status"] as? String, "pendente")
                let amount = try XCTUnwrap(p1["amountCents"] as? Int)
                XCTAssertEqual(p1["feeCents"] as? Int, (amount * 299 + 5000) / 10_000)
                XCTAssertTrue((p1["instructions"] as? String)?.contains("SBX-000001") == true)
                var s = try await situacoes()
                XCTAssertEqual([s[ids[0]], s[ids[1]]], ["em_revisao", "em_revisao"])
                // A bill under review cannot be selected again (card or statement).
                let again = try await client.post(
                    "/v1/properties/\(m)/card-payments", ["companyId": "sandbox", "billIds": [ids[0]]], token: token,
                    headers: ["Idempotency-Key": "card-000002"])
                XCTAssertEqual(again.status, .conflict)
                XCTAssertTrue(again.errorMessage?.contains("em revisão") == true)
                let st = try await client.post(
                    "/v1/properties/\(m)/statements", ["billIds": [ids[1]]], token: token, headers: ["Idempotency-Key": "card-000003"])
                XCTAssertEqual(st.status, .conflict)
                try await sandboxDecide(1, "approve")
                s = try await situacoes()
                XCTAssertEqual([s[ids[0]], s[ids[1]]], ["paga", "paga"])
                let cp = try await client.get("/v1/properties/\(m)/card-payments/\(p1["id"] as! Int)", token: token)
                XCTAssertEqual(cp.json["status"] as? String, "aprovado")
                XCTAssertEqual(cp.json["reference"] as? String, "AV-CP-\(p1["id"] as! Int)")
                XCTAssertEqual(cp.json["companyReference"] as? String, "SBX-000001")
                XCTAssertNotNil(cp.json["decidedAt"] as? String)
                // The receipt: a PDF saying what was paid, through whom, with both references.
                let receipt = try await client.get("/v1/properties/\(m)/card-payments/\(p1["id"] as! Int)/receipt", token: token)
                XCTAssertEqual(receipt.status, .ok)
                let text = try pdfText(Data(buffer: receipt.body))
                for expected in [
                    "Comprovante de pagamento", "AV-CP-\(p1["id"] as! Int)", "SBX-000001", "Operadora Sandbox",
                    Money(cents: Int64(cp.json["totalCents"] as! Int)).formatted, "10001-3",
                ] {
                    XCTAssertTrue(text.contains(expected), "\(expected) not in the receipt:\n\(text)")
                }
                XCTAssertFalse(text.contains("Maria Aparecida") && text.contains("111.444.777-35"), "the CPF is masked on documents")
                let histResponse = try await client.get("/v1/properties/\(m)/payments", token: token)
                let hist = try XCTUnwrap(histResponse.json["items"] as? [[String: Any]])
                XCTAssertEqual(hist.filter { $0["channel"] as? String == "cartao:sandbox" }.count, 2)

                // 2. Declined: open again.
                let p2 = try await start([ids[2]], key: "card-000004")
                try await sandboxDecide(2, "decline")
                s = try await situacoes()
                XCTAssertEqual(s[ids[2]], "aberta")
                let r2 = try await client.get("/v1/properties/\(m)/card-payments/\(p2["id"] as! Int)", token: token)
                XCTAssertEqual(r2.json["status"] as? String, "recusado")
                let noReceipt = try await client.get("/v1/properties/\(m)/card-payments/\(p2["id"] as! Int)/receipt", token: token)
                XCTAssertEqual(noReceipt.status, .conflict, "a declined payment has no receipt")
                // Another property's receipt does not exist for this customer.
                let other = try await client.customerToken(Demo.company.m, Demo.company.doc)
                let foreign = try await client.get("/v1/properties/\(m)/card-payments/\(p1["id"] as! Int)/receipt", token: other)
                XCTAssertEqual(foreign.status, .notFound)
                // A forged callback is refused.
                let forged = try await client.post(
                    "/v1/card-companies/sandbox/callback",
                    ["reference": "AV-CP-\(p2["id"] as! Int)", "companyReference": "SBX-000002", "status": "approved"],
                    headers: ["X-Signature": String(repeating: "0", count: 64)])
                XCTAssertEqual(forged.status, .unauthorized)

                // 3. Nobody answers: after the timeout the bill is released.
                let p3 = try await start([ids[2]], key: "card-000005")
                clock.advance(601)
                var released = false
                for _ in 0..<40 where !released {
                    try await Task.sleep(for: .milliseconds(250))
                    released = try await situacoes()[ids[2]] == "aberta"
                }
                XCTAssertTrue(released, "expired card payment releases its bill")
                let r3 = try await client.get("/v1/properties/\(m)/card-payments/\(p3["id"] as! Int)", token: token)
                XCTAssertEqual(r3.json["status"] as? String, "expirado")
                // A late approval of an expired payment changes nothing.
                let late = try await client.execute(
                    uri: "/sandbox-operadora/negotiations/SBX-000003/approve", method: .post, headers: Harness.sandboxHeaders, body: nil)
                XCTAssertEqual(late.json["callbackStatus"] as? Int, 409)
                let final = try await situacoes()
                XCTAssertEqual(final[ids[2]], "aberta")
            }
        }
    }

    /// E-mailing another property's document is "not found" before anything looks at whether
    /// e-mail is configured: with SMTP off and on, the same 404 as a missing document.
    func testEmailingAForeignDocumentIsNotFoundWithSMTPOffAndOn() async throws {
        for smtp in [nil, "smtp://127.0.0.1:9"] {
            try await Harness.withServer(.sqlite, configure: { $0.smtp.url = smtp }) { client in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let open = try await bills(client, Demo.mariaNorm, maria).filter { $0["situacao"] as? String == "aberta" }
                let billId = try XCTUnwrap(open.first?["id"] as? Int)
                let joao = try await client.customerToken("10005-6", "529.982.247-25")
                let attempts: [(String, [String: Any])] = [
                    ("/v1/properties/100056/emails", ["document": ["kind": "bill", "id": billId], "to": "x@example.com"]),
                    ("/v1/properties/\(Demo.mariaNorm)/emails", ["document": ["kind": "bill", "id": billId], "to": "x@example.com"]),
                    ("/v1/properties/100056/emails", ["document": ["kind": "bill", "id": 999_999_999], "to": "x@example.com"]),
                ]
                var bodies: [String] = []
                for (i, (path, body)) in attempts.enumerated() {
                    let r = try await client.post(path, body, token: joao, headers: ["Idempotency-Key": "joao-mail-\(i)"])
                    XCTAssertEqual(r.status, .notFound, "\(smtp ?? "sem SMTP"): \(path) \(r.json)")
                    bodies.append(String(buffer: r.body))
                }
                XCTAssertEqual(bodies[0], bodies[2], "a foreign bill reads like a missing one")
            }
        }
    }
}

extension TestClientProtocol {
    func post(
        _ path: String, _ object: [String: Any], token: String? = nil, headers extra: [String: String], method: HTTPRequest.Method = .post
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        for (k, v) in extra { headers[HTTPField.Name(k)!] = v }
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await execute(uri: path, method: method, headers: headers, body: ByteBuffer(data: data))
    }
}

/// The text poppler reads from a PDF (what a person reading it sees).
func pdfText(_ pdf: Data) throws -> String { try PDFReading.text(pdf) }
