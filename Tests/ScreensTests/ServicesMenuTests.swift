import API
import Foundation
import TUI
import XCTest

@testable import Screens

/// Home's command table and the Serviços menu (issue 9): one table drives the keys, the
/// function bar, the help and the list on screen; a disabled command does nothing.
final class ServicesMenuTests: JourneyBase {
    func testHomeListsItsKeysFromItsCommandTable() async {
        start()
        await loginAsMaria()
        let home = model.top
        let text = screen().text
        for c in home.commands where c.inBar && c.enabled && c.key != .enter {
            XCTAssertTrue(text.contains("\(c.key.label) \(c.label)"), "\(c.key.label) \(c.label) listed on Home:\n\(text)")
        }
        // Refresh is F5, as on every screen.
        XCTAssertEqual(home.commands.first { $0.key == .function(5) }?.label, "Atualizar")
        XCTAssertNil(home.commands.first { $0.key == .ctrl("r") })
    }

    func testServicesMenuListsFiltersAndOpens() async {
        start()
        await loginAsMaria()
        runtime.send(.key(.function(9)))
        var text = screen().text
        XCTAssertTrue(text.contains("Serviços"), text)
        // Every service of the table, numbered, with what it does.
        for (i, svc) in Service.offered(in: .kiosk).enumerated() where i < 5 {
            XCTAssertTrue(text.contains("\(i + 1). \(svc.title)"), "\(svc.title):\n\(text)")
        }
        // Typing filters, accents and case aside: "tarifa" finds "Tabela de tarifas".
        type("TARIFA")
        text = screen().text
        XCTAssertTrue(text.contains("1. Tabela de tarifas"), text)
        XCTAssertFalse(text.contains("Débitos e pagamento"), text)
        transport.on("listTariffs", #"{"items":[],"asOf":"2026-11-23"}"#)
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(model.top is TariffsScreen, "Enter opens the filtered service")
        runtime.send(.key(.escape))
        // Nothing matches: said plainly; Backspace edits the filter.
        type("xyz")
        XCTAssertTrue(screen().text.contains("Nenhum serviço corresponde"), screen().text)
        for _ in 0..<9 { runtime.send(.key(.backspace)) }
        XCTAssertTrue(screen().text.contains("1. Débitos e pagamento"), screen().text)
        // A number opens that service at once.
        transport.on("getConsumption", Fixtures.consumption(12))
        let consumption = Service.offered(in: .kiosk).firstIndex { $0.id == .consumption }!
        runtime.send(.key(.char(Character(String(consumption + 1)))))
        await runtime.settle()
        XCTAssertTrue(model.top is ConsumptionScreen)
    }

    func testTheMenuFitsAt80x24() async {
        start()
        await loginAsMaria()
        runtime.send(.key(.function(9)))
        for glyphs in [Glyphs.unicode, .ascii] {
            let text = screen(glyphs: glyphs).text
            // Every service listed and the selected one's description whole, at 80×24, in ASCII too.
            for svc in Service.offered(in: .kiosk) {
                XCTAssertTrue(
                    text.contains(!glyphs.unicodeText ? String(svc.title.map(Glyphs.ascii.displayable)) : svc.title),
                    "\(svc.title):\n\(text)")
            }
            let words = Service.offered(in: .kiosk)[0].summary.split(separator: " ").map {
                !glyphs.unicodeText ? String(String($0).map(Glyphs.ascii.displayable)) : String($0)
            }
            XCTAssertTrue(words.allSatisfy { text.contains($0) }, text)
            XCTAssertTrue(text.contains(!glyphs.unicodeText ? "o servico." : "o serviço."), "the hint is not cut:\n\(text)")
        }
        // The selection moves with the arrows.
        runtime.send(.key(.down))
        XCTAssertTrue(screen().text.contains("\(screen().glyphs.arrowRight) 2."), screen().text)
    }

    /// A screen whose disabled command would still act if the key reached it.
    final class Probe: Screen {
        var received = 0
        var title: String { "Probe" }
        var commands: [Command] { [Command(.function(4), "Extrato", enabled: false), Command(.function(2), "Selecionar")] }
        func render(_ s: inout Surface, area: Rect, app: AppState) {}
        func handle(_ event: Event, app: AppState) -> [Effect] {
            received += 1
            return []
        }
    }

    func testADisabledCommandDoesNothing() {
        let probe = Probe()
        start(root: { probe })
        runtime.send(.key(.function(4)))
        XCTAssertEqual(probe.received, 0, "the disabled F4 never reaches the screen")
        runtime.send(.key(.function(2)))
        XCTAssertEqual(probe.received, 1, "an enabled command does")
    }
}
