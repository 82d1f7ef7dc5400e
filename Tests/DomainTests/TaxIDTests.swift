import Foundation
import XCTest

@testable import Domain

final class TaxIDTests: XCTestCase {
    struct Vector: Decodable {
        let input: String
        let kind: String
        let validateDocbr: Bool
        let brutils: Bool
    }

    /// Every vector judged by validate-docbr and brutils (scripts/vectors/domain_vectors.py).
    func testAgreesWithIndependentImplementations() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Vectors/taxid", withExtension: "json"))
        let vectors = try JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))
        XCTAssertGreaterThan(vectors.count, 1000)
        var valid = 0
        for v in vectors where v.validateDocbr == v.brutils {
            let parsed = TaxID(v.input)
            XCTAssertEqual(parsed != nil, v.validateDocbr, "\(v.input)")
            if let p = parsed {
                valid += 1
                XCTAssertEqual(p.isCPF, v.kind == "cpf", v.input)
                // format ↔ parse round trip
                XCTAssertEqual(TaxID(p.formatted), p)
            }
        }
        XCTAssertGreaterThan(valid, 300, "the vectors must hold valid documents too")
    }

    func testDomainExamples() {
        XCTAssertEqual(TaxID("111.444.777-35"), .cpf("11144477735"))
        XCTAssertEqual(TaxID("11.222.333/0001-81"), .cnpj("11222333000181"))
        XCTAssertEqual(TaxID("12.abc.345/01de-35"), .cnpj("12ABC34501DE35"))
        XCTAssertEqual(TaxID("12.ABC.345/01DE-35")?.formatted, "12.ABC.345/01DE-35")
    }

    func testProblemsAreSpecific() {
        XCTAssertEqual(TaxID.parse(""), .failure(.empty))
        XCTAssertEqual(TaxID.parse("111.444"), .failure(.incomplete))
        XCTAssertEqual(TaxID.parse("111.111.111-11"), .failure(.repeatedDigits))
        XCTAssertEqual(TaxID.parse("111.444.777-36"), .failure(.wrongCheckDigits))
        XCTAssertEqual(TaxID.parse("1114447773A"), .failure(.invalidCharacters))
        XCTAssertEqual(TaxID.parse("12ABC34501DEAB"), .failure(.invalidCharacters))
        XCTAssertEqual(TaxID.parse("111#444"), .failure(.invalidCharacters))
        XCTAssertEqual(TaxID.parse("111.444.777-350"), .failure(.incomplete), "12 digits: still incomplete for a CNPJ")
        XCTAssertEqual(TaxID.parse("111444777351234"), .failure(.tooLong), "15 digits: too long, not 'letters'")
    }

    func testMasking() {
        XCTAssertEqual(TaxID("111.444.777-35")?.masked, "***.444.777-**")
        XCTAssertEqual(TaxID("11222333000181")?.masked, "11.222.333/0001-81")
        XCTAssertEqual(Masking.name("Maria Aparecida da Silva"), "MARIA A. S.")
        XCTAssertEqual(Masking.name("JOSÉ"), "JOSÉ")
        XCTAssertEqual(Masking.name(""), "")
        XCTAssertEqual(
            Masking.cpfsInText("doc=111.444.777-35 and 11144477735, barcode 82610000001234501232026101512345678900000001"),
            "doc=***.444.777-** and ***.444.777-**, barcode 82610000001234501232026101512345678900000001")
    }

    /// Parser fuzz: arbitrary printable input never crashes and a success always round-trips.
    func testParserNeverCrashesOnArbitraryInput() {
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("0123456789abcdefXYZ.-/ çã*")
        for _ in 0..<20_000 {
            let n = Int(rng.next() % 20)
            let s = String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            if let id = TaxID(s) { XCTAssertEqual(TaxID(id.formatted), id) }
            _ = Matricula(parsing: s)
            _ = Money(parsing: s)
        }
    }
}
