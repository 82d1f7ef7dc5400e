import Foundation
import XCTest

@testable import Domain

final class MatriculaTests: XCTestCase {
    struct Vector: Decodable {
        let sequence: String
        let checkDigit: String
    }

    func testMod11Vectors() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Vectors/matricula", withExtension: "json"))
        let vectors = try JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))
        XCTAssertGreaterThan(vectors.count, 300)
        for v in vectors {
            let m = try XCTUnwrap(Matricula(sequence: v.sequence))
            XCTAssertEqual(String(m.checkDigit), v.checkDigit, v.sequence)
            XCTAssertEqual(Matricula(parsing: m.formatted), m)
            XCTAssertEqual(Matricula(parsing: m.normalized), m)
        }
    }

    func testExampleAndWrongDigit() {
        XCTAssertEqual(Matricula(sequence: "12345")?.formatted, "12345-5")
        XCTAssertNotNil(Matricula(parsing: "12345-5"))
        XCTAssertNil(Matricula(parsing: "12345-4"))
        XCTAssertNil(Matricula(parsing: "12a45-5"))
        XCTAssertNil(Matricula(parsing: "5"))
    }

    func testMod10RuleIsSelectable() {
        // 12345 under mod 10: 5·2=10→1, 4, 3·2=6, 2, 1·2=2 → 15 → DV 5
        XCTAssertEqual(MatriculaRule.mod10.checkDigit("12345"), "5")
        XCTAssertEqual(MatriculaRule.mod10.checkDigit("1"), "8")
    }
}
