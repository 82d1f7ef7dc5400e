import Foundation
import XCTest

@testable import Domain

/// Agreements (issue 13): installment due dates on the property's due day, the signer's limits,
/// and the breaking rule, on pinned dates (month ends, 29/02, a Saturday due date).
final class AgreementTests: XCTestCase {
    func d(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }

    func testDueDatesKeepTheDueDayOrTheMonthsLastDay() {
        AEqDates(
            AgreementSchedule.dueDates(signedOn: d("2027-01-31"), count: 4, day: 31),
            ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"])
        AEqDates(AgreementSchedule.dueDates(signedOn: d("2026-12-15"), count: 2, day: 10), ["2027-01-10", "2027-02-10"])
        AEqDates(AgreementSchedule.dueDates(signedOn: d("2028-01-29"), count: 1, day: 30), ["2028-02-29"])
        XCTAssertEqual(AgreementSchedule.dueDates(signedOn: d("2026-11-30"), count: 24, day: 5).last, d("2028-11-05"))
        XCTAssertEqual(AgreementSchedule.dueDates(signedOn: d("2026-11-30"), count: 0, day: 5), [])
    }

    func AEqDates(_ dates: [CivilDate], _ isos: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(dates.map(\.iso), isos, file: file, line: line)
    }

    func testSignerLimits() {
        let kiosk = AgreementLimits(maxCount: 12, minDownPaymentPercent: 20)
        let debt = Money(cents: 100_001)
        XCTAssertNil(kiosk.refusal(count: 12, downPayment: Money(cents: 20_001), debt: debt, who: "do autoatendimento", ask: "x"))
        XCTAssertEqual(
            kiosk.refusal(count: 13, downPayment: Money(cents: 50_000), debt: debt, who: "do autoatendimento", ask: "procure uma agência"),
            "Acima do limite do autoatendimento (até 12 parcelas, entrada de ao menos 20 % = R$ 200,01): procure uma agência.")
        XCTAssertNotNil(kiosk.refusal(count: 6, downPayment: Money(cents: 20_000), debt: debt, who: "do autoatendimento", ask: "x"))
    }

    func testBreakingRule() {
        let calendar = BusinessCalendar.national
        func standing(_ today: String, _ plan: [(String, Bool)]) -> AgreementStanding {
            AgreementStanding.evaluate(
                plan.map { .init(due: d($0.0), paid: $0.1) }, today: d(today), calendar: calendar, maxOverdueInstallments: 3,
                maxOverdueDays: 90)
        }
        // Due Saturday 28/11/2026: payable without being late until Monday 30/11.
        XCTAssertEqual(standing("2026-11-30", [("2026-11-28", false), ("2026-12-28", false)]), .emDia)
        XCTAssertEqual(standing("2026-12-01", [("2026-11-28", false), ("2026-12-28", false)]), .atrasado(installments: 1, days: 1))
        XCTAssertEqual(
            standing("2027-01-29", [("2026-11-28", false), ("2026-12-28", false), ("2027-01-28", false)]),
            .rompido(reason: "3 parcelas vencidas e não pagas (o limite é 3)."))
        // Paying the late ones keeps it; one installment 90 days late breaks it.
        XCTAssertEqual(
            standing("2027-01-29", [("2026-11-28", true), ("2026-12-28", true), ("2027-01-28", false)]), .atrasado(installments: 1, days: 1)
        )
        XCTAssertEqual(
            standing("2027-02-28", [("2026-11-28", false), ("2027-11-28", false)]),
            .rompido(reason: "Parcela vencida há 90 dias sem pagamento (o limite é 90 dias)."))
        XCTAssertEqual(standing("2027-02-27", [("2026-11-28", false), ("2027-11-28", false)]), .atrasado(installments: 1, days: 89))
        XCTAssertEqual(standing("2030-01-01", [("2026-11-28", true), ("2026-12-28", true)]), .quitado)
    }

    /// A broken agreement settles what its payments amortised, bills oldest first.
    func testBreakingSettlesWhatWasAmortisedOldestBillFirst() throws {
        // R$ 1.000,00: R$ 200,00 down, 4 × at 1 % on R$ 800,00.
        let plan = try InstallmentPlan(total: Money(cents: 100_000), downPayment: Money(cents: 20_000), count: 4, monthlyRate: 0.01)
        let bills = [
            AgreementBreak.Bill(id: 1, amount: Money(cents: 30_000), original: Money(cents: 25_000)),
            AgreementBreak.Bill(id: 2, amount: Money(cents: 30_000), original: Money(cents: 25_000)),
            AgreementBreak.Bill(id: 3, amount: Money(cents: 40_000), original: Money(cents: 36_000)),
        ]
        func settle(down: Bool, paid: [Bool]) -> AgreementBreak.Outcome {
            AgreementBreak.settle(
                bills: bills, downPayment: plan.downPayment, downPaymentPaid: down,
                installments: zip(plan.installments, paid).map { ($0, $1) }, rateBasisPoints: 100)
        }
        // Nothing paid: every bill back whole.
        XCTAssertEqual(settle(down: false, paid: [false, false, false, false]).reopened.map(\.remaining.cents), [25_000, 25_000, 36_000])
        // Down payment and the first installment: 200,00 + (P − 8,00 interest) amortised.
        let p1 = plan.installments[0].cents
        let one = settle(down: true, paid: [true, false, false, false])
        XCTAssertEqual(one.covered.cents, 20_000 + p1 - 800)
        // Bill 1 (R$ 300,00 in the agreement) is covered; what is left over goes to bill 2, taken
        // proportionally off its R$ 250,00 original; bill 3 comes back whole.
        XCTAssertEqual(one.paid, [1])
        let share = Decimal(20_000 + p1 - 800 - 30_000)
        XCTAssertEqual(one.reopened.first?.remaining.cents, 25_000 - Money.roundHalfUp(share * 25_000 / 30_000))
        XCTAssertEqual(one.reopened.dropFirst().map(\.remaining.cents), [36_000])
        // Everything paid, in any order: the whole debt amortised, every bill paid.
        let all = settle(down: true, paid: [true, true, true, true])
        XCTAssertEqual(all.covered.cents, 100_000)
        XCTAssertEqual(all.paid, [1, 2, 3])
        XCTAssertEqual(all.reopened, [])
        let outOfOrder = settle(down: false, paid: [false, false, true, true]).covered.cents
        let inOrder = settle(down: false, paid: [true, true, false, false]).covered.cents
        XCTAssertLessThan(inOrder, outOfOrder, "later installments carry less interest, so more principal")
    }
}
