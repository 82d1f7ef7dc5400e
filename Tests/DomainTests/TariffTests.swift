import Domain
import Foundation
import XCTest

/// The tariff engine: band boundaries, economias, zero consumption, social discount, sewage.
final class TariffTests: XCTestCase {
    /// The demo residential table: minimum R$ 45,68 for 10 m³ (DOMAIN.md), then cascade.
    let residencial = TariffTable(
        categoria: .residencial, validFrom: CivilDate(iso: "2026-01-01")!, minimumM3: 10, minimumCents: 4568,
        bands: [
            .init(upToM3: 15, centsPerM3: 610), .init(upToM3: 20, centsPerM3: 760), .init(upToM3: 25, centsPerM3: 905),
            .init(upToM3: 30, centsPerM3: 1050), .init(upToM3: 40, centsPerM3: 1210), .init(upToM3: 50, centsPerM3: 1390),
            .init(upToM3: nil, centsPerM3: 1610),
        ], sewagePercent: 80)

    func water(_ m3: Int, economias: Int = 1, table: TariffTable? = nil) throws -> Int64 {
        try (table ?? residencial).simulate(consumptionM3: m3, economias: economias, sewage: false).water.cents
    }

    func testBandBoundaries() throws {
        XCTAssertEqual(try water(0), 4568, "zero consumption pays the minimum")
        XCTAssertEqual(try water(10), 4568)
        XCTAssertEqual(try water(11), 4568 + 610)
        XCTAssertEqual(try water(15), 4568 + 5 * 610)
        XCTAssertEqual(try water(16), 4568 + 5 * 610 + 760)
        XCTAssertEqual(try water(20), 4568 + 5 * 610 + 5 * 760)
        let upTo50: Int64 = 4568 + 5 * 610 + 5 * 760 + 5 * 905 + 5 * 1050
        let fullBands: Int64 = 10 * 1210 + 10 * 1390
        XCTAssertEqual(try water(51), upTo50 + fullBands + 1610)
        let lines = try residencial.simulate(consumptionM3: 16, economias: 1, sewage: false).lines
        XCTAssertEqual(lines.map(\.description), ["Tarifa mínima (até 10 m³)", "11 a 15 m³: R$ 6,10/m³", "16 a 20 m³: R$ 7,60/m³"])
    }

    func testSeveralEconomias() throws {
        // 30 m³ for 2 economias = 15 m³ each: the minimum twice and 5 m³ × 2 in the second band.
        XCTAssertEqual(try water(30, economias: 2), 2 * 4568 + 10 * 610)
        // 25 m³ for 2 = 12,5 m³ each: 2,5 m³ × 2 = 5 m³ in the second band.
        XCTAssertEqual(try water(25, economias: 2), 2 * 4568 + 5 * 610)
        // 7 m³ for 3: the minimum per economia.
        XCTAssertEqual(try water(7, economias: 3), 3 * 4568)
        // 31 m³ for 3 = 10,333… each: 1 m³ in the second band, rounded once for the line.
        XCTAssertEqual(try water(31, economias: 3), 3 * 4568 + 610)
    }

    func testSewageAndRounding() throws {
        let s = try residencial.simulate(consumptionM3: 13, economias: 1, sewage: true)
        XCTAssertEqual(s.water.cents, 4568 + 3 * 610)  // 63,98
        XCTAssertEqual(s.sewage.cents, 5118)  // 80 % of 63,98 = 51,184 → 51,18
        XCTAssertEqual(s.total.cents, 6398 + 5118)
        XCTAssertEqual(try residencial.simulate(consumptionM3: 13, economias: 1, sewage: false).sewage, .zero)
        // Sewage is rounded once on the water total: 45,69 × 0,8 = 36,552 → 36,55; half a cent
        // rounds up: 45,67 × 0,5 = 22,835 → 22,84.
        var t = residencial
        t.minimumCents = 4569
        XCTAssertEqual(try t.simulate(consumptionM3: 0, economias: 1, sewage: true).sewage.cents, 3655)
        t.sewagePercent = 50
        t.minimumCents = 4567  // 22,835 → 22,84
        XCTAssertEqual(try t.simulate(consumptionM3: 0, economias: 1, sewage: true).sewage.cents, 2284)
    }

    func testSocialTariff() throws {
        // DOMAIN.md: 50 % up to 10 m³, 30 % for 11–15, 20 % for 16–20.
        let social = TariffTable(
            categoria: .residencialSocial, validFrom: CivilDate(iso: "2026-01-01")!, minimumM3: 10, minimumCents: 4568,
            minimumDiscountPercent: 50,
            bands: [
                .init(upToM3: 15, centsPerM3: 610, discountPercent: 30), .init(upToM3: 20, centsPerM3: 760, discountPercent: 20),
                .init(upToM3: nil, centsPerM3: 905),
            ], sewagePercent: 80)
        XCTAssertEqual(try water(10, table: social), 2284)
        XCTAssertEqual(try water(15, table: social), 2284 + 2135)  // 5 × 6,10 × 0,7 = 21,35
        XCTAssertEqual(try water(17, table: social), 2284 + 2135 + 1216)  // 2 × 7,60 × 0,8 = 12,16
        XCTAssertEqual(try water(21, table: social), 2284 + 2135 + 3040 + 905)
    }

    func testBadInput() {
        XCTAssertThrowsError(try residencial.simulate(consumptionM3: -1, economias: 1, sewage: true)) {
            XCTAssertEqual($0 as? TariffTable.Problem, .negativeConsumption)
        }
        XCTAssertThrowsError(try residencial.simulate(consumptionM3: 10, economias: 0, sewage: true)) {
            XCTAssertEqual($0 as? TariffTable.Problem, .noEconomias)
        }
    }
}
