import Domain
import Foundation
import HummingbirdTesting
import PDFReading
import XCTest

@testable import Server

/// Certidões through the API on both engines, pinned on Monday 23/11/2026: negativa for a
/// property with everything paid, refused naming the overdue bills, positiva com efeito de
/// negativa once they are in an agreement; verified by anyone by the code — valid, expired after
/// its 90 days, unknown for a made-up, a malformed or a mistyped code alike.
final class CertidaoAPITests: XCTestCase {
    func testIssueRefuseAndVerify() async throws {
        let clock = TestClock()
        try await forEachEngine { engine in
            try await Harness.withServer(engine, clock: clock) { client, _ in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                var key = 0
                func issue(_ m: String, _ token: String) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/properties/\(m)/certidoes", [:], token: token, headers: ["Idempotency-Key": "cert-\(engine)-\(key)"])
                }
                func verify(_ code: String) async throws -> [String: Any] {
                    try await client.post("/v1/certidao-verification", ["code": code]).json
                }

                // 10002: everything paid.
                var r = try await issue(Demo.mariaPaid, maria)
                AEq(r.status, .created, "\(engine): \(r.json)")
                AEq(r.json["kind"] as? String, "negativa")
                AEq(r.json["validUntil"] as? String, "2027-02-21", "90 days")
                let code = try XCTUnwrap(r.json["code"] as? String)
                var v = try await verify(code)
                AEq(v["status"] as? String, "valida", "\(engine)")
                AEq(v["title"] as? String, "Certidão Negativa de Débitos")
                AEq(v["matricula"] as? String, "10002-1")
                AEq(v["holder"] as? String, Masking.name("Maria Aparecida da Silva"))
                AEq(v["holderDocument"] as? String, "***.444.777-**")
                AEq(try await verify(code.lowercased().replacingOccurrences(of: "-", with: " "))["status"] as? String, "valida")
                // The PDF says what it certifies and carries the code.
                let pdf = try await client.get("/v1/properties/\(Demo.mariaPaid)/certidoes/\(r.json["id"] as? Int ?? 0)/pdf", token: maria)
                AEq(pdf.status, .ok, "\(engine)")
                let text = try PDFReading.text(Data(buffer: pdf.body), layout: false).split(whereSeparator: \.isWhitespace).joined(
                    separator: " ")
                ATrue(text.contains("Certidão Negativa de Débitos") && text.contains(code) && text.contains("Válida até 21/02/2027."), text)
                ATrue(text.contains("não constam débitos vencidos relativos ao imóvel de matrícula 10002-1"), text)
                AEq(
                    try await client.get("/v1/properties/\(Demo.mariaPaid)/certidoes/\(r.json["id"] as? Int ?? 0)/pdf", token: company)
                        .status, .notFound)
                // Its QR, read by a barcode reader, is the seal the published key verifies.
                let qr = try XCTUnwrap(PDFReading.symbols(Data(buffer: pdf.body)).symbols.first { $0.type == "QR-Code" }?.data)
                let keyAnswer = try await client.get("/v1/certidao-public-key").json
                let published = try XCTUnwrap(keyAnswer["publicKey"] as? String)
                let sealed = try await CertidaoAdmin.verify(qr, publicKey: published)
                ATrue(sealed.contains("Código: \(code)") && sealed.contains("Matrícula: 10002-1"), sealed)
                // A typo, a made-up code and nonsense: the same answer.
                var typo = Array(code)
                typo[0] = typo[0] == "A" ? "B" : "A"
                AEq(try await verify(String(typo))["status"] as? String, "desconhecida")
                var rng = SplitMix64(seed: 99)
                AEq(try await verify(VerificationCode.generate(using: &rng))["status"] as? String, "desconhecida")
                let nonsense = try await client.post("/v1/certidao-verification", ["code": "isto não é um código"])
                AEq(nonsense.status, .ok)
                AEq(nonsense.json["status"] as? String, "desconhecida")
                ATrue(nonsense.json["title"] == nil)

                // 10001: two overdue bills, each named.
                r = try await issue(Demo.mariaNorm, maria)
                AEq(r.status, .conflict, "\(engine)")
                let message = r.errorMessage ?? ""
                AEq(message.components(separatedBy: "• Conta de").count - 1, 2, message)
                ATrue(message.contains("peça a certidão de novo"), message)
                // In an agreement (in good standing), they no longer block it: positiva com efeito de negativa.
                let bills =
                    try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: maria).json["items"] as? [[String: Any]] ?? []
                let debt = bills.filter { $0["overdue"] as? Bool == true }.compactMap {
                    ($0["updated"] as? [String: Any])?["totalCents"] as? Int
                }
                .reduce(0, +)
                let signed = try await client.post(
                    "/v1/properties/\(Demo.mariaNorm)/agreements",
                    ["documento": Demo.maria.doc, "downPaymentCents": (debt * 20 + 99) / 100, "count": 6, "accept": true], token: maria,
                    headers: ["Idempotency-Key": "cert-agr-\(engine)"])
                AEq(signed.status, .created, "\(engine): \(signed.json)")
                r = try await issue(Demo.mariaNorm, maria)
                AEq(r.status, .created, "\(engine): \(r.json)")
                AEq(r.json["kind"] as? String, "positiva_com_efeito_de_negativa")
                AEq(
                    try await verify(r.json["code"] as? String ?? "")["title"] as? String,
                    "Certidão Positiva de Débitos com Efeito de Negativa")

                // Another customer's property: not found; 91 days later the first one has expired.
                AEq(try await issue(Demo.mariaNorm, company).status, .notFound)
                clock.advance(91 * 86_400)
                v = try await verify(code)
                AEq(v["status"] as? String, "expirada", "\(engine)")
                AEq(v["validUntil"] as? String, "2027-02-21")
            }
        }
    }
}
