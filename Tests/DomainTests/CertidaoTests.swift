import XCTest

@testable import Domain

/// Which certidão a property gets, or why none: every overdue bill and every late agreement
/// named, in order.
final class CertidaoTests: XCTestCase {
    func testNegativaPositivaOrRefusedWithReasons() {
        XCTAssertEqual(CertidaoDecision.decide(overdue: [], agreements: [], inInstallments: 0), .issue(.negativa))
        let good = CertidaoDecision.ActiveAgreement(id: 7, standing: .emDia, lateSince: nil)
        XCTAssertEqual(CertidaoDecision.decide(overdue: [], agreements: [good], inInstallments: 4), .issue(.positivaComEfeitoDeNegativa))
        let bills = [
            CertidaoDecision.OverdueBill(
                competencia: Competencia(year: 2026, month: 10)!, due: CivilDate(year: 2026, month: 11, day: 10)!,
                amount: Money(cents: 8_712)),
            CertidaoDecision.OverdueBill(
                competencia: Competencia(year: 2026, month: 9)!, due: CivilDate(year: 2026, month: 10, day: 10)!,
                amount: Money(cents: 9_001)),
        ]
        let late = CertidaoDecision.ActiveAgreement(
            id: 8, standing: .atrasado(installments: 2, days: 40), lateSince: CivilDate(year: 2026, month: 10, day: 13))
        guard case .refuse(let reasons, let advice) = CertidaoDecision.decide(overdue: bills, agreements: [late, good], inInstallments: 4)
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
                overdue: [], agreements: [.init(id: 9, standing: .rompido(reason: "3 parcelas vencidas."), lateSince: nil)],
                inInstallments: 2)
        else { return XCTFail("refused") }
        XCTAssertEqual(broken, ["Acordo nº 9 rompido: 3 parcelas vencidas."])
    }
}
