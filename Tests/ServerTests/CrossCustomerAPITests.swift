import Foundation
import HummingbirdTesting
import XCTest

@testable import Server

/// A customer session reaches only its own properties (QUALITY.md 1), for every operation issue 13
/// added: on another customer's property each answers exactly what a property that does not exist
/// answers — with a valid request, so nothing but the authorisation can refuse it.
final class CrossCustomerAPITests: XCTestCase {
    func testAgreementsCertidoesDeclaracoesAndTheirDocuments() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let staff = try await client.staffToken()
                // Real ids of the other property's records, so "not found" cannot come from the id.
                let agreements = try await client.get("/v1/properties/100080/agreements", token: staff).json["items"] as? [[String: Any]]
                let agreement = agreements?.first?["id"] as? Int ?? 0
                let certidao =
                    try await client.post(
                        "/v1/properties/100080/certidoes", [:], token: staff, headers: ["Idempotency-Key": "bola-cert-\(engine)"]
                    ).json["id"] as? Int ?? 0
                let declaracao =
                    try await client.post("/v1/properties/100080/declaracoes", ["ano": 2025], token: staff).json["id"] as? Int ?? 0
                ATrue(agreement > 0 && certidao > 0 && declaracao > 0, "\(engine): the records exist")
                var key = 0
                let operations: [(String, String, [String: Any]?)] = [
                    ("GET", "/agreements", nil),
                    ("GET", "/agreements/\(agreement)", nil),
                    ("GET", "/agreements/\(agreement)/carne", nil),
                    ("GET", "/agreements/\(agreement)/carne?seq=3", nil),
                    ("POST", "/agreements", ["documento": "31845720644", "downPaymentCents": 10_000, "count": 2, "accept": true]),
                    (
                        "POST", "/installment-simulations",
                        ["documento": "31845720644", "downPaymentCents": 10_000, "count": 2, "kind": "divida_ativa"]
                    ),
                    ("POST", "/certidoes", [:]),
                    ("GET", "/certidoes/\(certidao)/pdf", nil),
                    ("GET", "/declaracoes", nil),
                    ("POST", "/declaracoes", ["ano": 2025]),
                    ("GET", "/declaracoes/2025/pdf", nil),
                    ("POST", "/emails", ["document": ["kind": "carne", "id": agreement], "to": "x@example.com"]),
                    ("POST", "/emails", ["document": ["kind": "declaracao", "id": declaracao], "to": "x@example.com"]),
                    ("POST", "/emails", ["document": ["kind": "certidao", "id": certidao], "to": "x@example.com"]),
                ]
                for (method, path, body) in operations {
                    func call(_ m: String) async throws -> TestResponse {
                        key += 1
                        let headers = ["Idempotency-Key": "bola-\(engine)-\(key)"]
                        if method == "GET" { return try await client.get("/v1/properties/\(m)\(path)", token: maria) }
                        return try await client.post("/v1/properties/\(m)\(path)", body ?? [:], token: maria, headers: headers)
                    }
                    let foreign = try await call("100080")
                    let missing = try await call("999997")
                    AEq(foreign.status, .notFound, "\(engine): \(method) \(path): \(foreign.json)")
                    AEq(String(buffer: foreign.body), String(buffer: missing.body), "\(method) \(path)")
                }
                // And nothing was created on the other property by trying.
                let after = try await client.get("/v1/properties/100080/agreements", token: staff).json["items"] as? [[String: Any]]
                AEq(after?.count, agreements?.count)
            }
        }
    }
}
