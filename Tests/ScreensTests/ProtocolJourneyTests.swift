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
        let queue = NothingCutTests.fixture("queue").replacingOccurrences(of: "em_dia", with: "atrasado")
            .replacingOccurrences(of: "\"em_andamento\" : 1", with: "\"em_andamento\" : 1, \"recebido\" : 2, \"aberto\" : 1")
        await loginToQueue(queue: queue)
        XCTAssertTrue(model.top is QueueScreen, "the staff mode's first screen")
        var text = words(screen())
        XCTAssertTrue(text.contains("Comercial: 1 aberto · 0 reabertos · 2 recebidos · 1 em andamento"), text)
        XCTAssertTrue(text.contains("2026/000001") && text.contains("ATRASADO"), text)
        let row = screen().text.split(separator: "\n").firstIndex { $0.contains("2026/000001") }!
        XCTAssertTrue(
            screen().roleMap.split(separator: "\n")[row].contains("S") || screen().roleMap.split(separator: "\n")[row].contains("L"))
        noCuts("fila")
        // Typing filters: the rows here at once, then the server over the whole queue (asked with the words).
        type("vazamento")
        XCTAssertTrue(words(screen()).contains("Buscando…"), words(screen()))
        await runtime.settle()
        XCTAssertTrue(transport.queries("getQueue").contains { $0.contains("q=vazamento") }, "\(transport.queries("getQueue"))")
        XCTAssertTrue(words(screen()).contains("Nenhum protocolo com este filtro."), words(screen()))
        let asked = transport.queries("getQueue").count
        for _ in 0..<9 { runtime.send(.key(.backspace)) }
        await runtime.settle()
        XCTAssertTrue(transport.queries("getQueue").dropFirst(asked).contains { !$0.contains("q=") }, "the filter erased: the whole queue")
        XCTAssertTrue(words(screen()).contains("2026/000001"), words(screen()))
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
        runtime.send(.key(.function(9)))
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

/// Attachments at the terminal: the picker over a real folder (refusals said at once, by
/// content), the file sent ahead and carried by the step, the protocol's files printed or saved.
final class AttachmentJourneyTests: JourneyBase {
    func testPickAttachSendAndSaveBack() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-picker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("digitalizados"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pdf = Data("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)
        try pdf.write(to: folder.appendingPathComponent("laudo.pdf"))
        try Data("planilha".utf8).write(to: folder.appendingPathComponent("custos.pdf"))
        try Data(count: 11 << 20).write(to: folder.appendingPathComponent("enorme.png"))
        try Data("oculto".utf8).write(to: folder.appendingPathComponent(".cache"))
        // Pinned times (writing 11 MiB takes long enough to reorder files written in one second).
        for (name, time) in [("custos.pdf", 1_700_000_300), ("enorme.png", 1_700_000_200), ("laudo.pdf", 1_700_000_000)] {
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: TimeInterval(time))], ofItemAtPath: folder.appendingPathComponent(name).path
            )
        }

        let saved = SavedFiles()
        start(mode: .staff)
        model.state.output = DocumentOutput(
            print: { _, _ in .failure(APIFailure(status: 0, code: "no_printer", message: "sem impressora")) },
            save: { data, name in
                saved.add(name, data)
                return .success("Arquivo salvo em /srv/\(name)")
            }, attachmentsDirectory: folder.path)
        model.state.session = .staff(usuario: "diego", nome: "Diego", role: .backoffice, unit: "comercial")
        transport.on("getProtocol", NothingCutTests.fixture("protocol"))
        transport.on("getProtocolCatalogue", NothingCutTests.fixture("catalogue"))
        model.apply(.reset(ProtocolScreen(number: "2026000001")))
        runtime.start()
        await runtime.settle()
        // The history lists each step's files.
        XCTAssertTrue(words(screen()).contains("Anexo: foto-hidrometro.png (PNG, 48 KiB)"), words(screen()))

        runtime.send(.key(.function(3)))
        await runtime.settle()
        XCTAssertTrue(words(screen()).contains("Sem anexos (F8 anexa um arquivo)."))
        runtime.send(.key(.function(8)))
        await runtime.settle()
        XCTAssertTrue(model.top is FilePickerScreen)
        let listed = screen().text.split(separator: "\n").map(String.init)
        let order = ["digitalizados/", "custos.pdf", "enorme.png", "laudo.pdf"].map { name in listed.firstIndex { $0.contains(name) } ?? -1
        }
        XCTAssertEqual(order, order.sorted(), "folders first, then newest first:\n\(screen().text)")
        XCTAssertFalse(screen().text.contains(".cache"), "hidden files are not listed")
        XCTAssertTrue(words(screen()).contains("PDF, PNG ou JPEG, até 10 MiB cada; 0 de 5 anexos neste trâmite."), words(screen()))
        noCuts("escolher arquivo")

        // Refused at once: a spreadsheet named .pdf (by content), a file over the limit (by size, unread).
        runtime.send(.key(.down))
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(
            words(screen()).contains("O arquivo custos.pdf não é PDF, PNG nem JPEG: só esses tipos podem ser anexados."), words(screen()))
        runtime.send(.key(.down))
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(words(screen()).contains("O arquivo enorme.png tem 11 MiB; o limite é 10 MiB por anexo."), words(screen()))
        XCTAssertTrue(transport.lastBody("uploadAttachment").isEmpty, "nothing was sent")
        // Into the folder and back up.
        runtime.send(.key(.home))
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(words(screen()).contains("Nenhum arquivo nesta pasta."), words(screen()))
        runtime.send(.key(.backspace))
        await runtime.settle()
        // The PDF is sent ahead; the step carries its id.
        transport.on("uploadAttachment", status: 201, #"{"id":41,"name":"laudo.pdf","mediaType":"application/pdf","size":\#(pdf.count)}"#)
        runtime.send(.key(.end))
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertEqual(transport.lastBody("uploadAttachment"), String(decoding: pdf, as: UTF8.self), "the file's bytes as they are")
        XCTAssertTrue(model.top is StepScreen, "back to the dispatch")
        XCTAssertTrue(words(screen()).contains("Anexos: laudo.pdf (PDF, \(pdf.count) bytes)"), words(screen()))
        noCuts("despacho com anexo")
        type("Laudo em anexo.")
        transport.on("addProtocolStep", NothingCutTests.fixture("protocol"))
        runtime.send(.key(.function(2)))
        await runtime.settle()
        let body = (try? JSONSerialization.jsonObject(with: Data(transport.lastBody("addProtocolStep").utf8))) as? [String: Any] ?? [:]
        XCTAssertEqual(body["attachments"] as? [Int], [41])

        // F8: the protocol's files; F6 saves the selected one under its name.
        XCTAssertTrue(model.top is ProtocolScreen)
        runtime.send(.key(.function(8)))
        await runtime.settle()
        XCTAssertTrue(model.top is AttachmentsScreen)
        XCTAssertTrue(words(screen()).contains("PRIVADO  foto-hidrometro.png (PNG, 48 KiB)"), words(screen()))
        noCuts("anexos do protocolo")
        // A name too long for its row is written whole below the list when selected.
        runtime.send(.key(.down))
        XCTAssertTrue(
            words(screen()).contains("laudo-da-vistoria-tecnica-no-imovel-da-rua-das-flores-numero-123.pdf (PDF, 2,4 MiB)"), screen().text)
        runtime.send(.key(.up))
        transport.on("getProtocolAttachment", "PNGDATA", contentType: "image/png")
        runtime.send(.key(.function(6)))
        await runtime.settle()
        XCTAssertTrue(words(screen()).contains("Arquivo salvo em /srv/foto-hidrometro.png"), words(screen()))
        XCTAssertEqual(saved.names, ["foto-hidrometro.png"])
    }

    func words(_ s: Surface) -> String {
        s.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    func noCuts(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for g in [Glyphs.unicode, .ascii] {
            XCTAssertEqual(screen(glyphs: g).cuts, [], "\(what):\n\(screen(glyphs: g).text)", file: file, line: line)
        }
    }
}

final class SavedFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ name: String, _ data: Data) { lock.withLock { list.append(name) } }
    var names: [String] { lock.withLock { list } }
}

/// Solicitar serviço with the demo server's answer for 10005-6 (cut connection, an overdue bill):
/// the reasons shown, a form from the type's fields, the confirmation with fee and data prevista,
/// the number — at 80×24, nothing cut.
final class ServiceRequestJourneyTests: JourneyBase {
    func words(_ s: Surface) -> String {
        s.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    func noCuts(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for g in [Glyphs.unicode, .ascii] {
            XCTAssertEqual(screen(glyphs: g).cuts, [], "\(what):\n\(screen(glyphs: g).text)", file: file, line: line)
        }
    }

    func testAskForAServiceSeeingFeeAndDataPrevista() async throws {
        start(mode: .kiosk)
        model.state.session = .customer(matricula: "100056")
        // As the server answers once a statement of the overdue bill is issued: the urgent religação open.
        var offers = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(NothingCutTests.fixture("services").utf8)) as? [String: Any])
        offers["items"] = (offers["items"] as? [[String: Any]] ?? []).map { o in
            guard o["code"] as? String == "religacao-urgente" else { return o }
            var open = o
            open["available"] = true
            open["reason"] = nil
            return open
        }
        transport.on("listServices", String(decoding: try JSONSerialization.data(withJSONObject: offers), as: UTF8.self))
        model.apply(.reset(ServiceCatalogueScreen(matricula: "100056")))
        runtime.start()
        await runtime.settle()
        let rows = screen().text.split(separator: "\n").map(String.init)
        XCTAssertTrue(rows.contains { $0.contains("Religação ") && $0.contains("indisponível") }, screen().text)
        XCTAssertTrue(rows.contains { $0.contains("Religação urgente") && $0.contains("R$ 60,00") }, screen().text)
        XCTAssertTrue(rows.contains { $0.contains("Vazamento") && $0.contains("sem taxa") }, screen().text)
        noCuts("serviços")
        let before = screen().text
        // Typing finds a service (accents aside, by its description too); Backspace gives the list back.
        type("religacao urg")
        let shown = screen().text
        XCTAssertTrue(shown.contains("Filtrar: religacao urg"), shown)
        XCTAssertTrue(shown.contains("Religação urgente") && !shown.contains("Vazamento"), shown)
        for _ in 0..<13 { runtime.send(.key(.backspace)) }
        type("xyz")
        XCTAssertTrue(words(screen()).contains("Nenhum serviço corresponde a “xyz”. Backspace apaga o filtro."), words(screen()))
        XCTAssertEqual(screen().spoken.filter { $0.hasPrefix("Nenhum serviço") }.count, 1, "said")
        for _ in 0..<3 { runtime.send(.key(.backspace)) }
        XCTAssertEqual(screen().text, before, "the whole list again")
        // Down to Religação: its reason, and Enter does nothing.
        let names = rows.compactMap { row in ["Religação urgente", "Religação "].first { row.contains($0) } }
        XCTAssertEqual(names.count, 2)
        while !words(screen()).contains("Religa o abastecimento de uma ligação cortada") { runtime.send(.key(.down)) }
        XCTAssertTrue(words(screen()).contains("Indisponível: Há 1 conta vencida: pague-as ou emita hoje"), words(screen()))
        noCuts("serviço indisponível")
        runtime.send(.key(.enter))
        XCTAssertTrue(model.top is ServiceCatalogueScreen, "an unavailable service opens nothing")
        // The urgent one, right below: fee in a payment document, 8 business hours.
        runtime.send(.key(.down))
        XCTAssertTrue(words(screen()).contains("Taxa: R$ 60,00 em documento de pagamento. Prazo: 8 horas úteis"), words(screen()))
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(model.top is ServiceFormScreen)
        runtime.send(.key(.function(2)))
        XCTAssertTrue(words(screen()).contains("Informe telefone para"), words(screen()))
        noCuts("formulário com problema")
        type("79 98888-2020")
        runtime.send(.key(.function(2)))
        let confirm = words(screen())
        XCTAssertTrue(confirm.contains("Telefone para contato: 79 98888-2020"), confirm)
        XCTAssertTrue(confirm.contains("Taxa: R$ 60,00 em documento de pagamento."), confirm)
        XCTAssertTrue(confirm.contains("Prazo: 8 horas úteis; previsto para"), confirm)
        noCuts("confirmação")
        transport.on(
            "requestService", status: 201,
            #"{"number":"2026000007","formatted":"2026/000007","typeName":"Religação urgente","unitName":"Operação e Manutenção","expectedAt":"2026-11-23T21:00:00Z","duplicate":false,"feeCents":6000,"feeOn":"documento"}"#
        )
        runtime.send(.key(.function(2)))
        await runtime.settle()
        let body = (try? JSONSerialization.jsonObject(with: Data(transport.lastBody("requestService").utf8))) as? [String: Any] ?? [:]
        XCTAssertEqual(body["typeCode"] as? String, "religacao-urgente")
        XCTAssertEqual(body["answers"] as? [String: String], ["telefone": "79 98888-2020"], "only what was typed")
        XCTAssertTrue(words(screen()).contains("Pedido aberto: protocolo 2026/000007 (Operação e Manutenção)."), words(screen()))
        noCuts("pedido aberto")
        // The same request already pending: said as such.
        transport.on(
            "requestService", status: 200,
            #"{"number":"2026000007","formatted":"2026/000007","typeName":"Religação urgente","unitName":"Operação e Manutenção","expectedAt":"2026-11-23T21:00:00Z","duplicate":true}"#
        )
        runtime.send(.key(.escape))
        await runtime.settle()
        runtime.send(.key(.enter))
        await runtime.settle()
        type("79 98888-2020")
        runtime.send(.key(.function(2)))
        runtime.send(.key(.function(2)))
        await runtime.settle()
        XCTAssertTrue(
            words(screen()).contains("Já existe um pedido de Religação urgente em andamento: protocolo 2026/000007"), words(screen()))
        noCuts("pedido já existente")
    }
}

/// F1 then F9 on any screen, logged in or not: a problem report with the screen and the terminal.
final class ProblemReportJourneyTests: JourneyBase {
    func testReportFromTheLoginScreensHelp() async throws {
        start(mode: .kiosk)
        model.state.terminalId = "quiosque-centro-2"
        transport.on("getAuthPolicy", Fixtures.policy)
        runtime.start()
        await runtime.settle()
        let screenTitle = model.top.title
        runtime.send(.key(.function(1)))
        XCTAssertTrue(screen().text.contains("R relata um problema desta tela à equipe de tecnologia."), screen().text)
        runtime.send(.key(.char("r")))
        XCTAssertTrue(model.top is ReportProblemScreen)
        let text = screen().text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        XCTAssertTrue(text.contains("Tela: \(screenTitle). Terminal: quiosque-centro-2."), text)
        for g in [Glyphs.unicode, .ascii] { XCTAssertEqual(screen(glyphs: g).cuts, [], screen(glyphs: g).text) }
        runtime.send(.key(.function(2)))
        XCTAssertTrue(screen().text.contains("Descreva o problema em poucas palavras."), "nothing typed, nothing sent")
        XCTAssertEqual(transport.count("reportProblem"), 0)
        type("A leitora de cartão não responde.")
        transport.on("reportProblem", status: 201, #"{"number":"2026000042","formatted":"2026/000042"}"#)
        runtime.send(.key(.function(2)))
        await runtime.settle()
        let body = (try? JSONSerialization.jsonObject(with: Data(transport.lastBody("reportProblem").utf8))) as? [String: Any] ?? [:]
        XCTAssertEqual(body["text"] as? String, "A leitora de cartão não responde.")
        XCTAssertEqual(body["screen"] as? String, screenTitle)
        XCTAssertEqual(body["terminal"] as? String, "quiosque-centro-2")
        XCTAssertEqual(body["mode"] as? String, "kiosk")
        XCTAssertTrue(screen().text.contains("protocolo 2026/000042"), screen().text)
        runtime.send(.key(.escape))
        XCTAssertEqual(model.top.title, screenTitle, "back where it came from")
    }
}
