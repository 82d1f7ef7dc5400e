import XCTest

@testable import Domain

final class MoneyAndDateTests: XCTestCase {
    func testPtBRFormatting() {
        XCTAssertEqual(Money(cents: 123456).formatted, "R$ 1.234,56")
        XCTAssertEqual(Money(cents: 5).formatted, "R$ 0,05")
        XCTAssertEqual(Money(cents: 4568).formatted, "R$ 45,68")
        XCTAssertEqual(Money(cents: 100_000_000).formatted, "R$ 1.000.000,00")
        XCTAssertEqual(Money(cents: -100).formatted, "-R$ 1,00")
    }

    func testParsingRoundTrip() {
        for c: Int64 in [0, 1, 10, 99, 100, 4568, 123456, 99_999_999_99, -250] {
            XCTAssertEqual(Money(parsing: Money(cents: c).formatted), Money(cents: c), "\(c)")
        }
        XCTAssertEqual(Money(parsing: "10"), Money(cents: 1000))
        XCTAssertEqual(Money(parsing: "10,5"), Money(cents: 1050))
        XCTAssertNil(Money(parsing: "1.23,00"))
        XCTAssertNil(Money(parsing: "abc"))
        XCTAssertNil(Money(parsing: "1,234"))
    }

    func testCivilDateEpochRoundTrip() {
        for d in stride(from: -800_000, to: 800_000, by: 997) {
            XCTAssertEqual(CivilDate(daysSinceEpoch: d).daysSinceEpoch, d)
        }
        XCTAssertEqual(CivilDate(daysSinceEpoch: 0).iso, "1970-01-01")
        XCTAssertEqual(CivilDate(iso: "2024-02-29")?.formatted, "29/02/2024")
        XCTAssertNil(CivilDate(iso: "2025-02-29"))
        for bad in ["2026-+1-05", "2026-11-5", "2026-11-055", "2026/11/05", "2026-11-05 ", "-026-11-05", "2026-11", "", "２０２６-11-05"] {
            XCTAssertNil(CivilDate(iso: bad), bad)
        }
        XCTAssertEqual(CivilDate(iso: "0001-01-01")?.iso, "0001-01-01")
        XCTAssertEqual(CivilDate(iso: "2026-11-23")?.adding(days: 45).iso, "2027-01-07")
    }

    func testCompetencia() {
        let c = Competencia(year: 2026, month: 11)
        XCTAssertEqual(c?.formatted, "11/2026")
        XCTAssertEqual(c?.adding(months: 2).iso, "2027-01")
        XCTAssertEqual(c?.adding(months: -11).iso, "2025-12")
        XCTAssertEqual(Competencia(iso: "2026-03"), Competencia(year: 2026, month: 3))
        XCTAssertNil(Competencia(iso: "2026-13"))
        for bad in ["2026-+3", "2026-3", "2026-03-01", "202-03", "2026_03"] { XCTAssertNil(Competencia(iso: bad), bad) }
    }

    func testBasisPointsReadAsPercent() {
        XCTAssertEqual(BasisPoints.formatted(100), "1 %")
        XCTAssertEqual(BasisPoints.formatted(299), "2,99 %")
        XCTAssertEqual(BasisPoints.formatted(350), "3,50 %")
        XCTAssertEqual(BasisPoints.formatted(5), "0,05 %")
        XCTAssertEqual(BasisPoints.formatted(0), "0 %")
    }
}
