import Domain
import Foundation
import XCTest

/// Business days against vectors from python-holidays, dateutil's Easter and numpy's business-day
/// calendar (`scripts/vectors/business_day_vectors.py`), and DOMAIN.md's worked example.
final class BusinessCalendarTests: XCTestCase {
    struct Vectors: Decodable {
        struct Case: Decodable { let calendar, due, payableUntil, paidOn: String, daysLate: Int }
        let localHolidays: [String]
        let easter: [String: String]
        let national: [String]
        let cases: [Case]
    }

    func vectors() throws -> Vectors {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Vectors/business_days", withExtension: "json"))
        return try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }

    func testEasterAndNationalHolidaysMatchPythonHolidays() throws {
        let v = try vectors()
        XCTAssertEqual(v.easter.count, 41)
        for (year, date) in v.easter {
            XCTAssertEqual(BusinessCalendar.easter(year: Int(year)!).iso, date, year)
        }
        let ours = (2000...2040).flatMap { BusinessCalendar.nationalHolidays(year: $0).map(\.date.iso) }
        XCTAssertEqual(ours, v.national)
    }

    func testDueDatesMoveLikeNumpyBusinessDays() throws {
        let v = try vectors()
        let local = BusinessCalendar(localHolidays: v.localHolidays.map { BusinessCalendar.LocalHoliday($0)! })
        XCTAssertGreaterThan(v.cases.count, 3000)
        var moved = 0
        for c in v.cases {
            let calendar = c.calendar == "local" ? local : .national
            let due = CivilDate(iso: c.due)!
            let until = calendar.payableUntil(due: due)
            XCTAssertEqual(until.iso, c.payableUntil, "\(c.calendar) \(c.due)")
            if until != due { moved += 1 }
            let charges = LateCharges(original: Money(cents: 10_000), due: due, paidOn: CivilDate(iso: c.paidOn)!, calendar: calendar)
            XCTAssertEqual(charges.daysLate, c.daysLate, "\(c.calendar) due \(c.due) paid \(c.paidOn)")
            XCTAssertEqual(charges.fine.cents, c.daysLate > 0 ? 200 : 0)
        }
        XCTAssertGreaterThan(moved, 500, "the vectors must exercise weekends and holidays")
    }

    /// `isBusinessDay` (fast, asked for every bill listed) and `closure(on:)` (the reason shown
    /// to people) agree on every day of 2000–2040, with and without local holidays.
    func testBusinessDayAndClosureAgree() throws {
        let local = BusinessCalendar(localHolidays: try vectors().localHolidays.map { BusinessCalendar.LocalHoliday($0)! })
        let first = CivilDate(iso: "2000-01-01")!.daysSinceEpoch
        let last = CivilDate(iso: "2040-12-31")!.daysSinceEpoch
        var closed = 0
        for day in first...last {
            let d = CivilDate(daysSinceEpoch: day)
            for calendar in [BusinessCalendar.national, local] {
                XCTAssertEqual(calendar.isBusinessDay(d), calendar.closure(on: d) == nil, d.iso)
            }
            if !local.isBusinessDay(d) { closed += 1 }
        }
        XCTAssertGreaterThan(closed, 41 * 104 + 41 * 10, "weekends and holidays were asked about")
    }

    /// DOMAIN.md: due Saturday 28/11/2026 → payable without charges until Monday 30/11; paid on
    /// 01/12 it is 1 day late.
    func testDocumentedExample() {
        let due = CivilDate(iso: "2026-11-28")!
        let cal = BusinessCalendar.national
        XCTAssertEqual(cal.closure(on: due), "sábado")
        XCTAssertEqual(cal.payableUntil(due: due).iso, "2026-11-30")
        for sunday in ["2026-11-29", "2026-11-30"] {
            XCTAssertFalse(SituacaoConta.aberta.isOverdue(due: due, today: CivilDate(iso: sunday)!, calendar: cal), sunday)
            XCTAssertEqual(
                LateCharges(original: Money(cents: 11_500), due: due, paidOn: CivilDate(iso: sunday)!, calendar: cal).charges, .zero)
        }
        XCTAssertTrue(SituacaoConta.aberta.isOverdue(due: due, today: CivilDate(iso: "2026-12-01")!, calendar: cal))
        XCTAssertEqual(
            LateCharges(original: Money(cents: 11_500), due: due, paidOn: CivilDate(iso: "2026-12-01")!, calendar: cal).daysLate, 1)
        // Carnaval 2026 (16–17/02) after a weekend: due Saturday 14/02 moves to Wednesday 18/02.
        XCTAssertEqual(cal.payableUntil(due: CivilDate(iso: "2026-02-14")!).iso, "2026-02-18")
        XCTAssertEqual(cal.closure(on: CivilDate(iso: "2026-04-03")!), "feriado: Sexta-feira Santa")
        XCTAssertEqual(cal.closure(on: CivilDate(iso: "2023-11-20")!), nil, "20/11 is national only since Lei 14.759/2023")
    }

    func testLocalHolidaysFromConfiguration() {
        XCTAssertEqual(BusinessCalendar.LocalHoliday("03-17"), .yearly(month: 3, day: 17))
        XCTAssertEqual(BusinessCalendar.LocalHoliday("2026-06-25"), .once(CivilDate(iso: "2026-06-25")!))
        XCTAssertEqual(BusinessCalendar.LocalHoliday("02-29"), .yearly(month: 2, day: 29))
        for bad in ["17/03", "13-01", "3-17", "2026-02-30", "", "feriado"] {
            XCTAssertNil(BusinessCalendar.LocalHoliday(bad), bad)
        }
        let aracaju = BusinessCalendar(localHolidays: [.yearly(month: 3, day: 17), .once(CivilDate(iso: "2027-03-18")!)])
        // Wednesday 17/03/2027 and the one-off Thursday 18/03/2027: due on 17/03 is payable on Friday 19/03.
        XCTAssertEqual(aracaju.payableUntil(due: CivilDate(iso: "2027-03-17")!).iso, "2027-03-19")
        XCTAssertEqual(BusinessCalendar.national.payableUntil(due: CivilDate(iso: "2027-03-17")!).iso, "2027-03-17")
        XCTAssertEqual(aracaju.payableUntil(due: CivilDate(iso: "2028-03-17")!).iso, "2028-03-20", "every year; 2028's falls on a Friday")
    }

    func testCounted() {
        XCTAssertEqual(counted(1, "dia"), "1 dia")
        XCTAssertEqual(counted(0, "dia"), "0 dias")
        XCTAssertEqual(counted(3, "mês", plural: "meses"), "3 meses")
        XCTAssertEqual(cubicMeters(19), "19 m³")
        XCTAssertEqual(cubicMeters(999_999), "999.999 m³")
        XCTAssertEqual(cubicMeters(1_000), "1.000 m³")
    }
}
