import Domain
import Foundation
import XCTest

/// Business hours against `businesstimedelta` (`scripts/vectors/business_hours_vectors.py`), and
/// who may ask for a service.
final class BusinessHoursTests: XCTestCase {
    struct Vectors: Decodable {
        struct Case: Decodable { let start: String, hours: Int, end: String }
        let localHolidays: [String]
        let cases: [Case]
    }

    static func parse(_ s: String) -> (date: CivilDate, minute: Int) {
        let date = CivilDate(iso: String(s.prefix(10)))!
        let time = s.suffix(5).split(separator: ":").compactMap { Int($0) }
        return (date, time[0] * 60 + time[1])
    }

    func testExpectedTimesMatchBusinesstimedelta() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Vectors/business_hours", withExtension: "json"))
        let v = try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
        let calendar = BusinessCalendar(localHolidays: v.localHolidays.map { BusinessCalendar.LocalHoliday($0)! })
        XCTAssertGreaterThan(v.cases.count, 7000)
        for c in v.cases {
            let end = BusinessHours.adding(c.hours, to: Self.parse(c.start), calendar: calendar)
            let expected = Self.parse(c.end)
            XCTAssertTrue(
                end.date == expected.date && end.minute == expected.minute, "\(c.start) + \(c.hours) h: \(end.date.iso) \(end.minute)")
        }
    }
}

final class ServiceTypeTests: XCTestCase {
    let religacao = ServiceType(
        code: "religacao", name: "Religação", description: "", unit: "operacao", deadline: .businessHours(24), feeCents: 3_500,
        feeOn: .documento, fields: [.init(key: "telefone", label: "Telefone para contato", required: true)],
        situations: [.cortada], situationReason: "A religação é para ligações cortadas.", requiresNoOverdue: true, needsProperty: true)

    func testWhoMayAsk() {
        XCTAssertEqual(
            religacao.refusal(situation: .ativa, overdueBills: 0, statementToday: false), "A religação é para ligações cortadas.")
        XCTAssertEqual(
            religacao.refusal(situation: .cortada, overdueBills: 2, statementToday: false),
            "Há 2 contas vencidas: pague-as ou emita hoje o documento de pagamento dos débitos (Débitos) e peça de novo.")
        XCTAssertEqual(
            religacao.refusal(situation: .cortada, overdueBills: 1, statementToday: false)?.hasPrefix("Há 1 conta vencida:"), true)
        XCTAssertNil(religacao.refusal(situation: .cortada, overdueBills: 2, statementToday: true), "a statement issued today")
        XCTAssertNil(religacao.refusal(situation: .cortada, overdueBills: 0, statementToday: false))
    }

    func testFormAnswers() {
        XCTAssertEqual(religacao.problems([:]), ["telefone": "Informe telefone para contato."])
        XCTAssertEqual(religacao.problems(["telefone": "  "]), ["telefone": "Informe telefone para contato."])
        XCTAssertEqual(religacao.problems(["telefone": "79 99999-0000"]), [:])
        XCTAssertEqual(religacao.deadlineText, "24 horas úteis")
    }
}
