import Domain
import XCTest

/// The declaração anual's rule (Lei 12.007/2009; DOMAIN.md): a year that has ended, by due
/// date, every bill paid — through an agreement only once it is quitado.
final class DeclaracaoTests: XCTestCase {
    let today = CivilDate(iso: "2027-01-01")!

    func bill(_ comp: String, due: String, _ situacao: SituacaoConta, paid: String? = nil, agreement: Int64? = nil)
        -> DeclaracaoAnual.Bill
    {
        DeclaracaoAnual.Bill(
            competencia: Competencia(iso: comp)!, due: CivilDate(iso: due)!, amount: Money(cents: 5_000), situacao: situacao,
            paidOn: paid.flatMap(CivilDate.init(iso:)), agreement: agreement)
    }

    func testEveryBillOfTheYearPaidByDueDateIssuesItOldestFirst() throws {
        let bills = [
            bill("2026-11", due: "2026-12-10", .paga, paid: "2026-12-09"),
            bill("2025-12", due: "2026-01-10", .paga, paid: "2026-01-12"),
            // Due in 2025 (competência 11/2025) and in 2027: not the year's, whatever they are.
            bill("2025-11", due: "2025-12-10", .aberta),
            bill("2026-12", due: "2027-01-10", .aberta),
            bill("2026-03", due: "2026-04-10", .paga, paid: "2026-09-10"),  // through an agreement, quitado in September
        ]
        let lines = try DeclaracaoAnual.decide(year: 2026, today: today, bills: bills).get()
        XCTAssertEqual(lines.map(\.competencia.iso), ["2025-12", "2026-03", "2026-11"])
        XCTAssertEqual(lines.map(\.situacao), ["PAGA", "PAGA", "PAGA"])
        XCTAssertEqual(lines.map(\.paidOn.iso), ["2026-01-12", "2026-09-10", "2026-12-09"])
    }

    func testRefusalsSayWhichBillAndWhy() {
        func refusal(_ year: Int, _ bills: [DeclaracaoAnual.Bill], on day: CivilDate? = nil) -> DeclaracaoAnual.Refusal? {
            if case .failure(let r) = DeclaracaoAnual.decide(year: year, today: day ?? today, bills: bills) { return r }
            return nil
        }
        // The year has not ended on 31/12; it has on 01/01.
        XCTAssertEqual(
            refusal(2026, [bill("2026-11", due: "2026-12-10", .paga, paid: "2026-12-09")], on: CivilDate(iso: "2026-12-31"))?.code,
            .yearNotEnded)
        XCTAssertEqual(refusal(2025, [])?.code, .noBills)
        let open = refusal(2026, [bill("2026-05", due: "2026-06-10", .aberta), bill("2026-06", due: "2026-07-10", .emRevisao)])
        XCTAssertEqual(open?.code, .openBills)
        XCTAssertEqual(
            open?.reasons,
            [
                "Conta 05/2026 (vencimento 10/06/2026, R$ 50,00): em aberto.",
                "Conta 06/2026 (vencimento 10/07/2026, R$ 50,00): em revisão (pagamento com cartão aguardando a operadora).",
            ])
        let running = refusal(2026, [bill("2026-05", due: "2026-06-10", .parcelada, agreement: 12)])
        XCTAssertEqual(running?.code, .agreementNotPaid)
        XCTAssertEqual(running?.reasons, ["Conta 05/2026 (vencimento 10/06/2026, R$ 50,00): no parcelamento nº 12 ainda não quitado."])
        XCTAssertTrue(running?.advice.contains("quitado") == true)
        // Open bills and an agreement together: the open bills are what to pay first.
        XCTAssertEqual(
            refusal(
                2026,
                [bill("2026-05", due: "2026-06-10", .parcelada, agreement: 12), bill("2026-08", due: "2026-09-10", .aberta)])?
                .code, .openBills)
    }
}
