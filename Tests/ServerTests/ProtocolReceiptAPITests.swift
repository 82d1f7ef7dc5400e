import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PDFReading
import XCTest

@testable import Server

/// Issue 28.15 on both engines: a protocol's receipt to print, asked as the lookup is (number
/// with the requester's CPF/CNPJ, or an anonymous manifestation's secret — printed on it), or
/// with a session that reads the protocol; anyone else gets the lookup's 404.
final class ProtocolReceiptAPITests: XCTestCase {
    func testReceiptsByProofAndBySession() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: OuvidoriaAPITests.configure) { client in
                func post(_ path: String, _ body: [String: Any], token: String? = nil, key: String? = nil) async throws -> TestResponse {
                    var h: HTTPFields = [.contentType: "application/json"]
                    if let token { h[.authorization] = "Bearer \(token)" }
                    if let key { h[HTTPField.Name("Idempotency-Key")!] = key }
                    return try await client.execute(
                        uri: path, method: .post, headers: h, body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
                }
                let anonymous = try await post(
                    "/v1/ouvidoria/manifestations", ["typeCode": "denuncia", "text": "Ligação clandestina na rua.", "anonymous": true],
                    key: "receipt-anon-\(engine)")
                AEq(anonymous.status, .created, "\(engine): \(anonymous.json)")
                let number = try XCTUnwrap(anonymous.json["formatted"] as? String)
                let secret = try XCTUnwrap(anonymous.json["secret"] as? String)
                let receipt = try await post("/v1/protocol-receipt", ["number": number, "secret": secret.lowercased()])
                AEq(receipt.status, .ok, "\(engine)")
                AEq(receipt.headers[.contentType], "application/pdf")
                let text = try PDFReading.text(Data(buffer: receipt.body))
                ATrue(text.contains(number) && text.contains(secret) && text.contains("Comprovante de protocolo"), text)
                AEq(try await post("/v1/protocol-receipt", ["number": number, "secret": "AAAA-BBBB-CCCC"]).status, .notFound)

                // Identified, opened at a counter: by the requester's CPF, or a session that reads it.
                let ana = try await client.staffToken()
                let opened = try await client.post(
                    "/v1/protocols", ProtocolAPITests.request(1), token: ana, headers: ["Idempotency-Key": "receipt-p-\(engine)"])
                let protocolNumber = try XCTUnwrap(opened.json["formatted"] as? String)
                AEq(try await post("/v1/protocol-receipt", ["number": protocolNumber, "documento": "111.444.777-35"]).status, .ok)
                AEq(try await post("/v1/protocol-receipt", ["number": protocolNumber, "documento": "529.982.247-25"]).status, .notFound)
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                let diego = try await client.staffToken("diego", "comercial123")
                AEq(try await post("/v1/protocol-receipt", ["number": protocolNumber], token: maria).status, .ok, "\(engine): hers")
                AEq(try await post("/v1/protocol-receipt", ["number": protocolNumber], token: diego).status, .ok, "its unit")
                AEq(try await post("/v1/protocol-receipt", ["number": protocolNumber], token: company).status, .notFound, "not theirs")
                let secretless = try PDFReading.text(
                    Data(buffer: try await post("/v1/protocol-receipt", ["number": protocolNumber], token: maria).body))
                ATrue(secretless.contains(protocolNumber) && !secretless.contains("Código secreto"), secretless)
            }
        }
    }
}
