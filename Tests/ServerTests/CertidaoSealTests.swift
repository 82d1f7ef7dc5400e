import Crypto
import Foundation
import XCTest

@testable import Server

/// The certidão's signed QR: intact it verifies with the public key and gives back what it
/// certifies; any changed byte, another key, or not a seal at all does not.
final class CertidaoSealTests: XCTestCase {
    func testAnyTamperedByteFails() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let fields = CertidaoSeal.Fields(
            code: "7KQ3-M2XD-9PRA-4HT1-G6WC", kind: "negativa", matricula: "10002-1", holder: "M**** A******** ** S****",
            holderDocument: "***.444.777-**", issuedOn: "2026-11-23", validUntil: "2027-02-21")
        let seal = try CertidaoSeal.seal(fields, key: key)
        XCTAssertTrue(seal.hasPrefix("AVCERT1|7KQ3-M2XD-9PRA-4HT1-G6WC|negativa|10002-1|"), seal)
        XCTAssertEqual(CertidaoSeal.verify(seal, publicKey: key.publicKey), .success(fields))
        XCTAssertEqual(CertidaoSeal.verify(seal + "\n", publicKey: key.publicKey), .success(fields), "a scanner's trailing newline")
        // Every byte of the text changed to another printable one: never accepted — the
        // signature's last symbol included, whose two unused bits a lax decoder ignores (found
        // by this test with a key where "A" and "B" decode alike there).
        let bytes = Array(seal.utf8)
        for i in bytes.indices {
            var tampered = bytes
            tampered[i] = bytes[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            if case .success = CertidaoSeal.verify(String(decoding: tampered, as: UTF8.self), publicKey: key.publicKey) {
                XCTFail("byte \(i) changed and still valid")
            }
        }
        // Whatever the key, the signature's last symbol replaced by any other: refused.
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        for c in alphabet where c != seal.last {
            if case .success = CertidaoSeal.verify(String(seal.dropLast()) + String(c), publicKey: key.publicKey) {
                XCTFail("last symbol \(seal.last!) → \(c) still valid")
            }
        }
        XCTAssertEqual(CertidaoSeal.verify(seal, publicKey: Curve25519.Signing.PrivateKey().publicKey), .failure(.badSignature))
        XCTAssertEqual(CertidaoSeal.verify("não é um selo", publicKey: key.publicKey), .failure(.malformed))
        // The command a third party runs, with the published key.
        let published = key.publicKey.rawRepresentation.base64EncodedString()
        let intact = try await CertidaoAdmin.verify(seal, publicKey: published)
        XCTAssertTrue(intact.hasPrefix("Assinatura válida"))
        do {
            _ = try await CertidaoAdmin.verify(seal.replacingOccurrences(of: "2027-02-21", with: "2028-02-21"), publicKey: published)
            XCTFail("an altered seal was accepted")
        } catch {
            XCTAssertEqual("\(error)", CertidaoSeal.Problem.badSignature.description)
        }
    }
}
