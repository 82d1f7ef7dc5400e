import API
import Foundation
import TUI
import XCTest

@testable import Screens

extension Fixtures {
    /// `months` months ending 10/2026; consumption 6–20 m³, every fourth month estimated.
    static func consumption(_ months: Int) -> String {
        var items: [String] = []
        var total = 0
        for k in 0..<months {
            let index = 2026 * 12 + 9 - (months - 1 - k)
            let (year, month) = (index / 12, index % 12 + 1)
            let m3 = 6 + (k * 7) % 15
            total += m3
            items.append(
                #"{"competencia":"\#(year)-\#(month < 10 ? "0" : "")\#(month)","consumptionM3":\#(m3),"estimated":\#(k % 4 == 2)}"#)
        }
        let average = (Double(total) / Double(months) * 10).rounded() / 10
        return #"{"months":\#(months),"averageM3":\#(average),"items":[\#(items.joined(separator: ","))]}"#
    }

    static let simulation = """
        {"categoria":"residencial","validFrom":"2026-01-01","consumptionM3":16,"economias":1,
         "lines":[{"description":"Tarifa mínima (até 10 m³)","amountCents":4568},
                  {"description":"11 a 15 m³: R$ 6,10/m³","volumeM3":"5","amountCents":3050},
                  {"description":"16 a 20 m³: R$ 7,60/m³","volumeM3":"1","amountCents":760}],
         "waterCents":8378,"sewageCents":6702,"sewagePercent":80,"totalCents":15080}
        """

    static let dueDate = """
        {"currentDay":28,"options":[5,10,15,20,25,28],"minIntervalMonths":6,"canChange":true,"nextBillCompetencia":"2026-11"}
        """
}

/// Consumption history, simulations and due date through the screens (fake API).
final class ServiceJourneyTests: JourneyBase {
    func testConsumptionHistoryCursorPeriodsAndTable() async {
        start()
        await loginAsMaria()
        transport.on("getConsumption", Fixtures.consumption(12))
        runtime.send(.key(.function(6)))
        await runtime.settle()
        var text = screen().text
        XCTAssertTrue(text.contains("últimos 12 meses · média 13,3 m³"), text)
        XCTAssertTrue(text.contains("10/2026: 8 m³ · leitura real"), text)
        XCTAssertEqual(transport.paths.last, "/properties/100013/consumption?months=12")
        // The cursor: one month back is an estimated reading, said in words.
        runtime.send(.key(.left))
        text = screen().text
        XCTAssertTrue(text.contains("09/2026: 16 m³ · estimada (pela média, sem leitura)"), text)
        // F7: 18, then 24 months, each asked to the server.
        transport.on("getConsumption", Fixtures.consumption(18))
        runtime.send(.key(.function(7)))
        await runtime.settle()
        XCTAssertEqual(transport.paths.last, "/properties/100013/consumption?months=18")
        XCTAssertTrue(screen().text.contains("últimos 18 meses"))
        transport.on("getConsumption", Fixtures.consumption(24))
        runtime.send(.key(.function(7)))
        await runtime.settle()
        XCTAssertEqual(transport.paths.last, "/properties/100013/consumption?months=24")
        // 24 bars fit at 80 columns: every month label is on the screen.
        let rows = screen().text.split(separator: "\n")
        let labels = rows.first { $0.contains("11 12 01 02") }
        XCTAssertEqual(labels?.split(separator: " ").count, 24, "\(rows)")
        // Home goes to the first month.
        runtime.send(.key(.home))
        XCTAssertTrue(screen().text.contains("11/2024:"))
        // F8: the same data as a table.
        runtime.send(.key(.function(8)))
        text = screen().text
        XCTAssertTrue(text.contains("11/2024   6 m³"), text)
        XCTAssertTrue(text.contains("estimada (média)"), text)
    }

    func testBillSimulationWithoutLogin() async {
        start()
        transport.on("getAuthPolicy", Fixtures.policy)
        transport.on("simulateBill", Fixtures.simulation)
        runtime.start()
        await runtime.settle()
        runtime.send(.key(.function(7)))
        XCTAssertTrue(screen().text.contains("Simular conta"))
        runtime.send(.key(.enter))
        XCTAssertTrue(screen().text.contains("Informe o consumo em m³."), "no consumption typed: nothing sent")
        XCTAssertEqual(transport.count("simulateBill"), 0)
        type("16")
        runtime.send(.key(.enter))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("11 a 15 m³: R$ 6,10/m³") && text.contains("R$ 30,50"), text)
        XCTAssertTrue(text.contains("Esgoto (80 % da água)") && text.contains("R$ 67,02"), text)
        XCTAssertTrue(text.contains("R$ 150,80"), text)
        let body = try? JSONSerialization.jsonObject(with: Data((transport.bodies.last ?? "").utf8)) as? [String: Any]
        XCTAssertEqual(body?["categoria"] as? String, "residencial")
        XCTAssertEqual(body?["consumptionM3"] as? Int, 16)
        XCTAssertEqual(body?["esgoto"] as? Bool, true)
        XCTAssertNil(transport.authorizations.last ?? nil, "no session needed")
        // A server refusal shows its message.
        transport.on("simulateBill", status: 400, Fixtures.error("invalid_input", "Informe ao menos uma economia."))
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(screen().text.contains("Informe ao menos uma economia."))
    }

    /// A simulation left open at the kiosk goes back to the login screen like a session would.
    func testPublicScreenLeftOpenReturnsToLogin() async {
        start(now: 1000)
        transport.on("getAuthPolicy", Fixtures.policy)
        runtime.start()
        await runtime.settle()
        runtime.send(.key(.function(7)))
        type("16")
        runtime.send(.tick(now: 1059))
        XCTAssertTrue(screen().text.contains("Simular conta"), "still within the idle time")
        XCTAssertFalse(screen().text.contains("Ainda está aí?"))
        runtime.send(.tick(now: 1061))
        XCTAssertTrue(screen().text.contains("Ainda está aí?"), "the warning, as for a session")
        runtime.send(.tick(now: 1071))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("Matrícula:"), text)
        XCTAssertFalse(text.contains("16"), "nothing typed remains")
    }

    func testInstallmentSimulationShowsReasonsAndNotice() async {
        start()
        await loginAsMaria()
        runtime.send(.key(.function(8)))
        XCTAssertTrue(screen().text.contains("SIMULAÇÃO — NÃO VALE COMO CONTRATO"))
        type("111.444.777-36")
        runtime.send(.key(.enter))
        XCTAssertEqual(transport.count("simulateInstallments"), 0, "invalid CPF caught before sending")
        transport.on(
            "simulateInstallments", status: 422, Fixtures.error("policy", "A entrada mínima é de R$ 27,59."))
        runtime.send(.key(.backspace))
        type("5")
        runtime.send(.key(.tab))
        type("10,00")
        runtime.send(.key(.tab))
        type("6")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(screen().text.contains("A entrada mínima é de R$ 27,59."))
        let body = try? JSONSerialization.jsonObject(with: Data((transport.bodies.last ?? "").utf8)) as? [String: Any]
        XCTAssertEqual(body?["documento"] as? String, "11144477735")
        XCTAssertEqual(body?["downPaymentCents"] as? Int, 1000)
        XCTAssertEqual(body?["count"] as? Int, 6)
        transport.on(
            "simulateInstallments",
            """
            {"notice":"Simulação — não vale como contrato.","kind":"comum","bills":[],"debtCents":27590,"downPaymentCents":5000,"minDownPaymentCents":2759,
             "financedCents":22590,"count":6,"maxCount":24,"monthlyRateBasisPoints":100,"installments":[3898,3898,3898,3898,3898,3898],
             "totalCents":28388,"asOf":"2026-11-23"}
            """)
        runtime.send(.key(.enter))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("6 × R$ 38,98") && text.contains("R$ 283,88") && text.contains("juros de 1 % ao mês"), text)
        XCTAssertTrue(text.contains("Simulação — não vale como contrato."))
    }

    func testDueDateChangeAsksConfirmationAndSaysWhen() async {
        start()
        await loginAsMaria()
        transport.on("getDueDate", Fixtures.dueDate)
        runtime.send(.key(.function(7)))
        await runtime.settle()
        XCTAssertTrue(screen().text.contains("Vencimento atual: todo dia 28"))
        runtime.send(.key(.enter))
        XCTAssertTrue(screen().text.contains("O vencimento já é no dia 28"))
        for _ in 0..<4 { runtime.send(.key(.up)) }
        runtime.send(.key(.enter))
        var text = screen().text
        XCTAssertTrue(text.contains("Alterar o vencimento do dia 28 para o dia 10?"), text)
        XCTAssertTrue(text.contains("Vale a partir da conta de 11/2026, com vencimento em 10/12/2026."), text)
        XCTAssertEqual(transport.count("changeDueDate"), 0, "nothing changes before confirming")
        transport.on(
            "changeDueDate", #"{"day":10,"previousDay":28,"competencia":"2026-11","firstDueOn":"2026-12-10","changedOn":"2026-11-23"}"#)
        runtime.send(.key(.enter))
        await runtime.settle()
        text = screen().text
        XCTAssertTrue(text.contains("Vencimento alterado do dia 28 para o dia 10."), text)
        XCTAssertTrue(text.contains("com vencimento em 10/12/2026"), text)
        let body = try? JSONSerialization.jsonObject(with: Data((transport.bodies.last ?? "").utf8)) as? [String: Any]
        XCTAssertEqual(body?["day"] as? Int, 10)
    }

    func testDueDateRefusedShowsWhenItIsPossible() async {
        start()
        await loginAsMaria()
        transport.on(
            "getDueDate",
            """
            {"currentDay":10,"options":[5,10,15,20,25,28],"minIntervalMonths":6,"canChange":false,"nextBillCompetencia":"2026-11",
             "lastChange":{"changedOn":"2026-09-24","fromDay":28,"toDay":10,"channel":"balcao"},"nextChangeAllowedFrom":"2027-03-24",
             "reason":"O vencimento foi alterado em 24/09/2026; uma nova alteração só é possível a partir de 24/03/2027."}
            """)
        runtime.send(.key(.function(7)))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("O vencimento foi alterado em 24/09/2026") && text.contains("24/03/2027"), text)
        XCTAssertTrue(text.contains("Última alteração: 24/09/2026, do dia 28 para o dia 10 (no balcão)"), text)
        runtime.send(.key(.up))
        runtime.send(.key(.enter))
        XCTAssertFalse(screen().text.contains("Alterar o vencimento"))
    }
}

extension SnapshotTests {
    /// The consumption chart at 12, 18 and 24 months, 80×24 and 132×43, in colour (Unicode
    /// glyphs; the role map is what colour shows) and for a monochrome terminal (vt100: ASCII
    /// glyphs, roles shown as attributes).
    func testConsumptionChartSnapshots() async throws {
        let (model, runtime, t) = await journey()
        t.on("loginCustomer", status: 201, Fixtures.session)
        t.on("getProperty", Fixtures.property)
        t.on("getLinkedProperties", Fixtures.linked)
        await loginAsMaria(runtime)
        t.on("getConsumption", Fixtures.consumption(12))
        runtime.send(.key(.function(6)))
        await runtime.settle()
        for months in [12, 18, 24] {
            if months > 12 {
                t.on("getConsumption", Fixtures.consumption(months))
                runtime.send(.key(.function(2)))
                await runtime.settle()
            }
            runtime.send(.key(.left))  // the cursor on the month before the last
            for (w, h) in [(80, 24), (132, 43)] {
                try assertSnapshot(render(model, w, h), "consumption-\(months)-\(w)x\(h)")
                try assertSnapshot(render(model, w, h, .ascii), "consumption-\(months)-\(w)x\(h)-mono")
            }
        }
    }
}
