import Domain
import Foundation
import XCTest

/// A price per m³ written exactly (a float literal would not be).
func price(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

/// The tariff engine: band boundaries, economias, zero consumption, social discount, sewage.
final class TariffTests: XCTestCase {
    /// The demo residential table: minimum R$ 45,68 for 10 m³ (DOMAIN.md), then cascade.
    let residencial = TariffTable(
        categoria: .residencial, validFrom: CivilDate(iso: "2026-01-01")!, minimumM3: 10, minimumCents: 4568,
        bands: [
            .init(upToM3: 15, pricePerM3: price("6.10")), .init(upToM3: 20, pricePerM3: price("7.60")),
            .init(upToM3: 25, pricePerM3: price("9.05")),
            .init(upToM3: 30, pricePerM3: price("10.50")), .init(upToM3: 40, pricePerM3: price("12.10")),
            .init(upToM3: 50, pricePerM3: price("13.90")),
            .init(upToM3: nil, pricePerM3: price("16.10")),
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
                .init(upToM3: 15, pricePerM3: price("6.10"), discountPercent: 30),
                .init(upToM3: 20, pricePerM3: price("7.60"), discountPercent: 20),
                .init(upToM3: nil, pricePerM3: price("9.05")),
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

    /// Published bills reproduced to the cent.
    ///
    /// 1. DAES Juína (MT), "Tabela de tarifas 2026", https://www.daes.juina.mt.gov.br/servico/13/tabela-de-tarifas-2026
    ///    (retrieved 2026-11-23): per category, the price per m³ with three decimals and the
    ///    accumulated value of a bill at the top of each band ("valores acumulados"); water only.
    /// 2. Sabesp, Região Metropolitana, residencial normal from 10/05/2024, as reported by
    ///    Guarulhos Todo Dia on 12/05/2024 (https://guarulhostododia.com.br/noticias/2024/05/12/preste-atencao-nas-torneiras-a-agua-ja-esta-mais-cara-em-guarulhos):
    ///    R$ 38,34 up to 10 m³, R$ 6,01/m³ from 11 to 20, sewage equal to water; 20 m³ → R$ 196,88.
    func testPublishedBills() throws {
        func juina(_ categoria: Categoria, _ first: String, _ second: String, _ third: String, _ over: String) -> TariffTable {
            TariffTable(
                categoria: categoria, validFrom: CivilDate(iso: "2026-01-01")!, minimumM3: 10,
                minimumCents: NSDecimalNumber(decimal: price(first) * 1000).int64Value,
                bands: [
                    .init(upToM3: 20, pricePerM3: price(second)), .init(upToM3: 30, pricePerM3: price(third)),
                    .init(upToM3: nil, pricePerM3: price(over)),
                ],
                sewagePercent: 0)
        }
        let published: [(TariffTable, Int64, Int64, Int64)] = [
            (juina(.residencial, "3.457", "4.149", "4.978", "5.974"), 3457, 7606, 12584),
            (juina(.comercial, "6.919", "8.302", "9.963", "11.956"), 6919, 15221, 25184),
            (juina(.industrial, "9.427", "11.313", "13.575", "16.290"), 9427, 20740, 34315),
            (juina(.publica, "9.122", "10.946", "13.135", "15.762"), 9122, 20068, 33203),
        ]
        for (table, at10, at20, at30) in published {
            XCTAssertEqual(try water(10, table: table), at10, "\(table.categoria) 10 m³")
            XCTAssertEqual(try water(20, table: table), at20, "\(table.categoria) 20 m³")
            XCTAssertEqual(try water(30, table: table), at30, "\(table.categoria) 30 m³")
        }
        XCTAssertEqual(
            try published[0].0.simulate(consumptionM3: 20, economias: 1, sewage: false).lines.map(\.description),
            ["Tarifa mínima (até 10 m³)", "11 a 20 m³: R$ 4,149/m³"])

        let sabesp = TariffTable(
            categoria: .residencial, validFrom: CivilDate(iso: "2024-05-10")!, minimumM3: 10, minimumCents: 3834,
            bands: [.init(upToM3: 20, pricePerM3: price("6.01"))], sewagePercent: 100)
        let bill = try sabesp.simulate(consumptionM3: 20, economias: 1, sewage: true)
        XCTAssertEqual(bill.water.cents, 9844)
        XCTAssertEqual(bill.total.cents, 19688)
    }
}
