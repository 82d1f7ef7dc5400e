import API
import Foundation
import TUI
import XCTest

@testable import Screens

/// Scripted journeys through the real screens and runtime, against a fake transport; the
/// assertions read the rendered surface, as a person would.
class JourneyBase: XCTestCase {
    var transport: FakeTransport!
    var runtime: AppRuntime!
    var model: AppModel!

    /// `root`: the first screen (default: the mode's login screen).
    func start(mode: TerminalMode = .kiosk, now: Double = 1000, root: (() -> any Screen)? = nil) {
        transport = FakeTransport()
        let token = TokenBox()
        let client = Client(serverURL: URL(string: "http://fake/v1")!, transport: transport, middlewares: [BearerMiddleware(box: token)])
        let state = AppState(mode: mode, token: token, now: now)
        model = AppModel(state: state) { root?() ?? (mode == .kiosk ? LoginScreen() as any Screen : StaffLoginScreen()) }
        runtime = AppRuntime(model: model, client: client)
    }

    /// The screen as drawn; every screen a journey looks at also has its command table checked
    /// against the product's key map (issue 28.16): a shared verb on another key fails here.
    func screen(width: Int = 80, height: Int = 24, glyphs: Glyphs = .unicode, file: StaticString = #filePath, line: UInt = #line) -> Surface {
        var s = Surface(width: width, height: height, glyphs: glyphs)
        model.render(&s)
        XCTAssertEqual(KeyMap.problems(model.allCommands), [], "\(model.top.title)", file: file, line: line)
        return s
    }

    func type(_ text: String) { for c in text { runtime.send(.key(.char(c))) } }

    /// The kiosk's login screen, shown, with Maria's answers ready on the fake server.
    func openKioskLogin() async {
        transport.on("getAuthPolicy", Fixtures.policy)
        transport.on("loginCustomer", status: 201, Fixtures.session)
        transport.on("getProperty", Fixtures.property)
        transport.on("getLinkedProperties", Fixtures.linked)
        runtime.start()
        await runtime.settle()
    }

    func loginAsMaria() async {
        await openKioskLogin()
        type("10001-3")
        runtime.send(.key(.tab))
        type("111.444.777-35")
        runtime.send(.key(.enter))
        await runtime.settle()
    }
}

final class JourneyTests: JourneyBase {
    func testKioskLoginToHome() async {
        start()
        await loginAsMaria()
        let text = screen().text
        XCTAssertTrue(text.contains("DÉBITOS EM ABERTO: 3 contas, 2 vencidas — R$ 378,42 sem multa e juros"), text)
        XCTAssertTrue(text.contains("Vencimento mais antigo: 28/09/2026"), text)
        XCTAssertTrue(text.contains("MARIA A. S."))
        XCTAssertEqual(Array(transport.calls.prefix(2)), ["getAuthPolicy", "loginCustomer"])
        // The home's two calls run concurrently: either may reach the server first.
        XCTAssertEqual(Set(transport.calls.dropFirst(2)), ["getProperty", "getLinkedProperties"])
        XCTAssertEqual(transport.calls.count, 4)
        XCTAssertEqual(runtime.trackedCalls, 0, "finished calls are not kept")
        XCTAssertEqual(transport.authorizations.last, "Bearer t0k3n")
        XCTAssertEqual(model.state.session, .customer(matricula: "100013"))
    }

    /// The demonstration's examples without a touch screen (issue 32): Ctrl-E fills one, Enter
    /// logs in with it.
    func testCtrlEFillsTheDemonstrationsExample() async {
        start()
        await openKioskLogin()
        runtime.send(.key(.ctrl("e")))
        let text = screen().text
        // In the fields (the examples' own lines show the same numbers below them).
        let field = { (label: String) in text.split(separator: "\n").first { $0.contains(label) }.map(String.init) ?? "" }
        XCTAssertTrue(field("Matrícula:").contains("10001-3"), text)
        XCTAssertTrue(field("CPF/CNPJ:").contains("111.444.777-35"), text)
        runtime.send(.key(.enter))
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertEqual(model.state.session, .customer(matricula: "100013"))
    }

    func testDigitSwitchesToLinkedProperty() async {
        start()
        await loginAsMaria()
        transport.on("getProperty", Fixtures.paidProperty)
        runtime.send(.key(.char("1")))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("Imóvel 10002-1"), text)
        XCTAssertTrue(text.contains("Nenhum débito em aberto."))
    }

    func testLoginFailureShowsServerMessage() async {
        start()
        transport.on("getAuthPolicy", Fixtures.policy)
        transport.on(
            "loginCustomer", status: 429,
            Fixtures.error("too_many_attempts", "Muitas tentativas sem sucesso. Tente novamente em 15 minutos."))
        runtime.start()
        await runtime.settle()
        type("10001-3")
        runtime.send(.key(.tab))
        type("11144477735")
        runtime.send(.key(.enter))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("Muitas tentativas"), text)
        XCTAssertTrue(text.contains("Tente novamente em 15 minutos."))
        XCTAssertNil(model.state.session)
    }

    func testInvalidCPFIsNotSent() async {
        start()
        transport.on("getAuthPolicy", Fixtures.policy)
        runtime.start()
        await runtime.settle()
        type("10001-3")
        runtime.send(.key(.tab))
        type("111.444.777-36")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(screen().text.contains("dígitos verificadores não conferem"))
        XCTAssertEqual(transport.calls, ["getAuthPolicy"])
    }

    func testExpiredSessionReturnsToLogin() async {
        start()
        await loginAsMaria()
        transport.on("getProperty", status: 401, Fixtures.error("session_expired", "Sua sessão expirou. Faça login novamente."))
        transport.on("getLinkedProperties", status: 401, Fixtures.error("session_expired", "Sua sessão expirou. Faça login novamente."))
        transport.on("logout", status: 204, "")
        runtime.send(.key(.function(5)))  // refresh
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("Sua sessão expirou"), text)
        XCTAssertTrue(text.contains("Matrícula:"))
        XCTAssertNil(model.state.session)
        XCTAssertNil(model.state.token.token)
    }

    /// PRODUCT.md A7: warning with a countdown, then logout; a key in between keeps the session.
    func testIdleLogout() async {
        start(now: 1000)
        await loginAsMaria()
        transport.on("logout", status: 204, "")
        runtime.send(.tick(now: 1061))
        XCTAssertTrue(screen().text.contains("O atendimento será encerrado em 10 segundos."))
        runtime.send(.key(.down))  // still here
        runtime.send(.tick(now: 1075))
        XCTAssertFalse(screen().text.contains("Ainda está aí?"))
        runtime.send(.tick(now: 1125))
        XCTAssertTrue(screen().text.contains("Ainda está aí?"))
        runtime.send(.tick(now: 1136))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("Atendimento encerrado por inatividade."), text)
        XCTAssertFalse(text.contains("MARIA"))
        XCTAssertNil(model.state.session)
    }

    func testHelpIsGeneratedFromCommands() async {
        start()
        await loginAsMaria()
        runtime.send(.key(.function(1)))
        var text = screen().text
        XCTAssertTrue(text.contains("Ajuda — Imóvel 10001-3"), text)
        // In the bar's order, each with its bar label; scrolled to its end.
        XCTAssertTrue(text.contains("F1           Ajuda: Mostra esta ajuda"), text)
        runtime.send(.key(.pageDown))
        text += screen().text
        XCTAssertTrue(text.contains("Sair: Encerra o atendimento (logout)"), text)
        XCTAssertTrue(text.contains("Abre o outro imóvel de número 1 a 9"), text)
    }

    func testClickOnFunctionBarSendsItsKey() async {
        start()
        await loginAsMaria()
        let bar = screen().row(22)
        let column = bar.distance(of: "F1")
        runtime.send(.click(x: column ?? 0, y: 22))
        XCTAssertTrue(screen().text.contains("Ajuda — "))
        runtime.send(.key(.char("q")))
        // F6 Consumo, on the bar's second row; then the title bar's "Esc Voltar" goes back.
        transport.on("getConsumption", Fixtures.consumption(12))
        runtime.send(.click(x: (screen().row(23).distance(of: "F6 Consumo") ?? 0) + 4, y: 23))
        await runtime.settle()
        XCTAssertTrue(model.top is ConsumptionScreen, screen().text)
        XCTAssertTrue(screen().row(0).hasPrefix(" Esc Voltar"), screen().row(0))
        runtime.send(.click(x: 3, y: 0))
        XCTAssertTrue(model.top is HomeScreen)
        XCTAssertTrue(screen().row(0).hasPrefix(" Agência Virtual"), screen().row(0))
    }

    /// Esc while a call is in flight cancels it; the screen stops waiting and says so.
    func testEscCancelsARequestInFlight() async {
        start(mode: .counter)
        transport.on("getAuthPolicy", Fixtures.policy)
        transport.on(
            "loginStaff", status: 201,
            #"{"token":"s","expiresAt":"2026-11-23T20:00:00Z","kind":"staff","staff":{"usuario":"ana","nome":"Ana","papel":"atendente","unidade":"Centro"}}"#
        )
        transport.hang("searchCustomers")
        runtime.start()
        await runtime.settle()
        type("ana")
        runtime.send(.key(.enter))
        type("atende123")
        runtime.send(.key(.enter))
        await runtime.settle()
        type("silva")
        runtime.send(.key(.enter))
        XCTAssertTrue(screen().text.contains("Buscando…"))
        XCTAssertTrue(model.top.isBusy)
        runtime.send(.key(.escape))
        await runtime.settle(timeout: 5)
        let text = screen().text
        XCTAssertTrue(text.contains("Operação cancelada."), text)
        XCTAssertFalse(model.top.isBusy)
        XCTAssertTrue(text.contains("Buscar cliente"), "Esc cancelled, it did not leave the screen")
    }

    /// F10 without a session closes the program at a counter, never at a kiosk.
    func testF10QuitsOnlyOutsideKiosk() async {
        start(mode: .counter)
        transport.on("getAuthPolicy", Fixtures.policy)
        runtime.start()
        await runtime.settle()
        XCTAssertTrue(screen().row(23).contains("F10 Fechar"), screen().row(23))
        runtime.send(.key(.function(10)))
        XCTAssertTrue(runtime.quitRequested)
        start(mode: .kiosk)
        transport.on("getAuthPolicy", Fixtures.policy)
        runtime.start()
        await runtime.settle()
        runtime.send(.key(.function(10)))
        XCTAssertFalse(runtime.quitRequested)
        XCTAssertFalse(screen().row(23).contains("F10 Sair") || screen().row(23).contains("F10 Fechar"), "the slot is there, empty: \(screen().row(23))")
    }

    func testTooSmall() {
        start()
        let text = screen(width: 60, height: 20).text
        XCTAssertTrue(text.contains("Terminal muito pequeno"), text)
        XCTAssertTrue(text.contains("60×20"))
    }
}

extension String {
    func distance(of s: String) -> Int? {
        guard let r = range(of: s) else { return nil }
        return distance(from: startIndex, to: r.lowerBound)
    }
}

/// Issue 28.17: Enter on the kiosk's home opens nothing (it is the key the customer just used to
/// log in); F10 with unsent text asks first, and only the second F10 leaves.
final class LeavingTests: JourneyBase {
    func testEnterOnTheKioskHomeStaysHome() async {
        start()
        await loginAsMaria()
        let before = model.top.title
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertEqual(model.top.title, before)
        XCTAssertEqual(transport.count("getProperty"), 1, "no other property loaded")
        XCTAssertFalse(screen().text.contains("Trocar imóvel"), screen().text)
    }

    func testF10AsksBeforeDiscardingUnsentText() async {
        start()
        await loginAsMaria()
        transport.on("logout", status: 204, "")
        model.apply(.push(ReportProblemScreen(screen: "Início")))
        type("A impressora não imprimiu")
        runtime.send(.key(.function(10)))
        await runtime.settle()
        XCTAssertNotNil(model.state.session, "still logged in")
        XCTAssertTrue(screen().text.contains("F10 de novo sai e o descarta"), screen().text)
        runtime.send(.key(.char("x")))  // any other key stays, and types nothing
        XCTAssertFalse(screen().text.contains("imprimiu x") || screen().text.contains("imprimiux"), screen().text)
        XCTAssertNotNil(model.state.session)
        runtime.send(.key(.function(10)))
        runtime.send(.key(.function(10)))
        await runtime.settle()
        XCTAssertNil(model.state.session, "the second F10 leaves")
        // Nothing typed: F10 leaves at once.
        await loginAsMaria()
        runtime.send(.key(.function(10)))
        await runtime.settle()
        XCTAssertNil(model.state.session)
    }

    /// Every form a person fills at a counter or in the back office, half written: F10 asks
    /// first (a link, a phone, an e-mail, a new connection, a protocol's edit, an extension).
    func testF10AsksOnEveryHalfWrittenForm() async throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let detail = try decoder.decode(Calls.ProtocolDetail.self, from: Data(NothingCutTests.fixture("protocol").utf8))
        let forms: [(String, () -> any Screen, [Key])] = [
            ("vínculo", { CustomerRecordScreen(matricula: "100013") }, [.function(2), .char("5")]),
            ("e-mail", { EmailChangeScreen(matricula: "100013") }, [.char("m")]),
            ("ligação nova", { NewConnectionScreen() }, [.char("J")]),
            ("editar protocolo", { EditProtocolScreen(detail) }, [.down, .char("x")]),
            ("prorrogar", { ExtensionScreen(number: "2026000001") }, [.char("M")]),
        ]
        for (name, make, keys) in forms {
            start(mode: .counter)
            model.state.session = .staff(usuario: "carla", nome: "Carla", role: .supervisor, unit: "centro")
            transport.on("listPeople", #"{"items":[]}"#)
            transport.on(
                "listPropertylessServices",
                NothingCutTests.fixture("services").replacingOccurrences(of: "\"needsProperty\":true", with: "\"needsProperty\":false"))
            transport.on("getProtocolCatalogue", NothingCutTests.fixture("catalogue"))
            model.apply(.reset(make()))
            runtime.start()
            await runtime.settle()
            XCTAssertFalse(model.top.holdsTypedText, "\(name): nothing typed yet")
            for k in keys { runtime.send(.key(k)) }
            runtime.send(.key(.function(10)))
            await runtime.settle()
            XCTAssertNotNil(model.state.session, "\(name): still logged in")
            let said = screen().text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            XCTAssertTrue(said.contains("F10 de novo sai e o descarta"), "\(name): \(screen().text)")
        }
    }
}
