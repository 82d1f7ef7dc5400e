import Foundation
import XCTest

@testable import Domain

/// Issue 14, point 8: e-mail syntax and IDN against `email-validator` (an independent
/// implementation; `scripts/vectors/email_vectors.py` wrote `Vectors/email.json`).
final class EmailAddressTests: XCTestCase {
    struct Vector: Decodable {
        var address: String
        var valid: Bool
        var asciiDomain: String?
        var smtputf8: Bool?
        var why: String?
    }

    func testAgainstAnIndependentImplementation() throws {
        let data = try Data(contentsOf: XCTUnwrap(Bundle.module.url(forResource: "Vectors/email", withExtension: "json")))
        let vectors = try JSONDecoder().decode([Vector].self, from: data)
        XCTAssertGreaterThan(vectors.count, 40)
        XCTAssertGreaterThan(vectors.filter(\.valid).count, 15)
        XCTAssertGreaterThan(vectors.filter { !$0.valid }.count, 15)
        for v in vectors {
            switch EmailAddress.parse(v.address) {
            case .success(let a):
                XCTAssertTrue(v.valid, "\(v.address) accepted; email-validator: \(v.why ?? "")")
                XCTAssertEqual(a.domain, v.asciiDomain, v.address)
                XCTAssertEqual(a.needsSMTPUTF8, v.smtputf8, v.address)
                XCTAssertEqual(a.description, "\(v.address.split(separator: "@").dropLast().joined(separator: "@"))@\(v.asciiDomain ?? "")")
            case .failure(let p):
                XCTAssertFalse(v.valid, "\(v.address) refused (\(p)) but valid for email-validator")
            }
        }
    }

    /// What the vectors do not decide: RFC 5321's 64 octets before the @ (email-validator 2.4
    /// accepts more), and each refusal's Portuguese message.
    func testLimitsAndMessages() {
        XCTAssertEqual(EmailAddress.parse(String(repeating: "a", count: 65) + "@example.com"), .failure(.tooLong))
        XCTAssertEqual(EmailAddress.parse("maria.example.com"), .failure(.missingAt))
        XCTAssertEqual(EmailAddress.parse("ma ria@example.com"), .failure(.localPart))
        XCTAssertEqual(EmailAddress.parse("maria@example"), .failure(.domain))
        XCTAssertEqual(EmailAddress.parse("  maria@Example.COM  ").map(\.description), .success("maria@example.com"))
        for p in [EmailAddress.Problem.missingAt, .localPart, .domain, .tooLong] {
            XCTAssertTrue(p.message.hasPrefix("E-mail inválido:"), p.message)
        }
    }
}
