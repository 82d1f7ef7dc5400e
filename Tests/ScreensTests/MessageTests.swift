import API
import Domain
import Foundation
import TUI
import XCTest

@testable import Screens

/// What a screen says on entry when it cannot help, before anything is typed, and messages that
/// used to mislead (issue 10).
final class MessageTests: JourneyBase {
    /// The whole screen as one line of words: a message wrapped over lines still reads whole.
    func words(_ s: Surface) -> String {
        s.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    func homeWith(property: String, linked: String = Fixtures.linked) async {
        start(mode: .counter, root: { HomeScreen(matricula: "100013") })
        model.state.session = .staff(usuario: "ana", nome: "Ana")
        transport.on("getProperty", property)
        transport.on("getLinkedProperties", linked)
        runtime.start()
        await runtime.settle()
    }

    func testInstallmentsSayOnEntryWhyNothingCanBeSimulated() async {
        // Nothing overdue (one bill still to come): said at once, no form to fill.
        await homeWith(property: Fixtures.property.replacingOccurrences(of: #""overdueCount":2"#, with: #""overdueCount":0"#))
        runtime.send(.key(.function(8)))
        await runtime.settle()
        var text = words(screen())
        XCTAssertTrue(text.contains("Não há débitos vencidos a negociar neste imóvel. As contas em aberto ainda não venceram"), text)
        XCTAssertFalse(text.contains("CPF/CNPJ"), "no form: \(text)")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertEqual(transport.count("simulateInstallments"), 0)
        // An agreement already running and nothing else overdue: said at once too.
        await homeWith(
            property: Fixtures.property.replacingOccurrences(of: #""inAgreementCount":0"#, with: #""inAgreementCount":6"#)
                .replacingOccurrences(of: #""overdueCount":2"#, with: #""overdueCount":0"#))
        runtime.send(.key(.function(8)))
        await runtime.settle()
        text = words(screen())
        XCTAssertTrue(text.contains("Já existe um parcelamento em andamento para este imóvel"), text)
        // With overdue bills and no agreement, the form.
        await homeWith(property: Fixtures.property)
        runtime.send(.key(.function(8)))
        await runtime.settle()
        XCTAssertTrue(words(screen()).contains("CPF/CNPJ"))
    }

    /// Issue 28.10: with e-mail off, the kiosk says so before an address is typed, and nothing
    /// typed goes anywhere; at a counter the address is recorded with the customer present, and
    /// nobody is said to have been told by e-mail.
    func testEmailChangeWithMailOff() async {
        start()
        await loginAsMaria()
        model.state.policy?.emailEnabled = false
        model.apply(.push(EmailChangeScreen(matricula: "100013")))
        _ = model.top.appear(app: model.state)
        await runtime.settle()
        var text = words(screen())
        XCTAssertTrue(text.contains("O envio de e-mails está desligado nesta agência"), text)
        XCTAssertFalse(text.contains("Novo e-mail:"), "no field to fill: \(text)")
        for c in "maria@example.com" { runtime.send(.key(.char(c))) }
        runtime.send(.key(.enter))
        runtime.send(.key(.function(2)))
        await runtime.settle()
        XCTAssertEqual(transport.count("startEmailChange"), 0)

        start(mode: .counter, root: { HomeScreen(matricula: "100013") })
        model.state.session = .staff(usuario: "ana", nome: "Ana")
        transport.on("getProperty", Fixtures.property)
        transport.on("getLinkedProperties", Fixtures.linked)
        runtime.start()
        await runtime.settle()
        model.state.policy = LoginPolicyInfo(
            policy: .matriculaDVDocumento, rule: .mod11, idleSeconds: 60, warningSeconds: 10, registrationHelp: "", emailEnabled: false,
            demoHints: [], demoStaff: [])
        model.apply(.push(EmailChangeScreen(matricula: "100013")))
        _ = model.top.appear(app: model.state)
        transport.on(
            "startEmailChange", status: 202, #"{"id":1,"to":"m***@example.com","status":"confirmado","expiresAt":"2026-11-23T13:30:00Z"}"#)
        await runtime.settle()
        text = words(screen())
        XCTAssertTrue(text.contains("registre o endereço com o cliente presente (F4)"), text)
        for c in "maria@example.com" { runtime.send(.key(.char(c))) }
        runtime.send(.key(.function(4)))
        await runtime.settle()
        text = words(screen())
        XCTAssertTrue(text.contains("ninguém foi avisado por e-mail"), text)
        XCTAssertFalse(text.contains("recebeu um aviso"), text)
    }

    func testEmailOffIsSaidOnEntryWithoutMentioningSavingAtAKiosk() async {
        start()
        transport.on("listBills", Fixtures.bills)
        await loginAsMaria()
        model.state.policy?.emailEnabled = false
        transport.on("getBill", Fixtures.billDetail)
        runtime.send(.key(.function(3)))
        await runtime.settle()
        runtime.send(.key(.enter))
        await runtime.settle()
        runtime.send(.key(.function(4)))
        await runtime.settle()
        let text = words(screen())
        XCTAssertTrue(text.contains("O envio por e-mail não está disponível neste atendimento: volte (Esc) e imprima o documento."), text)
        XCTAssertFalse(text.lowercased().contains("salve"), text)
        XCTAssertFalse(text.contains("E-mail: "), "no field to fill: \(text)")
    }

    func testSecondCopyWithNothingOpenSaysSo() async {
        await homeWith(property: Fixtures.paidProperty)
        transport.on(
            "listBills",
            #"{"asOf":"2026-11-23","items":[{"id":1,"competencia":"2026-10","dueOn":"2026-11-28","amountCents":100,"situacao":"em_revisao","consumptionM3":1,"estimated":false,"overdue":false},{"id":2,"competencia":"2026-09","dueOn":"2026-10-28","amountCents":100,"situacao":"paga","paidOn":"2026-10-20","consumptionM3":1,"estimated":false,"overdue":false}]}"#
        )
        runtime.send(.key(.function(3)))
        await runtime.settle()
        let text = words(screen())
        XCTAssertTrue(text.contains("Nenhuma conta em aberto neste imóvel: não há segunda via a emitir. 1 conta em revisão"), text)
    }

    func testLinkedPropertyUnderReviewIsNotSemDebitos() async {
        await homeWith(
            property: Fixtures.property,
            linked:
                #"{"items":[{"matricula":"100030","endereco":"Rua João Pessoa, 33","categoria":"comercial","openCount":0,"underReviewCount":1}]}"#
        )
        let text = screen().text
        XCTAssertTrue(text.contains("1 em revisão"), text)
        XCTAssertFalse(text.contains("sem débitos"), text)
    }

    /// The home's services are the bar's keys; a tap anywhere in a slot opens its service.
    func testTappingAServiceOnTheBarOpensIt() async {
        await homeWith(property: Fixtures.property)
        transport.on("listBills", Fixtures.bills)
        let bar = screen().row(22)
        let column = try! XCTUnwrap(bar.distance(of: "F2 Débitos"))
        runtime.send(.click(x: column + 12, y: 22))
        await runtime.settle()
        XCTAssertTrue(model.top is DebtsScreen, "\(Swift.type(of: model.top))")
    }

    func testCutConnectionSaysSinceWhenAndHomeLinesWrap() async {
        let cut = Fixtures.longHolderProperty
        await homeWith(property: cut)
        let text = words(screen())
        XCTAssertTrue(text.contains("Ligação: Suprimida desde 21/11/2026"), text)
        for whole in [
            "Titular: Maria Aparecida da Silva Albuquerque de Vasconcelos", "maria.aparecida.albuquerque@example.com", "(79) 99876-1234",
        ] {
            XCTAssertTrue(screen().text.contains(whole), "\(whole) cut: \(screen().text)")
        }
    }

    /// Débitos, the screen with the most keys a customer sees: at 80 columns each F-key is on the
    /// bar, and the help, scrolled to its end, names every key with its whole description.
    func testEveryKeyIsOnTheBarAndInTheHelp() async {
        start()
        transport.on("listBills", Fixtures.bills)
        await loginAsMaria()
        runtime.send(.key(.function(2)))
        await runtime.settle()
        // Every F-key of the screen is on the bar, in its slot (issue 28.16: none hidden at 80 columns).
        let bar = screen().row(22) + screen().row(23)
        for c in model.allCommands where c.enabled {
            if case .function = c.key { XCTAssertTrue(bar.contains("\(c.key.label) \(c.label)"), "\(c.label): \(bar)") }
        }
        runtime.send(.key(.function(1)))
        // The help's text without its box, runs of spaces as one: wrapped lines read whole.
        func helpText() -> String {
            words(screen()).replacingOccurrences(of: "│", with: " ").split(separator: " ").joined(separator: " ")
        }
        var seen = helpText()
        for _ in 0..<5 {
            runtime.send(.key(.pageDown))
            seen += " " + helpText()
        }
        for c in model.allCommands where c.enabled {
            XCTAssertTrue(seen.contains(c.key.label), "\(c.key.label) missing from the help")
            XCTAssertTrue(seen.contains(c.help), "\(c.help) cut in the help")
        }
        runtime.send(.key(.char("q")))
        XCTAssertFalse(words(screen()).contains("Ajuda — "), "any other key closes the help")
    }

    func testKeysDoNothingWhileTheTerminalIsTooSmall() async {
        start()
        transport.on("listBills", Fixtures.bills)
        await loginAsMaria()
        XCTAssertTrue(screen(width: 60, height: 20).text.contains("Terminal muito pequeno"))
        for key: Key in [.function(2), .function(10), .escape, .enter] { runtime.send(.key(key)) }
        runtime.send(.click(x: 1, y: 19))
        await runtime.settle()
        XCTAssertNotNil(model.state.session, "F10 did not log out behind the message")
        XCTAssertTrue(model.top is HomeScreen, "F2 did not open Débitos behind the message")
        // Back to 80×24, keys work again.
        XCTAssertTrue(screen().text.contains("DÉBITOS EM ABERTO"))
        runtime.send(.key(.function(2)))
        await runtime.settle()
        XCTAssertTrue(model.top is DebtsScreen)
    }

    func testUnderReviewBreakdownDoesNotSayNotOverdue() {
        let json =
            #"{"id":1,"competencia":"2026-10","dueOn":"2026-11-28","amountCents":100,"situacao":"em_revisao","consumptionM3":1,"estimated":false,"overdue":false}"#
        let bill = try! JSONDecoder().decode(Calls.Bill.self, from: Data(json.utf8))
        XCTAssertEqual(DebtsScreen.noCharges(bill), "Esta conta está em revisão: um pagamento com cartão aguarda a resposta da operadora.")
    }

    func testPrinterMessagesInPortuguese() {
        // The texts CUPS's lp prints (checked against the real lp in the end-to-end suite).
        XCTAssertTrue(PrinterMessages.failure("lp: Error - No default destination.").hasPrefix("não há impressora padrão"))
        XCTAssertTrue(PrinterMessages.failure("lp: Error - The printer or class does not exist.").hasPrefix("a impressora configurada"))
        XCTAssertTrue(
            PrinterMessages.failure("lp: Destination \"balcao1\" is not accepting jobs.").hasPrefix("a impressora está parada"))
        XCTAssertEqual(PrinterMessages.failure("algo novo"), "a impressora respondeu: algo novo")
        XCTAssertEqual(
            PrinterMessages.success("request id is balcao1-12 (1 file(s))"), "Documento enviado à impressora (pedido balcao1-12).")
    }
}

/// Issues 28.6 and 28.7: the queue's deadline column shows the server's day count and the hour
/// in the utility's zone (whatever zone set by the server's policy, never the terminal's).
final class DeadlineColumnTests: XCTestCase {
    override func tearDown() { LocalTime.use(zoneNamed: "America/Sao_Paulo") }

    func testDeadlineColumn() {
        LocalTime.use(zoneNamed: "America/Maceio")
        let deadline = ISO8601DateFormatter().date(from: "2026-12-02T02:30:00Z")!  // 01/12 23:30 in Maceió
        func item(_ state: Calls.QueueItem.DeadlineStatePayload, _ days: Int) -> Calls.QueueItem {
            Calls.QueueItem(
                number: "2026000001", formatted: "2026/000001", typeName: "Revisão de conta", subject: "x", situation: .aberto,
                unit: "comercial", openedAt: deadline, deadlineAt: deadline, unread: false, requesterName: "Maria",
                deadlineState: state, daysLeft: days)
        }
        XCTAssertEqual(QueueScreen.deadline(item(.atrasado, -2)).0, "ATRASADO há 2d")
        XCTAssertEqual(QueueScreen.deadline(item(.atrasado, 0)).0, "ATRASADO desde 23:30")
        XCTAssertEqual(QueueScreen.deadline(item(.proximo, 0)).0, "vence hoje 23:30")
        XCTAssertEqual(QueueScreen.deadline(item(.proximo, 1)).0, "vence 01/12 23:30")
        XCTAssertEqual(QueueScreen.deadline(item(.emDia, 12)).0, "até 01/12 (12d)")
        LocalTime.use(zoneNamed: "Asia/Tokyo")
        XCTAssertEqual(QueueScreen.deadline(item(.proximo, 1)).0, "vence 02/12 11:30", "the zone the server states")
    }
}

/// Issue 28.21: for ouvidoria staff and supervisors the alert never covers the screen's title.
final class TitleBarTests: JourneyBase {
    func testTheOuvidoriaAlertNeverCoversTheTitle() async {
        start(mode: .counter, root: { HomeScreen(matricula: "100013") })
        model.state.session = .staff(usuario: "carla", nome: "Carla", role: .supervisor, unit: "centro")
        transport.on("getProperty", Fixtures.property)
        transport.on("getLinkedProperties", Fixtures.linked)
        runtime.start()
        await runtime.settle()
        model.state.ouvidoria = .init(watching: true, unreceived: 12, overdue: 3)
        let title = screen().row(0)
        XCTAssertTrue(title.contains(model.top.title) || title.contains(String(model.top.title.prefix(20))), title)
        XCTAssertTrue(title.contains("10001-3"), "the property's number stays: \(title)")
        XCTAssertTrue(title.contains("12 novas") && title.contains("3"), title)
        XCTAssertTrue(title.contains("Supervisor: carla"), title)
        XCTAssertFalse(title.contains("100Ouv"), title)
    }
}

/// Issue 28.22: at 80 columns the counter's results keep the whole address (what tells the
/// Marias apart), on a line of its own.
final class CounterResultsTests: JourneyBase {
    func testAddressesAreWholeAt80Columns() async {
        start(mode: .counter, root: { CustomerSearchScreen() })
        model.state.session = .staff(usuario: "ana", nome: "Ana", role: .atendente, unit: "centro")
        transport.on("searchCustomers", NothingCutTests.fixture("search"))
        runtime.start()
        await runtime.settle()
        for c in "maria" { runtime.send(.key(.char(c))) }
        runtime.send(.key(.enter))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("Avenida Beira Mar, 2450 - Atalaia, Aracaju/SE"), text)
        XCTAssertTrue(text.contains("Rua Laranjeiras, 120 - Centro, Aracaju/SE"), text)
    }
}
