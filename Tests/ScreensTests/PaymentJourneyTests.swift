import API
import Foundation
import TUI
import XCTest

@testable import Screens

extension Fixtures {
    /// One bill in each situation (what the server sends for the demo data on 23/11/2026).
    static let bills = """
        {"asOf":"2026-11-23","items":[
         {"id":1000100,"competencia":"2026-10","dueOn":"2026-11-28","amountCents":11516,"situacao":"aberta","consumptionM3":13,"estimated":false,"overdue":false},
         {"id":1000101,"competencia":"2026-09","dueOn":"2026-10-28","amountCents":11516,"situacao":"aberta","consumptionM3":13,"estimated":true,"overdue":true,
          "updated":{"daysLate":26,"fineCents":230,"interestCents":100,"correctionCents":0,"totalCents":11846,"asOf":"2026-11-23"}},
         {"id":1000102,"competencia":"2026-08","dueOn":"2026-09-28","amountCents":14810,"situacao":"aberta","consumptionM3":18,"estimated":false,"overdue":true,
          "updated":{"daysLate":56,"fineCents":296,"interestCents":276,"correctionCents":80,"totalCents":15462,"asOf":"2026-11-23"}},
         {"id":1000103,"competencia":"2026-07","dueOn":"2026-08-28","amountCents":9320,"situacao":"em_revisao","consumptionM3":9,"estimated":false,"overdue":false},
         {"id":1000104,"competencia":"2026-06","dueOn":"2026-07-28","amountCents":10418,"situacao":"parcelada","consumptionM3":11,"estimated":false,"overdue":false},
         {"id":1000105,"competencia":"2026-05","dueOn":"2026-06-28","amountCents":11516,"situacao":"paga","consumptionM3":13,"estimated":false,"paidOn":"2026-06-25","overdue":false}
        ]}
        """
    static let billDetail = """
        {"bill":{"id":1000100,"competencia":"2026-10","dueOn":"2026-11-28","amountCents":11516,"situacao":"aberta","consumptionM3":13,"estimated":false,"overdue":false},
         "payment":{"barcode":"82690000001151601232026112810000000001000100","linhaDigitavel":"82690000001-7 15160123202-9 61128100000-4 00001000100-6",
          "pix":"00020126360014br.gov.bcb.pix0114123456780001955204000053039865406115.165802BR5923COMPANHIA DE SANEAMENTO6007ARACAJU62140510AVC100010063048783",
          "dueOn":"2026-11-28","totalCents":11516}}
        """
    static let statement = """
        {"id":1,"matricula":"100013","issuedOn":"2026-11-23",
         "lines":[{"billId":1000102,"competencia":"2026-08","dueOn":"2026-09-28","amountCents":14810,
                   "charges":{"daysLate":59,"fineCents":296,"interestCents":291,"correctionCents":80,"totalCents":15477,"asOf":"2026-11-26"}},
                  {"billId":1000101,"competencia":"2026-09","dueOn":"2026-10-28","amountCents":11516,
                   "charges":{"daysLate":29,"fineCents":230,"interestCents":111,"correctionCents":0,"totalCents":11857,"asOf":"2026-11-26"}}],
         "payment":{"barcode":"82670000002733401232026112620000000000000001","linhaDigitavel":"82670000002-7 73340123202-6 61126200000-7 00000000001-8",
          "pix":"00020126360014br.gov.bcb.pix0114123456780001955204000053039865406273.345802BR5923COMPANHIA DE SANEAMENTO6007ARACAJU62080504AVE163049A9E",
          "dueOn":"2026-11-26","totalCents":27334}}
        """
    static let companies = """
        {"items":[{"id":"sandbox","nome":"Operadora Sandbox (teste — nada é cobrado)","feeBasisPoints":299,"sandbox":true}]}
        """
}

/// Journeys through Débitos, statements, second copy, card payment and e-mail (issue 3).
final class PaymentJourneyTests: JourneyBase {
    /// Débitos of Maria's property: through the kiosk login, or at a counter with an attendant
    /// already serving her (the home screen on top).
    func openDebts(mode: TerminalMode = .kiosk, output: DocumentOutput = .none) async {
        if mode == .kiosk {
            start(mode: mode)
            model.state.output = output
            transport.on("listBills", Fixtures.bills)
            await loginAsMaria()
        } else {
            start(mode: mode, root: { HomeScreen(matricula: "100013") })
            model.state.output = output
            model.state.session = .staff(usuario: "ana", nome: "Ana")
            transport.on("getProperty", Fixtures.property)
            transport.on("getLinkedProperties", Fixtures.linked)
            transport.on("listBills", Fixtures.bills)
            runtime.start()
            await runtime.settle()
        }
        runtime.send(.key(.function(2)))
        await runtime.settle()
    }

    func testDebtsShowEverySituationAndTheSelectedTotal() async {
        await openDebts()
        var text = screen().text
        XCTAssertTrue(text.contains("A vencer"), text)
        XCTAssertTrue(text.contains("Vencida em 28/10"), "the date, not a count of days (issue 28.8)")
        XCTAssertTrue(text.contains("Em revisão (cartão)"))
        XCTAssertTrue(text.contains("Parcelada"))
        XCTAssertTrue(text.contains("Paga em 25/06/2026"))
        XCTAssertTrue(text.contains("Total selecionado (com multa e juros até hoje): R$ 0,00 (0 contas)"))
        // Space on the first (open, not due) bill.
        runtime.send(.key(.char(" ")))
        XCTAssertTrue(screen().text.contains("Total selecionado (com multa e juros até hoje): R$ 115,16 (1 conta)"))
        // A bill under review cannot be selected, and says why.
        for _ in 0..<3 { runtime.send(.key(.down)) }
        runtime.send(.key(.char(" ")))
        text = screen().text
        XCTAssertTrue(text.contains("não pode ser selecionada"), text)
        XCTAssertTrue(text.contains("(1 conta)"))
        // F7 selects every overdue bill: their updated values count.
        runtime.send(.key(.function(7)))
        XCTAssertTrue(screen().text.contains("Total selecionado (com multa e juros até hoje): R$ 388,24 (3 contas)"), screen().text)
        // F3: the breakdown of the overdue bill under the cursor.
        runtime.send(.key(.up))
        runtime.send(.key(.function(3)))
        text = screen().text
        XCTAssertTrue(text.contains("multa R$ 2,96 + juros R$ 2,76 (56 dias) + correção R$ 0,80"), text)
        // The roles: paid and under-review rows are coloured (and labelled) apart.
        let s = screen(width: 100, height: 30)
        let map = s.roleMap.split(separator: "\n")
        let rows = s.text.split(separator: "\n", omittingEmptySubsequences: false)
        let paidRow = rows.firstIndex { $0.contains("Paga em") }!
        let reviewRow = rows.firstIndex { $0.contains("Em revisão") }!
        XCTAssertTrue(map[paidRow].contains("p"))
        XCTAssertTrue(map[reviewRow].contains("r"))
    }

    func testStatementIsCreatedOnceAndPrinted() async {
        let printed = Locked<[Data]>([])
        let output = DocumentOutput(
            print: { data, _ in
                printed.mutate { $0.append(data) }
                return .success("Documento enviado à impressora.")
            }, save: { _, _ in .success("") })
        await openDebts(output: output)
        transport.on("createStatement", status: 201, Fixtures.statement)
        transport.on("getStatementPDF", "%PDF-1.5 fake", contentType: "application/pdf")
        runtime.send(.key(.function(2)))
        XCTAssertTrue(screen().text.contains("Marque ao menos uma conta"))
        runtime.send(.key(.function(7)))
        runtime.send(.key(.function(2)))
        await runtime.settle()
        var text = screen(width: 100, height: 30).text
        XCTAssertTrue(text.contains("Extrato de débitos nº 1"), text)
        XCTAssertTrue(text.contains("82670000002-7 73340123202-6 61126200000-7 00000000001-8"))
        XCTAssertTrue(text.contains("R$ 273,34"))
        XCTAssertTrue(text.contains("Inclui R$ 10,08 de multa, juros e correção"))
        XCTAssertEqual(transport.count("createStatement"), 1)
        // A kiosk does not save files.
        XCTAssertFalse(model.allCommands.contains { $0.key == .function(6) })
        runtime.send(.key(.function(3)))
        await runtime.settle()
        text = screen().text
        XCTAssertTrue(text.contains("Documento enviado à impressora."), text)
        XCTAssertEqual(printed.value.first.map { String(decoding: $0, as: UTF8.self) }, "%PDF-1.5 fake")
    }

    /// F2 again for the same bills on the same day: the server answers 200 with the statement
    /// already issued, and the screen says so (whole, at 80 columns).
    func testStatementAlreadyIssuedTodayIsSaid() async {
        await openDebts()
        transport.on("createStatement", status: 200, Fixtures.statement)
        runtime.send(.key(.function(7)))
        runtime.send(.key(.function(2)))
        await runtime.settle()
        let text = screen().text
        XCTAssertTrue(text.contains("Extrato de débitos nº 1"), text)
        let said = text.split(separator: "\n").suffix(4).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        XCTAssertTrue(
            said.contains("Já há um extrato destas contas emitido hoje e ainda válido: é este, com o mesmo código de barras."), text)
    }

    func testPrinterErrorIsShown() async {
        let output = DocumentOutput(
            print: { _, _ in .failure(APIFailure(status: 0, code: "print_failed", message: "lp: Error - No default destination.")) },
            save: { _, _ in .success("PDF salvo em /tmp/x.pdf") })
        await openDebts(mode: .counter, output: output)
        transport.on("getBill", Fixtures.billDetail)
        transport.on("getBillPDF", "%PDF-1.5 fake", contentType: "application/pdf")
        runtime.send(.key(.enter))
        await runtime.settle()
        runtime.send(.key(.function(3)))
        await runtime.settle()
        let said = screen().text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        XCTAssertTrue(said.contains("Não foi possível imprimir: lp: Error - No default destination."), screen().text)
        // At a counter the attendant can save the PDF.
        runtime.send(.key(.function(6)))
        await runtime.settle()
        XCTAssertTrue(screen().text.contains("PDF salvo em /tmp/x.pdf"))
    }

    func testCardPaymentShowsFeeBeforeConfirming() async {
        await openDebts()
        transport.on("listCardCompanies", Fixtures.companies)
        transport.on(
            "createCardPayment", status: 201,
            #"{"id":7,"companyId":"sandbox","companyName":"Operadora Sandbox (teste — nada é cobrado)","status":"pendente","amountCents":27308,"feeCents":817,"totalCents":28125,"instructions":"Transação SBX-000001 aguardando a confirmação da operadora.","expiresAt":"2026-11-23T13:30:00Z","billIds":[1000101,1000102],"reference":"AV-CP-7"}"#
        )
        runtime.send(.key(.function(7)))
        runtime.send(.key(.function(6)))
        await runtime.settle()
        (model.top as? CardPaymentScreen)?.followSeconds = 0.05
        XCTAssertTrue(screen().text.contains("taxa 2,99 %"), screen().text)
        runtime.send(.key(.enter))
        var text = screen().text
        XCTAssertTrue(text.contains("Taxa da operadora: R$ 8,17 (2,99 %)"), text)
        XCTAssertTrue(text.contains("Total no cartão:   R$ 281,25"))
        XCTAssertEqual(transport.count("createCardPayment"), 0, "nothing is sent before confirming")
        runtime.send(.key(.enter))
        await runtime.settle()
        text = screen().text
        XCTAssertTrue(text.contains("Aguardando a resposta da operadora. Esta tela se atualiza sozinha"), text)
        XCTAssertTrue(text.contains("SBX-000001"))
        XCTAssertFalse(text.contains("aprovado"), text)
        // The screen follows the payment by itself: the company approves, the screen says so
        // with the receipt's references, and the "waiting" instructions are gone.
        transport.on(
            "getCardPayment",
            #"{"id":7,"companyId":"sandbox","companyName":"Operadora Sandbox (teste — nada é cobrado)","status":"aprovado","amountCents":27308,"feeCents":817,"totalCents":28125,"instructions":"Transação SBX-000001 aguardando a confirmação da operadora.","expiresAt":"2026-11-23T13:30:00Z","billIds":[1000101,1000102],"reference":"AV-CP-7","companyReference":"SBX-000001","decidedAt":"2026-11-23T13:05:00Z"}"#
        )
        for _ in 0..<200 where !screen().text.contains("aprovado") {
            runtime.drain()
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        text = screen().text
        XCTAssertTrue(text.contains("Pagamento aprovado pela operadora em 23/11/2026"), text)
        XCTAssertTrue(text.contains("Comprovante: referência AV-CP-7 · operadora SBX-000001"), text)
        XCTAssertFalse(text.contains("aguardando"), text)
        XCTAssertFalse(text.contains("Esta tela se atualiza sozinha"), text)
        let checks = transport.count("getCardPayment")
        try? await Task.sleep(nanoseconds: 200_000_000)
        runtime.drain()
        XCTAssertEqual(transport.count("getCardPayment"), checks, "a decided payment is not followed any more")
        // Back to Débitos: the list is loaded again (the bills are now under review).
        let before = transport.count("listBills")
        runtime.send(.key(.escape))
        await runtime.settle()
        XCTAssertEqual(transport.count("listBills"), before + 1)
    }

    func testEmailToTypedAddress() async {
        await openDebts(mode: .counter)
        transport.on("getBill", Fixtures.billDetail)
        transport.on("requestEmail", status: 202, #"{"id":3,"to":"cliente@example.com","status":"pendente"}"#)
        runtime.send(.key(.enter))
        await runtime.settle()
        runtime.send(.key(.function(4)))
        type("cliente@")
        runtime.send(.key(.enter))
        XCTAssertTrue(screen().text.contains("Endereço de e-mail inválido"))
        XCTAssertEqual(transport.count("requestEmail"), 0)
        type("example.com")
        runtime.send(.key(.enter))
        await runtime.settle()
        XCTAssertTrue(screen().text.contains("o documento será enviado para cliente@example.com"), screen().text)
    }
}

/// A value shared with `@Sendable` closures in tests.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T { lock.withLock { _value } }
    func mutate(_ f: (inout T) -> Void) { lock.withLock { f(&_value) } }
}
