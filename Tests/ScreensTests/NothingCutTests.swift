import API
import Foundation
import TUI
import XCTest

@testable import Screens

/// Every screen, in each of its states, at 80×24 (Unicode and ASCII): no text is cut at the
/// right or below (`Surface.cuts`). Data is what the demo server answers (`Fixtures/*.json`,
/// captured from `agencia-server --seed demo`), with names and texts lengthened where a real
/// customer's can be longer.
final class NothingCutTests: JourneyBase {
    static func fixture(_ name: String) -> String {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).json")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? "{}"
    }

    var checked: [String] = []
    /// Every command table met on the walks, by screen (its type) in the order first seen: the
    /// source of `docs/KEYS.md`'s screen-by-screen part.
    var tables: [(screen: String, name: String, commands: [Command])] = []

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let type = String(describing: Swift.type(of: model.top))
        if let i = tables.firstIndex(where: { $0.screen == type }) {
            for c in model.allCommands where !tables[i].commands.contains(where: { $0.key == c.key && $0.label == c.label }) {
                tables[i].commands.append(c)
            }
        } else {
            tables.append((type, KeysDocument.name(ofTitle: model.top.title), model.allCommands))
        }
        for glyphs in [Glyphs.unicode, .ascii] {
            var s = Surface(width: 80, height: 24, glyphs: glyphs)
            model.render(&s)
            XCTAssertEqual(s.cuts, [], "\(name) (\(glyphs.unicodeText ? "unicode" : "ascii")):\n\(s.text)", file: file, line: line)
        }
        XCTAssertEqual(KeyMap.problems(model.allCommands), [], name, file: file, line: line)
        checked.append(name)
    }

    /// Each key as a person types it: after the screen settled from the previous one.
    func press(_ keys: Key...) async {
        for k in keys {
            runtime.send(.key(k))
            await runtime.settle()
        }
    }

    func testKioskScreens() async {
        checked = []
        start()
        runtime.start()
        transport.on("getAuthPolicy", Fixtures.policy)
        await runtime.settle()
        check("login")
        transport.on("listTariffs", Self.fixture("tariffs"))
        await press(.function(6))
        check("tarifas")
        await press(.escape)
        transport.on("simulateBill", Fixtures.simulation)
        await press(.function(7))
        check("simular conta")
        for c in "16" { runtime.send(.key(.char(c))) }
        await press(.enter)
        check("simular conta: resultado")
        await press(.escape)

        transport.on("listBills", Fixtures.bills)
        await loginAsMaria()
        check("início")
        await press(.function(1))
        check("ajuda")
        await press(.char("q"))
        await press(.function(9))
        check("serviços")
        await press(.escape)

        await press(.function(2))
        check("débitos")
        await press(.function(3))
        check("débitos: encargos")
        for _ in 0..<3 { runtime.send(.key(.down)) }
        await press(.char(" "))
        check("débitos: conta em revisão não selecionável")
        transport.on("listCardCompanies", Fixtures.companies)
        await press(.up, .up, .char(" "), .function(6))
        check("cartão: operadoras")
        await press(.enter)
        check("cartão: confirmar")
        let card =
            #"{"id":7,"companyId":"sandbox","companyName":"Operadora Sandbox (teste — nada é cobrado)","status":"STATUS","amountCents":27308,"feeCents":817,"totalCents":28125,"instructions":"Transação SBX-000001 aguardando a confirmação da operadora.","expiresAt":"2026-11-23T13:30:00Z","billIds":[1000101,1000102],"reference":"AV-CP-7","companyReference":"SBX-000001","decidedAt":"2026-11-23T13:05:00Z"}"#
        for status in ["pendente", "aprovado", "recusado", "expirado"] {
            transport.on("createCardPayment", status: 201, card.replacingOccurrences(of: "STATUS", with: status))
            (model.top as? CardPaymentScreen)?.payment = nil
            await press(.enter)
            check("cartão: \(status)")
        }
        await press(.escape)

        transport.on("createStatement", status: 200, Fixtures.statement)
        await press(.function(4))
        check("extrato já emitido hoje")
        await press(.escape, .escape)

        transport.on("getBill", Fixtures.billDetail)
        await press(.function(3))
        check("2ª via: lista")
        await press(.enter)
        check("2ª via: documento")
        await press(.function(7))
        check("QR em tela cheia")
        await press(.escape)
        model.state.policy?.emailEnabled = false
        await press(.function(4))
        check("e-mail indisponível")
        await press(.escape, .escape, .escape)

        transport.on("listPayments", Self.fixture("payments"))
        await press(.function(4))
        check("pagamentos")
        await press(.escape)
        transport.on("getConsumption", Fixtures.consumption(24))
        await press(.function(6))
        check("consumo: gráfico")
        await press(.function(3))
        check("consumo: tabela")
        await press(.escape)
        transport.on("getDueDate", Fixtures.dueDate)
        await press(.function(7))
        check("vencimento")
        await press(.escape)
        transport.on("simulateInstallments", Self.fixture("inst"))
        await press(.function(8))
        check("parcelamento")
        for c in "111.444.777-35" { runtime.send(.key(.char(c))) }
        await press(.tab)
        for c in "50,00" { runtime.send(.key(.char(c))) }
        await press(.tab)
        for c in "6" { runtime.send(.key(.char(c))) }
        await press(.enter)
        check("parcelamento: resultado")
        XCTAssertEqual(checked.count, 27, "every state above was reached: \(checked)")
    }

    func testCounterScreens() async {
        checked = []
        start(mode: .counter)
        runtime.start()
        await runtime.settle()
        check("login da equipe")
        model.state.session = .staff(usuario: "ana", nome: "Ana")
        model.apply(.reset(CustomerSearchScreen()))
        transport.on("searchCustomers", Self.fixture("search"))
        for c in "maria" { runtime.send(.key(.char(c))) }
        await press(.enter)
        check("busca: resultados")
        let long = Fixtures.longHolderProperty
        transport.on("getProperty", long)
        transport.on("getLinkedProperties", Fixtures.linked)
        model.apply(.push(HomeScreen(matricula: "100013")))
        runtime.start()
        await runtime.settle()
        check("início no balcão (titular com nome longo)")
    }

    /// Issue 12's screens: the ouvidoria (types, identified form, anonymous receipt with its
    /// secret), the e-mail change, the counter's customer record and contact history, ligação nova.
    func testServiceAndRecordScreens() async {
        checked = []
        start()
        runtime.start()
        transport.on("getAuthPolicy", Fixtures.policy)
        await runtime.settle()
        transport.on(
            "getOuvidoria",
            #"{"deadlineDays":30,"extensionDays":30,"types":[{"code":"denuncia","name":"Denúncia","description":"Irregularidade ou ato ilícito: fraude, ligação clandestina, conduta de empregado (Ouvidoria).","anonymous":true},{"code":"elogio","name":"Elogio","description":"Reconhecimento de um atendimento ou serviço (Ouvidoria).","anonymous":false},{"code":"reclamacao","name":"Reclamação","description":"Insatisfação com o atendimento ou o serviço, depois de procurado o atendimento (Ouvidoria).","anonymous":false},{"code":"solicitacao-ouvidoria","name":"Solicitação à Ouvidoria","description":"Pedido de providência não atendido pelos canais comuns (Ouvidoria).","anonymous":false},{"code":"sugestao","name":"Sugestão","description":"Ideia para melhorar o serviço (Ouvidoria).","anonymous":false},{"code":"ouvidoria-outros","name":"Outros (Ouvidoria)","description":"Manifestação que não se encaixa nos demais tipos (Ouvidoria).","anonymous":false}]}"#
        )
        await press(.function(3))
        check("ouvidoria: tipos")
        await press(.enter)
        check("ouvidoria: identificação")
        await press(.function(4))
        type(String(repeating: "Ligação clandestina na rua de trás, perto do posto de saúde. ", count: 4))
        check("ouvidoria: anônima")
        transport.on(
            "createManifestation", status: 201,
            #"{"number":"2026000123","formatted":"2026/000123","typeName":"Denúncia","deadlineOn":"2026-12-23","secret":"K7QF-M2XD-9PRA"}"#)
        await press(.function(2))
        check("ouvidoria: registrada com código secreto")
        XCTAssertTrue(screen().text.contains("Código secreto: K7QF-M2XD-9PRA"), screen().text)
        await press(.escape)

        transport.on("listBills", Fixtures.bills)
        await loginAsMaria()
        model.apply(.push(EmailChangeScreen(matricula: "100013")))
        type("maria.aparecida.da.silva.nova.caixa@provedor-de-exemplo.com.br")
        check("e-mail: novo endereço")
        transport.on(
            "startEmailChange", status: 202,
            #"{"id":4,"to":"m***@provedor-de-exemplo.com.br","status":"pendente","expiresAt":"2026-11-23T13:15:00Z"}"#)
        await press(.function(2))
        check("e-mail: código")

        start(mode: .counter)
        model.state.session = .staff(usuario: "ana", nome: "Ana", role: .atendente, unit: "centro")
        transport.on(
            "listPeople",
            #"{"items":[{"documento":"111.444.777-35","nome":"Maria Aparecida da Conceição Albuquerque de Oliveira Santos","papel":"titular","email":"maria.aparecida.da.silva@provedor-de-exemplo.com.br","telefone":"(79) 99876-1234"},{"documento":"12.ABC.345/01DE-35","nome":"Condomínio Residencial Jardim das Mangabeiras Sociedade Ltda","papel":"responsavel_financeiro","since":"2026-11-23T13:00:00Z"}]}"#
        )
        model.apply(.reset(CustomerRecordScreen(matricula: "100013")))
        runtime.start()
        await runtime.settle()
        check("cadastro: pessoas")
        XCTAssertTrue(screen().text.contains("resp. financeiro"), screen().text)
        await press(.function(2))
        check("cadastro: vincular")
        model.apply(.pop)
        transport.on(
            "getContactHistory",
            #"{"items":[{"at":"2026-11-23T13:00:00Z","kind":"protocolo","title":"Pedido de serviço 2026/000045 — Atualização do CPF/CNPJ do titular","detail":"Atualização do CPF/CNPJ do titular · Aberto","channel":"counter","unit":"Comercial","staff":"ana"},{"at":"2026-11-20T13:00:00Z","kind":"email","title":"E-mail: andamento de protocolo","detail":"para m***@provedor-de-exemplo.com.br · enviado"},{"at":"2026-11-10T15:00:00Z","kind":"pagamento","title":"Pagamento da conta 10/2026","detail":"R$ 87,12","channel":"pix"}]}"#
        )
        model.apply(.reset(ContactHistoryScreen(matricula: "100013")))
        runtime.start()
        await runtime.settle()
        check("cadastro: histórico")
        XCTAssertTrue(screen().text.contains("por ana"), screen().text)
        transport.on(
            "listPropertylessServices",
            Self.fixture("services").replacingOccurrences(of: "\"needsProperty\":true", with: "\"needsProperty\":false"))
        model.apply(.reset(NewConnectionScreen()))
        runtime.start()
        await runtime.settle()
        check("ligação nova: formulário")
        XCTAssertTrue(screen().text.contains("CEP"), screen().text)
        // Signing an agreement: the terms, then the installments signed.
        let simulation = try? JSONDecoder().decode(Calls.InstallmentSimulation.self, from: Data(Self.fixture("inst").utf8))
        XCTAssertNotNil(simulation)
        if let simulation {
            model.apply(.reset(AgreementSignScreen(matricula: "100013", documento: "11144477735", simulation: simulation)))
            runtime.start()
            check("acordo: termos")
            let installments = (0...6).map { #"{"seq":\#($0),"dueOn":"2026-12-10","amountCents":17255}"# }.joined(separator: ",")
            transport.on(
                "createAgreement", status: 201,
                #"{"id":12,"kind":"comum","status":"ativo","debtCents":100000,"downPaymentCents":20000,"count":6,"monthlyRateBasisPoints":100,"signedOn":"2026-11-23","channel":"counter","bills":[],"installments":[\#(installments)]}"#
            )
            await press(.function(2))
            check("acordo: assinado")
            XCTAssertTrue(screen().text.contains("Acordo nº 12 assinado"), screen().text)
        }
        XCTAssertEqual(checked.count, 12, "every state above was reached: \(checked)")
    }

    /// The back office and supervision: the queue, a protocol and each of its steps, the files,
    /// the audit trail, the lockouts, a certidão verified and revoked.
    func testStaffScreens() async {
        checked = []
        start(mode: .staff)
        model.state.session = .staff(usuario: "sara", nome: "Sara", role: .supervisor, unit: "comercial")
        model.state.ouvidoria = .init(watching: true, unreceived: 0, overdue: 1)
        transport.on("getOuvidoriaOverdue", #"{"items":[]}"#)
        transport.on("getQueue", Self.fixture("queue"))
        transport.on("getProtocol", Self.fixture("protocol"))
        transport.on("getProtocolCatalogue", Self.fixture("catalogue"))
        model.apply(.reset(QueueScreen()))
        runtime.start()
        await runtime.settle()
        check("fila de trabalho")
        await press(.enter)
        check("protocolo (equipe)")
        for (key, name) in [(3, "despacho"), (4, "encaminhar"), (6, "concluir"), (9, "editar protocolo"), (8, "anexos do protocolo")] {
            await press(.function(key))
            check(name)
            await press(.escape)
        }
        await press(.escape)
        await press(.function(7))
        check("ouvidoria: atrasos")
        await press(.escape)
        transport.on("listAudit", #"{"items":[]}"#)
        transport.on("listLoginLocks", #"{"items":[]}"#)
        await press(.function(4))
        check("auditoria")
        await press(.function(6))
        check("bloqueios")
        await press(.escape)
        transport.on(
            "listIntegrationDeliveries",
            #"{"webhooks":[{"name":"gsan","pending":14,"parked":1}],"items":[{"webhook":"gsan","eventId":48213,"protocol":"2026/004512","type":"protocolo.criado","state":"parado","attempts":12,"lastStatus":500,"lastError":"HTTP 500: {\"erro\": \"tipo de serviço falta-agua sem correspondência no cadastro de serviços do GSAN (step_id)\"}","nextAt":"2026-12-05T13:00:00Z","updatedAt":"2026-12-05T13:00:00Z","waiting":3},{"webhook":"gsan","eventId":48250,"protocol":"2026/004530","type":"protocolo.andamento","state":"pendente","attempts":2,"nextAt":"2026-12-05T13:05:00Z","updatedAt":"2026-12-05T13:00:00Z","waiting":0}]}"#)
        await press(.function(8))
        check("envios à concessionária")
        await press(.escape)
        transport.on(
            "verifyCertidao",
            #"{"status":"valida","title":"Certidão negativa de débitos","matricula":"100013","holder":"MARIA A. S.","holderDocument":"***.444.777-**","issuedOn":"2026-11-20","validUntil":"2026-12-20"}"#)
        await press(.function(7))
        type("AB12CD34EF56")
        await press(.enter)
        check("certidão verificada (supervisão)")
        await press(.function(8))
        check("revogar certidão")
        XCTAssertEqual(checked.count, 13, "every state above was reached: \(checked)")
    }

    /// Every service of the catalogue at the counter (an attendant may use them all), opened on
    /// Maria's property with the demo's answers.
    func testEveryServiceScreen() async {
        checked = []
        start(mode: .counter)
        model.state.session = .staff(usuario: "ana", nome: "Ana", role: .atendente, unit: "centro")
        transport.on("listBills", Fixtures.bills)
        transport.on("getBill", Fixtures.billDetail)
        transport.on("listPayments", Self.fixture("payments"))
        transport.on("getConsumption", Fixtures.consumption(12))
        transport.on("getDueDate", Fixtures.dueDate)
        transport.on("listTariffs", Self.fixture("tariffs"))
        transport.on("listServices", Self.fixture("services"))
        transport.on("getProtocolCatalogue", Self.fixture("catalogue"))
        transport.on(
            "listPropertyProtocols",
            #"{"items":[{"number":"2026000001","formatted":"2026/000001","typeName":"Revisão de conta","subject":"Consumo alto na conta de outubro","situation":"em_andamento","unitName":"Comercial","openedAt":"2026-11-23T12:00:04Z"}]}"#)
        transport.on("listAgreements", #"{"items":[]}"#)
        transport.on("listDeclaracaoYears", #"{"items":[{"year":2025,"available":true}]}"#)
        transport.on("listPeople", #"{"items":[]}"#)
        transport.on(
            "issueCertidao", status: 201,
            #"{"id":3,"code":"7KQ3-M2XD-9PRA-4HT1-G6WC","kind":"negativa","title":"Certidão negativa de débitos","issuedOn":"2026-11-23","validUntil":"2026-12-23"}"#)
        transport.on(
            "issueDeclaracao", status: 201,
            #"{"id":4,"ano":2025,"issuedOn":"2026-11-23","totalCents":120000,"lines":[{"competencia":"2025-01","situacao":"paga","paidOn":"2025-02-10","amountCents":10000}]}"#)
        transport.on("getContactHistory", #"{"items":[]}"#)
        model.apply(.reset(HomeScreen(matricula: "100013")))
        transport.on("getProperty", Fixtures.property)
        transport.on("getLinkedProperties", Fixtures.linked)
        runtime.start()
        await runtime.settle()
        for svc in Service.all where svc.modes.contains(.counter) {
            model.apply(.push(svc.open(Service.Context(matricula: "100013", property: nil))))
            runtime.start()
            await runtime.settle()
            check(svc.title)
            // A document issued with F2 is printed with F3 (one key, one action): the issued state too.
            if svc.id == .certidao || svc.id == .declaracao {
                if svc.id == .declaracao { type("2025") }
                await press(.function(2))
                check("\(svc.title): emitida")
                XCTAssertTrue(screen().row(22).contains("F3 Imprimir") && !screen().row(22).contains("F2 Emitir"), screen().text)
            }
            model.apply(.pop)
        }
        XCTAssertEqual(checked.count, Service.all.filter { $0.modes.contains(.counter) }.count + 2)
    }

    /// `docs/KEYS.md` is written from the command tables of every screen the walks above reach
    /// (`AGENCIA_RECORD=1` rewrites it) and held equal to them here; the walks also check each
    /// table against the key map (`check`).
    func testKeysDocumentIsTheCode() async throws {
        tables = []
        await testKioskScreens()
        await testServiceAndRecordScreens()
        await testCounterScreens()
        await testStaffScreens()
        await testEveryServiceScreen()
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("../../docs/KEYS.md").standardized
        let text = KeysDocument.render(tables.map { ($0.name, $0.commands) })
        if ProcessInfo.processInfo.environment["AGENCIA_RECORD"] != nil {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(committed, text, "docs/KEYS.md differs from the command tables: AGENCIA_RECORD=1 swift test --filter testKeysDocumentIsTheCode")
    }

    func testKioskIdleWarning() async {
        start()
        transport.on("listBills", Fixtures.bills)
        await loginAsMaria()
        runtime.send(.tick(now: 1000 + 61))
        check("aviso de inatividade")
    }
}
