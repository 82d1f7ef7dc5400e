import XCTest

@testable import Domain

/// What a property owes and what of it is overdue (issue 27: one definition for every feature),
/// and which certidão it gets, or why none: every overdue bill and every late agreement named,
/// in order; a certidão issued on facts since found false is found.
final class CertidaoTests: XCTestCase {
    let calendar = BusinessCalendar.national

    func bill(_ id: Int64, _ situacao: SituacaoConta, due: CivilDate, cents: Int64 = 10_000, dividaAtiva: CivilDate? = nil) -> Bill {
        Bill(
            id: id, matricula: "100072", competencia: Competencia(year: due.year, month: due.month)!.adding(months: -1), due: due,
            value: Money(cents: cents), situacao: situacao, consumptionM3: 10, estimated: false,
            paidOn: situacao == .paga ? due : nil, dividaAtivaSince: dividaAtiva)
    }

    /// Every bill situation on days around a due date that falls on a Saturday (payable without
    /// charges until Monday), at a year's end and on 29/02.
    func testOwedAndOverdueTable() {
        let d = { (y: Int, m: Int, day: Int) in CivilDate(year: y, month: m, day: day)! }
        // (situation, due, today, owed, owed on its own, payable, overdue)
        let rows: [(SituacaoConta, CivilDate, CivilDate, Bool, Bool, Bool, Bool)] = [
            (.aberta, d(2026, 11, 28), d(2026, 11, 27), true, true, true, false),
            (.aberta, d(2026, 11, 28), d(2026, 11, 28), true, true, true, false),
            (.aberta, d(2026, 11, 28), d(2026, 11, 30), true, true, true, false),
            (.aberta, d(2026, 11, 28), d(2026, 12, 1), true, true, true, true),
            (.emRevisao, d(2026, 11, 28), d(2026, 11, 30), true, true, false, false),
            (.emRevisao, d(2026, 11, 28), d(2026, 12, 1), true, true, false, true),
            (.parcelada, d(2026, 11, 28), d(2026, 11, 30), true, false, false, false),
            (.parcelada, d(2026, 11, 28), d(2026, 12, 1), true, false, false, false),
            (.paga, d(2026, 11, 28), d(2026, 12, 1), false, false, false, false),
            // Cancelled, replaced or prescribed at the utility (issue 30): not owed, never overdue.
            (.baixada, d(2026, 11, 28), d(2026, 11, 30), false, false, false, false),
            (.baixada, d(2026, 11, 28), d(2026, 12, 1), false, false, false, false),
            // Thursday 31/12: overdue on the holiday after it.
            (.aberta, d(2026, 12, 31), d(2026, 12, 31), true, true, true, false),
            (.aberta, d(2026, 12, 31), d(2027, 1, 1), true, true, true, true),
            (.emRevisao, d(2026, 12, 31), d(2027, 1, 1), true, true, false, true),
            // Tuesday 29/02/2028 is Carnaval: payable until Wednesday 01/03.
            (.aberta, d(2028, 2, 29), d(2028, 3, 1), true, true, true, false),
            (.aberta, d(2028, 2, 29), d(2028, 3, 2), true, true, true, true),
        ]
        for (s, due, today, owed, own, payable, overdue) in rows {
            let what = "\(s) due \(due.iso) on \(today.iso)"
            XCTAssertEqual(s.isOwed, owed, what)
            XCTAssertEqual(s.isOwedOnItsOwn, own, what)
            XCTAssertEqual(s.isPayable, payable, what)
            XCTAssertEqual(s.isOverdue(due: due, today: today, calendar: calendar), overdue, what)
            XCTAssertEqual(bill(1, s, due: due).isOverdue(on: today, calendar: calendar), overdue, what)
        }
        XCTAssertEqual(Set(SituacaoConta.allCases), [.aberta, .paga, .emRevisao, .parcelada, .baixada], "a new situation needs its rows")
    }

    /// The home screen's summary counts by the same definition: a bill under a pending card
    /// payment is open (and overdue when past due), a bill in an agreement is counted apart.
    func testDebtSummaryUsesTheDefinition() {
        let today = CivilDate(year: 2026, month: 12, day: 1)!
        let due = CivilDate(year: 2026, month: 11, day: 10)!
        let notDue = CivilDate(year: 2026, month: 12, day: 10)!
        let s = DebtSummary(
            bills: [
                bill(1, .aberta, due: due, cents: 1_000), bill(2, .aberta, due: notDue, cents: 2_000),
                bill(3, .emRevisao, due: due, cents: 4_000), bill(4, .parcelada, due: due, cents: 8_000),
                bill(5, .paga, due: due, cents: 16_000), bill(6, .aberta, due: due, cents: 32_000, dividaAtiva: due.adding(days: 90)),
            ], today: today, calendar: calendar)
        XCTAssertEqual(s.openCount, 4)
        XCTAssertEqual(s.openTotal, Money(cents: 39_000))
        XCTAssertEqual(s.overdueCount, 3)
        XCTAssertEqual(s.underReviewCount, 1)
        XCTAssertEqual(s.inAgreementCount, 1)
        XCTAssertEqual(s.oldestDue, due)
    }

    /// One bill in each situation, past due: which certidão, or which reason.
    func testCertidaoForEveryBillSituation() {
        let today = CivilDate(year: 2026, month: 12, day: 1)!
        let due = CivilDate(year: 2026, month: 11, day: 10)!
        func decide(_ b: Bill) -> CertidaoDecision { CertidaoDecision.decide(bills: [b], agreements: [], today: today, calendar: calendar) }
        XCTAssertEqual(decide(bill(1, .paga, due: due)), .issue(.negativa))
        XCTAssertEqual(decide(bill(1, .parcelada, due: due)), .issue(.positivaComEfeitoDeNegativa))
        XCTAssertEqual(decide(bill(1, .aberta, due: CivilDate(year: 2026, month: 12, day: 10)!)), .issue(.negativa), "not yet due")
        guard case .refuse(let open, _) = decide(bill(1, .aberta, due: due)) else { return XCTFail("open and overdue") }
        XCTAssertEqual(open, ["Conta de 10/2026, vencida em 10/11/2026: R$ 100,00."])
        guard case .refuse(let review, let pendingAdvice) = decide(bill(1, .emRevisao, due: due)) else {
            return XCTFail("a pending card payment pays nothing")
        }
        XCTAssertTrue(pendingAdvice.hasPrefix("Um pagamento com cartão só conta depois de aprovado pela operadora."), pendingAdvice)
        XCTAssertEqual(
            review,
            ["Conta de 10/2026, vencida em 10/11/2026: R$ 100,00, em revisão (pagamento com cartão ainda não aprovado pela operadora)."])
        let inscribed = CivilDate(year: 2026, month: 11, day: 30)!
        guard case .refuse(let da, _) = decide(bill(1, .aberta, due: due, dividaAtiva: inscribed)) else { return XCTFail("dívida ativa") }
        XCTAssertEqual(da, ["Conta de 10/2026, vencida em 10/11/2026: R$ 100,00, inscrita em dívida ativa em 30/11/2026."])
    }

    func testNegativaPositivaOrRefusedWithReasons() {
        let today = CivilDate(year: 2026, month: 11, day: 23)!
        XCTAssertEqual(CertidaoDecision.decide(bills: [], agreements: [], today: today, calendar: calendar), .issue(.negativa))
        let good = CertidaoDecision.ActiveAgreement(id: 7, standing: .emDia, lateSince: nil)
        let inAgreement = [bill(9, .parcelada, due: CivilDate(year: 2026, month: 8, day: 10)!)]
        XCTAssertEqual(
            CertidaoDecision.decide(bills: inAgreement, agreements: [good], today: today, calendar: calendar),
            .issue(.positivaComEfeitoDeNegativa))
        let bills = [
            bill(1, .aberta, due: CivilDate(year: 2026, month: 11, day: 10)!, cents: 8_712),
            bill(2, .aberta, due: CivilDate(year: 2026, month: 10, day: 10)!, cents: 9_001),
        ]
        let late = CertidaoDecision.ActiveAgreement(
            id: 8, standing: .atrasado(installments: 2, days: 40), lateSince: CivilDate(year: 2026, month: 10, day: 13))
        guard
            case .refuse(let reasons, let advice) = CertidaoDecision.decide(
                bills: bills + inAgreement, agreements: [late, good], today: today, calendar: calendar)
        else { return XCTFail("refused") }
        XCTAssertEqual(
            reasons,
            [
                "Conta de 09/2026, vencida em 10/10/2026: R$ 90,01.", "Conta de 10/2026, vencida em 10/11/2026: R$ 87,12.",
                "Acordo nº 8 com 2 parcelas vencidas desde 13/10/2026.",
            ])
        XCTAssertTrue(advice.contains("peça a certidão de novo"))
        guard
            case .refuse(let broken, _) = CertidaoDecision.decide(
                bills: inAgreement, agreements: [.init(id: 9, standing: .rompido(reason: "3 parcelas vencidas."), lateSince: nil)],
                today: today, calendar: calendar)
        else { return XCTFail("refused") }
        XCTAssertEqual(broken, ["Acordo nº 9 rompido: 3 parcelas vencidas."])
    }

    /// A certidão issued on 23/11 no longer stands when a bill overdue on that day is owed on its
    /// own today (a reversed payment, a late import, a declined card, a broken agreement); bills
    /// due after it, or paid, leave it standing.
    func testFalsifiedFacts() {
        let issued = CivilDate(year: 2026, month: 11, day: 23)!
        let before = CivilDate(year: 2026, month: 11, day: 10)!
        // Due Saturday 21/11: payable until Monday 23/11, not overdue on the day of issue.
        let weekend = CivilDate(year: 2026, month: 11, day: 21)!
        XCTAssertEqual(CertidaoDecision.falsified(bills: [], issuedOn: issued, calendar: calendar), [])
        XCTAssertEqual(
            CertidaoDecision.falsified(
                bills: [
                    bill(1, .paga, due: before), bill(2, .parcelada, due: before), bill(3, .aberta, due: weekend),
                    bill(4, .aberta, due: CivilDate(year: 2026, month: 12, day: 10)!),
                ], issuedOn: issued, calendar: calendar), [])
        XCTAssertEqual(
            CertidaoDecision.falsified(
                bills: [bill(1, .emRevisao, due: before), bill(2, .aberta, due: before.adding(days: -31))],
                issuedOn: issued, calendar: calendar
            ).count, 2)
    }
}
