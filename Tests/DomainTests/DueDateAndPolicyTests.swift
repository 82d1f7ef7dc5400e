import Domain
import Foundation
import XCTest

/// Due-date rules (Lei 9.791/1999: six or more options; change from the next bill; minimum
/// interval) and the installment policy's limits with their reasons.
final class DueDateAndPolicyTests: XCTestCase {
    let policy = DueDatePolicy(days: [5, 10, 15, 20, 25, 28], minIntervalMonths: 6)
    func d(_ s: String) -> CivilDate { CivilDate(iso: s)! }

    func testPolicyNeedsSixDays() {
        XCTAssertTrue(policy.isValid)
        XCTAssertFalse(DueDatePolicy(days: [5, 10, 15, 20, 25], minIntervalMonths: 6).isValid)
        XCTAssertFalse(DueDatePolicy(days: [5, 5, 10, 15, 20, 25], minIntervalMonths: 6).isValid, "repeated days count once")
        XCTAssertFalse(DueDatePolicy(days: [5, 10, 15, 20, 25, 31], minIntervalMonths: 6).isValid, "31 does not exist every month")
    }

    func testChangeRules() throws {
        XCTAssertNoThrow(try policy.check(current: 10, requested: 20, lastChange: nil, today: d("2026-11-23")))
        XCTAssertThrowsError(try policy.check(current: 10, requested: 12, lastChange: nil, today: d("2026-11-23"))) {
            XCTAssertEqual("\($0)", "O dia 12 não está entre as datas oferecidas: 5, 10, 15, 20, 25, 28.")
        }
        XCTAssertThrowsError(try policy.check(current: 10, requested: 10, lastChange: nil, today: d("2026-11-23"))) {
            XCTAssertEqual($0 as? DueDatePolicy.Problem, .sameDay(10))
        }
        // Changed on 31/08: the next change from 28/02 (the last day of February), not before.
        XCTAssertEqual(policy.nextChangeAllowed(after: d("2026-08-31")), d("2027-02-28"))
        XCTAssertThrowsError(try policy.check(current: 10, requested: 20, lastChange: d("2026-08-31"), today: d("2027-02-27"))) {
            XCTAssertEqual(
                "\($0)", "O vencimento foi alterado em 31/08/2026; uma nova alteração só é possível a partir de 28/02/2027.")
        }
        XCTAssertNoThrow(try policy.check(current: 10, requested: 20, lastChange: d("2026-08-31"), today: d("2027-02-28")))
    }

    func testFirstDueDateIsTheNextBill() {
        // Bills issued up to 10/2026: the first under the new day is 11/2026's, due in December.
        XCTAssertEqual(DueDatePolicy.firstDueDate(nextCompetencia: Competencia(year: 2026, month: 11)!, day: 28), d("2026-12-28"))
        XCTAssertEqual(DueDatePolicy.firstDueDate(nextCompetencia: Competencia(year: 2026, month: 12)!, day: 5), d("2027-01-05"))
    }

    func testInstallmentPolicyReasons() throws {
        let p = InstallmentPolicy.standard
        let debt = Money(cents: 100_000)
        XCTAssertEqual(p.minimumDownPayment(Money(cents: 12_345)).cents, 1235, "10 % rounded up to the cent")
        func reason(_ down: Int64, _ n: Int, active: Bool = false, debt: Money = Money(cents: 100_000)) -> String {
            do {
                _ = try p.plan(debt: debt, downPayment: Money(cents: down), count: n, hasActiveAgreement: active)
                return "ok"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(reason(10_000, 6), "ok")
        XCTAssertEqual(reason(9_999, 6), "A entrada mínima é de R$ 100,00.")
        XCTAssertEqual(reason(10_000, 25), "O número máximo de parcelas é 24.")
        XCTAssertEqual(reason(100_001, 6), "A entrada não pode passar do total da dívida (R$ 1.000,00).")
        XCTAssertTrue(reason(100_000, 6).hasPrefix("Com esta entrada não sobra saldo"))
        XCTAssertEqual(
            reason(10_000, 6, active: true), "Já existe um parcelamento em andamento para este imóvel: não é possível simular outro.")
        XCTAssertEqual(reason(0, 6, debt: .zero), "Não há débitos vencidos a negociar neste imóvel.")
        XCTAssertEqual(reason(10_000, 0), "Informe ao menos uma parcela.")
        // The plan is the Price plan on the balance: 900,00 at 1 % in 6.
        let plan = try p.plan(debt: debt, downPayment: Money(cents: 10_000), count: 6, hasActiveAgreement: false)
        XCTAssertEqual(plan.installments.count, 6)
        XCTAssertEqual(plan.installments[0].cents, 15_529)  // 900 · 0,01 / (1 − 1,01^−6) = 155,2935… → 155,29
        // Low income: 60 × at 0 %, no down payment required; equal parts.
        let low = try InstallmentPolicy.lowIncome.plan(debt: debt, downPayment: .zero, count: 60, hasActiveAgreement: false)
        XCTAssertEqual(Set(low.installments.dropLast().map(\.cents)), [1667])
        XCTAssertEqual(low.totalPaid, debt)
    }
}
