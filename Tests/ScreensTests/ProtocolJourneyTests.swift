import API
import Foundation
import TUI
import XCTest

@testable import Screens

/// The back office's queue, a protocol's history and its steps, and the public lookup, through
/// the real screens with the demo server's answers (`Fixtures/*.json`), at 80×24, nothing cut.
final class ProtocolJourneyTests: JourneyBase {
    static let staffSession =
        #"{"token":"s","expiresAt":"2026-11-23T20:00:00Z","kind":"staff","staff":{"usuario":"diego","nome":"Diego","papel":"backoffice","unidade":"comercial"}}"#

    func words(_ s: Surface) -> String {
        s.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    func noCuts(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for g in [Glyphs.unicode, .ascii] {
            let s = screen(glyphs: g)
            XCTAssertEqual(s.cuts, [], "\(what):\n\(s.text)", file: file, line: line)
        }
    }

    func loginToQueue(queue: String = NothingCutTests.fixture("queue")) async {
        start(mode: .staff)
        transport.on("getAuthPolicy", Fixtures.policy)
        transport.on("loginStaff", status: 201, Self.staffSession)
        transport.on("getQueue", queue)
        transport.on("getProtocol", NothingCutTests.fixture("protocol"))
        runtime.start()
        await runtime.settle()
        type("diego")
        runtime.send(.key(.enter))
        type("comercial123")
        runtime.send(.key(.enter))
        await runtime.settle()
    }

    func testStaffLandsInTheQueueAndWorksAProtocol() async {
        await loginToQueue(queue: NothingCutTests.fixture("queue").replacingOccurrences(of: "em_dia", with: "atrasado"))
        XCTAssertTrue(model.top is QueueScreen, "the staff mode's first screen")
        var text = words(screen())
        XCTAssertTrue(text.contains("Comercial: 0 abertos · 0 reabertos · 0 recebidos · 1 em andamento"), text)
        XCTAssertTrue(text.contains("2026/000001") && text.contains("ATRASADO"), text)
        let row = screen().text.split(separator: "\n").firstIndex { $0.contains("2026/000001") }!
        XCTAssertTrue(
            screen().roleMap.split(separator: "\n")[row].contains("S") || screen().roleMap.split(separator: "\n")[row].contains("L"))
        noCuts("fila")
        // Typing filters; nothing matches "vazamento".
        type("vazamento")
        XCTAssertTrue(words(screen()).contains("Nenhum protocolo com este filtro."))
        for _ in 0..<9 { runtime.send(.key(.backspace)) }
        // Enter opens it: the history, the private dispatch marked as such.
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(model.top is ProtocolScreen)
        text = words(screen())
        XCTAssertTrue(text.contains("2026/000001 · Revisão de conta"), text)
        XCTAssertTrue(text.contains("PRIVADO") && text.contains("público"), text)
        XCTAssertTrue(text.contains("Requerente: Maria Aparecida da Silva"), text)
        noCuts("protocolo")
        // Only what Diego (backoffice, comercial) may do to a protocol em andamento in Comercial.
        func enabled(_ n: Int) -> Bool { model.allCommands.first { $0.key == .function(n) }?.enabled ?? false }
        XCTAssertEqual([2, 3, 4, 6, 7].map(enabled), [false, true, true, true, false], "receive and reopen are not his to do now")

        // F3: a public dispatch written in the text area (accents, several lines).
        transport.on("addProtocolStep", NothingCutTests.fixture("protocol"))
        runtime.send(.key(.function(3)))
        await runtime.settle()
        XCTAssertTrue(model.top is StepScreen)
        XCTAssertTrue(words(screen()).contains("PRIVADO: só a equipe vê este texto"))
        type("Conferência marcada para amanhã.")
        runtime.send(.key(.enter))
        type("Técnico: João.")
        runtime.send(.key(.function(3)))
        XCTAssertTrue(words(screen()).contains("PÚBLICO: o requerente vê este texto"))
        noCuts("despacho")
        runtime.send(.key(.function(2)))
        await runtime.settle()
        let body = (try? JSONSerialization.jsonObject(with: Data(transport.lastBody("addProtocolStep").utf8))) as? [String: Any] ?? [:]
        XCTAssertEqual(body["text"] as? String, "Conferência marcada para amanhã.\nTécnico: João.")
        XCTAssertEqual(body["public"] as? Bool, true)
        XCTAssertEqual(body["action"] as? String, "dispatch")
        XCTAssertTrue(model.top is ProtocolScreen, "back to the protocol after sending")

        // F4: forward, choosing the unit with Tab.
        transport.on("getProtocolCatalogue", NothingCutTests.fixture("catalogue"))
        runtime.send(.key(.function(4)))
        await runtime.settle()
        let first = words(screen())
        runtime.send(.key(.tab))
        XCTAssertNotEqual(words(screen()), first, "Tab chose another unit")
        type("Para a Ouvidoria.")
        runtime.send(.key(.function(2)))
        await runtime.settle()
        XCTAssertTrue(transport.lastBody("addProtocolStep").contains("\"toUnit\""), transport.lastBody("addProtocolStep"))

        // F8: edit the subject; only what changed is sent.
        transport.on("addProtocolStep", NothingCutTests.fixture("protocol"))
        runtime.send(.key(.function(8)))
        await runtime.settle()
        XCTAssertTrue(model.top is EditProtocolScreen)
        noCuts("editar protocolo")
        runtime.send(.key(.down))
        for _ in 0..<40 { runtime.send(.key(.backspace)) }
        type("Consumo alto contestado")
        runtime.send(.key(.function(2)))
        await runtime.settle()
        let edit = (try? JSONSerialization.jsonObject(with: Data(transport.lastBody("addProtocolStep").utf8))) as? [String: Any] ?? [:]
        XCTAssertEqual(edit["action"] as? String, "edit")
        XCTAssertEqual(edit["subject"] as? String, "Consumo alto contestado")
        XCTAssertNil(edit["typeCode"], "the type did not change")
        XCTAssertTrue(model.top is ProtocolScreen)

        // A refusal from the server (someone concluded it meanwhile) is shown whole.
        transport.on(
            "addProtocolStep", status: 409,
            Fixtures.error("protocol_step_refused", "Este protocolo está concluído: reabra-o para movimentá-lo."))
        runtime.send(.key(.function(6)))
        await runtime.settle()
        type("Resposta final")
        runtime.send(.key(.function(2)))
        await runtime.settle()
        XCTAssertTrue(words(screen()).contains("Este protocolo está concluído: reabra-o para movimentá-lo."), words(screen()))
    }

    /// A customer's "Meus protocolos" (Serviços): the counter-opened protocol is there; it opens
    /// read-only (no step keys).
    func testCustomerSeesProtocolsOpenedElsewhere() async {
        start()
        transport.on("listBills", Fixtures.bills)
        await loginAsMaria()
        transport.on(
            "listPropertyProtocols",
            #"{"items":[{"number":"2026000001","formatted":"2026/000001","typeName":"Revisão de conta","subject":"Consumo alto na conta de outubro","situation":"em_andamento","unitName":"Comercial","openedAt":"2026-11-23T12:00:04Z"}]}"#
        )
        transport.on("getProtocol", NothingCutTests.fixture("lookup"))
        runtime.send(.key(.function(9)))
        type("protocolos")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(model.top is ProtocolsScreen, "\(Swift.type(of: model.top))")
        XCTAssertTrue(words(screen()).contains("2026/000001") && words(screen()).contains("Em andamento"), words(screen()))
        noCuts("meus protocolos")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(model.top is ProtocolScreen)
        XCTAssertFalse(model.allCommands.contains { $0.key == .function(3) }, "a customer does not dispatch")
        XCTAssertTrue(words(screen()).contains("Leitura conferida em campo"))
    }

    /// At the counter, for the customer on screen: the form comes prefilled, the type is found by
    /// typing, the text goes in the text area, F2 opens it and the number is said.
    func testCounterOpensAProtocolForTheCustomerOnScreen() async {
        let holder = Fixtures.longHolderProperty
        start(mode: .counter, root: { HomeScreen(matricula: "100013") })
        model.state.session = .staff(usuario: "ana", nome: "Ana")
        transport.on("getProperty", holder)
        transport.on("getLinkedProperties", Fixtures.linked)
        transport.on("getProtocolCatalogue", NothingCutTests.fixture("catalogue"))
        transport.on("createProtocol", status: 201, NothingCutTests.fixture("protocol"))
        transport.on("getProtocol", NothingCutTests.fixture("protocol"))
        runtime.start()
        await runtime.settle()
        runtime.send(.key(.function(9)))
        type("abrir protocolo")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(model.top is NewProtocolScreen, "\(Swift.type(of: model.top))")
        XCTAssertEqual((model.top as? NewProtocolScreen)?.form.value(3), "Maria Aparecida da Silva Albuquerque de Vasconcelos", "prefilled")
        XCTAssertEqual((model.top as? NewProtocolScreen)?.form.value(4), "111.444.777-35")
        type("vaza")
        XCTAssertTrue(words(screen()).contains("Vazamento: Vazamento na rede"), words(screen()))
        XCTAssertTrue(words(screen()).contains("→ Operação e Manutenção, prazo 2 dias"), words(screen()))
        runtime.send(.key(.down))
        type("Vazamento na calçada")
        runtime.send(.key(.tab))
        type("Água minando na calçada em frente ao número 120.")
        noCuts("abrir protocolo")
        runtime.send(.key(.function(2)))
        await runtime.settle()
        let body = (try? JSONSerialization.jsonObject(with: Data(transport.lastBody("createProtocol").utf8))) as? [String: Any] ?? [:]
        XCTAssertEqual(body["typeCode"] as? String, "vazamento")
        XCTAssertEqual(body["subject"] as? String, "Vazamento na calçada")
        XCTAssertEqual(body["text"] as? String, "Água minando na calçada em frente ao número 120.")
        XCTAssertEqual((body["requester"] as? [String: Any])?["kind"] as? String, "cliente")
        XCTAssertEqual((body["requester"] as? [String: Any])?["matricula"] as? String, "10001-3")
        XCTAssertTrue(model.top is ProtocolScreen)
        XCTAssertTrue(words(screen()).contains("Protocolo 2026/000001 aberto. Informe este número ao requerente."), words(screen()))
    }

    func testAnyoneLooksUpAProtocolWithoutLogin() async {
        start()
        transport.on("getAuthPolicy", Fixtures.policy)
        transport.on("lookupProtocol", NothingCutTests.fixture("lookup"))
        runtime.start()
        await runtime.settle()
        runtime.send(.key(.function(8)))
        XCTAssertTrue(model.top is ProtocolLookupScreen)
        type("2026/1")
        runtime.send(.key(.tab))
        type("111.444.777-35")
        runtime.send(.key(.enter))
        await runtime.settle()
        let text = words(screen())
        XCTAssertTrue(text.contains("2026/000001 · Revisão de conta") && text.contains("Leitura conferida em campo"), text)
        XCTAssertFalse(text.contains("Nota interna"), "no private text in the public lookup")
        noCuts("consulta de protocolo")
        // A typo in the number is caught before asking.
        runtime.send(.key(.tab))
        runtime.send(.key(.tab))
        for _ in 0..<6 { runtime.send(.key(.backspace)) }
        type("abc")
        runtime.send(.key(.enter))
        XCTAssertEqual(transport.count("lookupProtocol"), 1)
    }
}
