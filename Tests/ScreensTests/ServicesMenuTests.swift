import Domain
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
        // Every service of the table, numbered by its place in the whole catalogue.
        for svc in Service.offered(in: .kiosk).prefix(5) {
            XCTAssertTrue(text.contains("\(ServicesScreen.number(svc)). \(svc.title)"), "\(svc.title):\n\(text)")
        }
        // Typing filters, accents and case aside: "tarifa" finds "Tabela de tarifas", keeping its number.
        type("TARIFA")
        text = screen().text
        let tariffs = ServicesScreen.number(Service.with(.tariffs))
        XCTAssertTrue(text.contains("\(tariffs). Tabela de tarifas"), text)
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
        runtime.send(.key(.char(Character(String(ServicesScreen.number(Service.with(.consumption)))))))
        await runtime.settle()
        XCTAssertTrue(model.top is ConsumptionScreen)
    }

    /// Issues 28.14 and 28.18: two-digit numbers open their service (the same number in every
    /// mode and under any filter); a hyphen filters ("e-mail"); titles come before summaries.
    func testNumbersAboveNineHyphensAndTitlesFirst() async {
        start()
        await loginAsMaria()
        runtime.send(.key(.function(9)))
        let kiosk = Service.offered(in: .kiosk)
        let high = kiosk.last { ServicesScreen.number($0) >= 10 }!
        let n = ServicesScreen.number(high)
        XCTAssertEqual(n, Service.all.firstIndex { $0.id == high.id }! + 1, "its place in the catalogue, whatever the mode")
        XCTAssertTrue(screen().text.contains("\(n). \(high.title)"), screen().text)
        // "1" alone waits (10…19 start with it); the second digit opens the service.
        type(String(String(n).first!))
        XCTAssertTrue(model.top is ServicesScreen, "one digit of a two-digit number waits")
        XCTAssertTrue(screen().text.contains("Número \(String(n).first!)…"), screen().text)
        type(String(String(n).last!))
        await runtime.settle()
        XCTAssertFalse(model.top is ServicesScreen, "\(n) opened \(high.title)")
        runtime.send(.key(.escape))
        await runtime.settle()
        // Enter after "1" opens service 1, not another.
        type("1")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertFalse(model.top is ServicesScreen)
        runtime.send(.key(.escape))
        await runtime.settle()
        // A hyphen is typed and ignored alike: "e-mail" and "email" find the e-mail service.
        for typed in ["e-mail", "email"] {
            for _ in 0..<10 { runtime.send(.key(.backspace)) }
            type(typed)
            XCTAssertTrue(screen().text.contains(". Atualizar e-mail"), "\(typed):\n\(screen().text)")
            XCTAssertFalse(screen().text.contains("Nenhum serviço corresponde"), typed)
        }
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

/// Issue 28.18: the protocol type picker prefers names: "outros" is the type "Outros", even when
/// another type's description mentions other things first.
final class TypePickerTests: XCTestCase {
    func testNamesBeforeDescriptions() throws {
        let json = """
            {"types":[
              {"code":"atualizacao-cadastral","name":"Atualização cadastral","description":"Nome, telefone e outros dados do cadastro","defaultUnit":"centro","public":true},
              {"code":"outros","name":"Outros","description":"Assuntos que não se encaixam acima","defaultUnit":"comercial","public":true},
              {"code":"religacao","name":"Religação","description":"Religar a água","defaultUnit":"operacao","public":true}
            ],"units":[],"attachmentMaxBytes":1,"attachmentsPerStep":1}
            """
        let catalogue = try JSONDecoder().decode(Calls.ProtocolCatalogue.self, from: Data(json.utf8))
        XCTAssertEqual(ProtocolText.types(catalogue, matching: "outros").map(\.code), ["outros", "atualizacao-cadastral"])
        XCTAssertEqual(ProtocolText.types(catalogue, matching: "RELIG").first?.code, "religacao")
        XCTAssertEqual(ProtocolText.types(catalogue, matching: "").count, 3)
    }
}

/// Issue 28.19: the back office is offered what its role may do — it reads a property's debts,
/// payments and consumption; it issues no documents and takes no payments — by the server's own
/// table (`Permissions`); a refusal never suggests a retry that cannot succeed.
final class RoleOfferTests: JourneyBase {
    func home(role: StaffRole) async {
        start(mode: .staff, root: { HomeScreen(matricula: "100013") })
        model.state.session = .staff(usuario: "diego", nome: "Diego", role: role, unit: "comercial")
        transport.on("getProperty", Fixtures.property)
        transport.on("getLinkedProperties", Fixtures.linked)
        runtime.start()
        await runtime.settle()
    }

    func testTheBackOfficeIsOfferedWhatItMayDo() async {
        await home(role: .backoffice)
        var keys = model.top.commands.map(\.label)
        XCTAssertTrue(keys.contains("Débitos") && keys.contains("Pagamentos") && keys.contains("Consumo"), "\(keys)")
        XCTAssertFalse(keys.contains("2ª via") || keys.contains("Parcelar"), "\(keys)")
        transport.on("listBills", Fixtures.bills)
        runtime.send(.key(.function(2)))
        await runtime.settle()
        keys = model.top.commands.map(\.label)
        XCTAssertFalse(keys.contains("Extrato") || keys.contains("Cartão") || keys.contains("Marcar"), "\(keys)")
        XCTAssertTrue(keys.contains("Encargos"), "\(keys)")
        runtime.send(.key(.escape))
        runtime.send(.key(.function(9)))
        await runtime.settle()
        let listed = screen().text
        XCTAssertFalse(listed.contains("Segunda via") || listed.contains("Certidão de débitos"), listed)
        XCTAssertTrue(listed.contains("Histórico de consumo") || listed.contains("Consumo"), listed)
        // An attendant serves: the same home offers them.
        await home(role: .atendente)
        keys = model.top.commands.map(\.label)
        XCTAssertTrue(keys.contains("2ª via") && keys.contains("Parcelar"), "\(keys)")
    }

    func testARefusalSaysWhyWithoutARetry() {
        XCTAssertFalse(APIFailure(status: 403, code: "role_forbidden", message: "x").retryable)
        XCTAssertFalse(APIFailure(status: 404, code: "not_found", message: "x").retryable)
        XCTAssertTrue(APIFailure(status: 0, code: "network", message: "x").retryable)
        XCTAssertTrue(APIFailure(status: 503, code: "unavailable", message: "x").retryable)
    }
}
