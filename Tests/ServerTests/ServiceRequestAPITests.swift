import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// Service requests through the API (issue 12) on both engines: who may ask and why not, the data
/// prevista, the form, one request however many identical ones arrive together, and where the
/// request goes — pinned on Monday 23/11/2026, 10:00 in Aracaju.
final class ServiceRequestAPITests: XCTestCase {
    static let joao = (m: "10005-6", doc: "529.982.247-25", norm: "100056")  // cut connection, one overdue bill

    /// A problem with the Agência Virtual itself, reported with or without a session: a protocol
    /// for TI with the screen and the terminal; at most five per person or address in the window.
    func testProblemReports() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let carla = try await client.staffToken("carla", "supervisao123")
                var key = 0
                func report(_ token: String?, _ text: String) async throws -> TestResponse {
                    key += 1
                    var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "pr-\(engine)-\(key)"]
                    if let token { headers[.authorization] = "Bearer \(token)" }
                    let body = try JSONSerialization.data(withJSONObject: [
                        "text": text, "screen": "Entrar", "terminal": "quiosque-centro-2", "mode": "kiosk",
                    ])
                    return try await client.execute(
                        uri: "/v1/problem-reports", method: .post, headers: headers, body: ByteBuffer(data: body))
                }
                // Without a session (the login screen): opened for TI with the screen and the terminal.
                var r = try await report(nil, "A impressora do quiosque não imprime a segunda via.")
                AEq(r.status, .created, "\(engine): \(r.json)")
                let number = try XCTUnwrap(r.json["number"] as? String)
                let detail = try await client.get("/v1/protocols/\(number)", token: carla).json
                AEq(detail["unit"] as? String, "ti", "\(engine)")
                AEq(
                    detail["text"] as? String,
                    "A impressora do quiosque não imprime a segunda via.\n\nTela: Entrar\nModo: kiosk\nTerminal: quiosque-centro-2")
                AEq(detail["subject"] as? String, "Problema na tela Entrar")
                AEq(try await report(nil, "  ").status, .badRequest, "\(engine): no text")
                // A customer's report names her; it is among her protocols.
                r = try await report(maria, "A tela de consumo não abriu.")
                let hers = try await client.get("/v1/protocols/\(r.json["number"] as? String ?? "")", token: carla).json
                AEq((hers["requester"] as? [String: Any])?["nome"] as? String, "Maria Aparecida da Silva", "\(engine)")
                // Five per address in the window: the sixth anonymous one is refused.
                for i in 0..<4 { AEq(try await report(nil, "Relato \(i) do mesmo endereço").status, .created, "\(engine)") }
                AEq(try await report(nil, "Mais um").status, .tooManyRequests, "\(engine)")
                AEq(try await report(maria, "Ela ainda pode").status, .created, "\(engine): counted per person when logged in")
                let queue = try await client.get("/v1/queue?unit=ti", token: carla).json
                AEq(queue["total"] as? Int, 7, "\(engine)")
            }
        }
    }

    func testCatalogueRulesDuplicatesAndRouting() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let joao = try await client.customerToken(Self.joao.m, Self.joao.doc)
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                let ana = try await client.staffToken()
                let carla = try await client.staffToken("carla", "supervisao123")
                func offers(_ m: String, _ token: String) async throws -> [String: [String: Any]] {
                    let r = try await client.get("/v1/properties/\(m)/services", token: token)
                    AEq(r.status, .ok, "\(engine): \(r.json)")
                    return Dictionary(
                        uniqueKeysWithValues: (r.json["items"] as? [[String: Any]] ?? []).map { ($0["code"] as? String ?? "", $0) })
                }
                var key = 0
                func ask(_ m: String, _ token: String, _ body: [String: Any], reuse: String? = nil) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/properties/\(m)/service-requests", body, token: token,
                        headers: ["Idempotency-Key": reuse ?? "svc-\(engine)-\(key)"])
                }

                // João's connection is cut and one bill is overdue: religação not yet, with the reason; falta d'água never.
                var list = try await offers(Self.joao.norm, joao)
                AEq(list.count, 12, "\(engine): the demo catalogue")
                AEq(list["religacao"]?["available"] as? Bool, false)
                AEq(
                    list["religacao"]?["reason"] as? String,
                    "Há 1 conta vencida: pague-as ou emita hoje o documento de pagamento dos débitos (Débitos) e peça de novo.", "\(engine)"
                )
                AEq(list["falta-agua"]?["reason"] as? String, "Sem ligação ativa não há abastecimento: peça a religação ou a reativação.")
                AEq(list["vazamento"]?["available"] as? Bool, true)
                AEq(list["religacao"]?["feeCents"] as? Int, 2_500)
                AEq(list["religacao"]?["feeOn"] as? String, "proxima_conta")
                AEq(list["religacao"]?["deadline"] as? String, "24 horas úteis")
                // 24 business hours from Monday 10:00: Monday 8 h, Tuesday 10 h, Wednesday 6 h → 14:00.
                AEq(list["religacao"]?["expectedAt"] as? String, "2026-11-25T17:00:00Z", "\(engine)")
                let fields = list["religacao"]?["fields"] as? [[String: Any]] ?? []
                AEq(fields.map { "\($0["key"] ?? "")\(($0["required"] as? Bool) == true ? "*" : "")" }, ["telefone*", "observacao"])
                var r = try await ask(Self.joao.norm, joao, ["typeCode": "religacao", "answers": ["telefone": "79 98888-2020"]])
                AEq(r.status, .conflict, "\(engine)")
                AEq(r.errorMessage, list["religacao"]?["reason"] as? String)

                // A statement of the overdue bill issued today opens it.
                let bills =
                    try await client.get("/v1/properties/\(Self.joao.norm)/bills", token: joao).json["items"] as? [[String: Any]] ?? []
                let overdue = bills.filter { $0["overdue"] as? Bool == true }.compactMap { $0["id"] as? Int }
                AEq(overdue.count, 1, "\(engine)")
                r = try await client.post(
                    "/v1/properties/\(Self.joao.norm)/statements", ["billIds": overdue], token: joao,
                    headers: ["Idempotency-Key": "svc-st-\(engine)"])
                AEq(r.status, .created, "\(engine): \(r.json)")
                list = try await offers(Self.joao.norm, joao)
                AEq(list["religacao"]?["available"] as? Bool, true, "\(engine)")
                // The form: a required answer missing.
                r = try await ask(Self.joao.norm, joao, ["typeCode": "religacao", "answers": ["telefone": "  "]])
                AEq(r.status, .badRequest, "\(engine)")
                AEq(r.errorMessage, "Informe telefone para contato.")

                // 20 identical requests at once (each its own key): one protocol, the others answer with it.
                let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for k in 0..<20 {
                        group.addTask {
                            let r = try await client.post(
                                "/v1/properties/\(Self.joao.norm)/service-requests",
                                ["typeCode": "religacao", "answers": ["telefone": "79 98888-2020", "observacao": "Portão azul"]],
                                token: joao,
                                headers: ["Idempotency-Key": "svc-conc-\(engine)-\(k)"])
                            return (Int(r.status.code), r.json["number"] as? String ?? "")
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                AEq(answers.filter { $0.0 == 201 }.count, 1, "\(engine): \(answers)")
                AEq(answers.filter { $0.0 == 200 }.count, 19, "\(engine)")
                AEq(Set(answers.map(\.1)).count, 1, "\(engine): the same protocol")
                let number = answers[0].1
                r = try await ask(Self.joao.norm, joao, ["typeCode": "religacao", "answers": ["telefone": "outro"]])
                AEq(r.json["duplicate"] as? Bool, true, "\(engine)")
                AEq(r.json["number"] as? String, number)
                AEq(r.json["expectedAt"] as? String, "2026-11-25T17:00:00Z", "the data prevista of the pending one")
                list = try await offers(Self.joao.norm, joao)
                AEq((list["religacao"]?["pending"] as? [String: Any])?["number"] as? String, number, "\(engine)")

                // It is a protocol: Operação's queue holds it, opened at the kiosk, with the form's answers.
                let detail = try await client.get("/v1/protocols/\(number)", token: carla).json
                AEq(detail["unit"] as? String, "operacao", "\(engine)")
                AEq(detail["channel"] as? String, "kiosk")
                AEq(detail["typeName"] as? String, "Religação")
                AEq(detail["text"] as? String, "Telefone para contato: 79 98888-2020\nObservação para a equipe: Portão azul")
                AEq(detail["deadlineAt"] as? String, "2026-11-25T17:00:00Z")
                AEq((detail["requester"] as? [String: Any])?["nome"] as? String, "João Batista dos Santos")
                let queue = try await client.get("/v1/queue?unit=operacao&q=religacao", token: carla).json
                AEq((queue["items"] as? [[String: Any]])?.compactMap { $0["number"] as? String }, [number], "\(engine)")

                // Maria (active, overdue bills): falta d'água needs no clean record; 4 business hours → 14:00.
                r = try await ask(Demo.mariaNorm, maria, ["typeCode": "falta-agua", "answers": ["telefone": "79 99876-1234"]])
                AEq(r.status, .created, "\(engine): \(r.json)")
                AEq(r.json["expectedAt"] as? String, "2026-11-23T17:00:00Z")
                AEq(
                    (try await offers(Demo.mariaNorm, maria))["religacao"]?["reason"] as? String,
                    "A religação é para ligações cortadas; esta ligação não está cortada.")
                // At the counter, for the property on screen: opened by the attendant, channel counter.
                r = try await ask(
                    Demo.mariaNorm, ana,
                    [
                        "typeCode": "vazamento", "answers": ["local": "Calçada", "ponto_referencia": "Em frente à padaria"],
                        "email": "outro@example.com",
                    ])
                AEq(r.status, .created, "\(engine): \(r.json)")
                let vaz = try await client.get("/v1/protocols/\(r.json["number"] as? String ?? "")", token: carla).json
                AEq(vaz["channel"] as? String, "counter", "\(engine)")
                AEq((vaz["requester"] as? [String: Any])?["email"] as? String, "outro@example.com")
                let hers =
                    try await client.get("/v1/properties/\(Demo.mariaNorm)/protocols", token: maria).json["items"] as? [[String: Any]] ?? []
                AEq(hers.compactMap { $0["typeName"] as? String }, ["Vazamento", "Falta d'água"], "\(engine): both, whatever the channel")

                // Bad input and foreign properties change nothing.
                AEq(try await ask(Demo.mariaNorm, maria, ["typeCode": "inexistente"]).status, .badRequest)
                let foreign = try await client.get("/v1/properties/\(Self.joao.norm)/services", token: company)
                AEq(foreign.status, .notFound, "\(engine)")
                AEq(
                    try await ask(Self.joao.norm, company, ["typeCode": "vazamento", "answers": ["local": "x", "ponto_referencia": "y"]])
                        .status, .notFound)
            }
        }
    }

    /// A fee on a payable document comes with the request (barcode and PIX for its value, due
    /// with the statements' validity, printable); a fee for the next bill is recorded without a
    /// document. A pending request answers with its own fee; another property sees neither.
    func testFeesOnADocumentOrTheNextBill() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let joao = try await client.customerToken(Self.joao.m, Self.joao.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                let m = Self.joao.norm
                let bills = try await client.get("/v1/properties/\(m)/bills", token: joao).json["items"] as? [[String: Any]] ?? []
                let overdue = bills.filter { $0["overdue"] as? Bool == true }.compactMap { $0["id"] as? Int }
                var r = try await client.post(
                    "/v1/properties/\(m)/statements", ["billIds": overdue], token: joao, headers: ["Idempotency-Key": "fee-st-\(engine)"])
                AEq(r.status, .created, "\(engine): \(r.json)")
                func ask(_ type: String, key: String) async throws -> TestResponse {
                    try await client.post(
                        "/v1/properties/\(m)/service-requests", ["typeCode": type, "answers": ["telefone": "79 98888-2020"]], token: joao,
                        headers: ["Idempotency-Key": key])
                }

                // Religação urgente: R$ 60,00 on a document due in 3 days (Thursday 26/11).
                r = try await ask("religacao-urgente", key: "fee-urg-\(engine)")
                AEq(r.status, .created, "\(engine): \(r.json)")
                let fee = try XCTUnwrap(r.json["fee"] as? [String: Any], "\(engine)")
                AEq(fee["feeOn"] as? String, "documento")
                AEq(fee["amountCents"] as? Int, 6_000)
                AEq(fee["protocolNumber"] as? String, r.json["formatted"] as? String)
                AEq(fee["serviceName"] as? String, "Religação urgente")
                let payment = try XCTUnwrap(fee["payment"] as? [String: Any])
                AEq(payment["dueOn"] as? String, "2026-11-26", "\(engine)")
                AEq(payment["totalCents"] as? Int, 6_000)
                let barcode = try XCTUnwrap(ArrecadacaoBarcode(reading: payment["barcode"] as? String ?? ""), "every check digit")
                AEq(barcode.amount, Money(cents: 6_000))
                AEq(ArrecadacaoBarcode(reading: payment["linhaDigitavel"] as? String ?? "")?.digits, barcode.digits)
                AEq(
                    barcode.freeField, "20261126" + "3" + String(format: "%016d", fee["id"] as? Int ?? -1), "due date, kind 3, the fee's id"
                )
                let pix = try XCTUnwrap(PixBRCode.fields(of: payment["pix"] as? String ?? ""), "CRC and lengths")
                AEq(pix["54"], "60.00")
                ATrue(pix["62"]?.hasSuffix("AVS\(fee["id"] as? Int ?? -1)") == true, "txid: \(pix)")
                let id = try XCTUnwrap(fee["id"] as? Int)

                // The same fee read back, as JSON and as a PDF; another property's session sees nothing.
                let again = try await client.get("/v1/properties/\(m)/service-fees/\(id)", token: joao)
                AEq(again.status, .ok)
                AEq((again.json["payment"] as? [String: Any])?["barcode"] as? String, payment["barcode"] as? String)
                let pdf = try await client.get("/v1/properties/\(m)/service-fees/\(id)/pdf", token: joao)
                AEq(pdf.status, .ok, "\(engine)")
                ATrue(Data(buffer: pdf.body).starts(with: Data("%PDF-".utf8)))
                AEq(try await client.get("/v1/properties/\(m)/service-fees/\(id)", token: company).status, .notFound)
                AEq(try await client.get("/v1/properties/\(Demo.companyNorm)/service-fees/\(id)", token: company).status, .notFound)
                AEq(try await client.get("/v1/properties/\(Demo.companyNorm)/service-fees/\(id)/pdf", token: company).status, .notFound)

                // Asked again while pending: the same protocol and the same document, no new fee.
                r = try await ask("religacao-urgente", key: "fee-urg2-\(engine)")
                AEq(r.json["duplicate"] as? Bool, true)
                AEq((r.json["fee"] as? [String: Any])?["id"] as? Int, id)

                // Religação (normal): R$ 25,00 on the next bill, with no document to pay.
                r = try await ask("religacao", key: "fee-next-\(engine)")
                AEq(r.status, .created, "\(engine): \(r.json)")
                let next = try XCTUnwrap(r.json["fee"] as? [String: Any])
                AEq(next["feeOn"] as? String, "proxima_conta")
                AEq(next["amountCents"] as? Int, 2_500)
                ATrue(next["payment"] == nil, "nothing to pay now")
                AEq(
                    try await client.get("/v1/properties/\(m)/service-fees/\(next["id"] as? Int ?? 0)/pdf", token: joao).status,
                    .notFound)
                // Falta d'água has no fee: nothing recorded.
                let rows = try await server.store.read { db in
                    try await db.raw("SELECT collection, amount_cents FROM service_fees WHERE matricula = \(bind: m) ORDER BY id").all()
                        .map {
                            "\(try $0.decode(column: "collection", as: String.self)) \(try $0.decode(column: "amount_cents", as: Int.self))"
                        }
                }
                AEq(rows, ["documento 6000", "proxima_conta 2500"], "\(engine)")
            }
        }
    }

    /// Ligação nova at a counter for an address with no property yet: the requester and the
    /// address, the R$ 120,00 fee on a document issued to the requester, one pending per requester.
    func testNewConnectionForAnAddress() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, _ in
                let ana = try await client.staffToken()
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let offers = try await client.get("/v1/services", token: ana).json["items"] as? [[String: Any]] ?? []
                AEq(offers.compactMap { $0["code"] as? String }, ["ligacao-nova"], "\(engine): only what needs no property")
                AEq(try await client.get("/v1/services", token: maria).status, .forbidden)
                var body: [String: Any] = [
                    "typeCode": "ligacao-nova",
                    "requester": [
                        "kind": "outro", "documento": "123.456.789-09", "nome": "Ana Lúcia Prado", "email": "ana.prado@example.com",
                    ],
                    "address": [
                        "logradouro": "Rua Projetada 3", "numero": "45", "bairro": "Santa Maria", "cidade": "Aracaju", "uf": "SE",
                        "cep": "49044-000",
                    ],
                    "answers": ["ponto_referencia": "Ao lado da escola", "telefone": "79 98111-2233"],
                ]
                var key = 0
                func ask(_ b: [String: Any]) async throws -> TestResponse {
                    key += 1
                    return try await client.post("/v1/service-requests", b, token: ana, headers: ["Idempotency-Key": "nc-\(engine)-\(key)"])
                }
                var bad = body
                bad["answers"] = ["telefone": "79 98111-2233"]
                AEq(try await ask(bad).errorMessage, "Informe ponto de referência.")
                bad = body
                bad["address"] = ["logradouro": "Rua A", "numero": "1", "bairro": "B", "cidade": "Aracaju", "uf": "SE", "cep": "4904-000"]
                AEq(try await ask(bad).errorMessage, "CEP inválido: 8 dígitos.")
                body["typeCode"] = "vazamento"
                AEq(try await ask(body).status, .badRequest, "a service that needs a property")
                body["typeCode"] = "ligacao-nova"

                var r = try await ask(body)
                AEq(r.status, .created, "\(engine): \(r.json)")
                let number = try XCTUnwrap(r.json["number"] as? String)
                let fee = try XCTUnwrap(r.json["fee"] as? [String: Any])
                AEq(fee["amountCents"] as? Int, 12_000)
                AEq(fee["feeOn"] as? String, "documento")
                let detail = try await client.get("/v1/protocols/\(number)", token: ana).json
                AEq(detail["unit"] as? String, "comercial", "\(engine)")
                ATrue((detail["requester"] as? [String: Any])?["matricula"] == nil, "no property")
                AEq(
                    detail["text"] as? String,
                    "Endereço: Rua Projetada 3, 45 - Santa Maria, Aracaju/SE, CEP 49044-000\nPonto de referência: Ao lado da escola\n"
                        + "Telefone para contato: 79 98111-2233")
                // The document is issued to the requester, for the address; a barcode reader finds its code.
                let pdf = try await client.get("/v1/service-fees/\(fee["id"] as? Int ?? 0)/pdf", token: ana)
                AEq(pdf.status, .ok, "\(engine)")
                let text = try pdfText(Data(buffer: pdf.body))
                ATrue(text.contains("Ana Lúcia Prado") && text.contains("Rua Projetada 3, 45") && text.contains("a definir"), text)
                AEq(try await client.get("/v1/service-fees/\(fee["id"] as? Int ?? 0)", token: maria).status, .forbidden)

                // The same requester again: the pending request is the answer.
                r = try await ask(body)
                AEq(r.status, .ok)
                AEq(r.json["duplicate"] as? Bool, true)
                AEq(r.json["number"] as? String, number)
            }
        }
    }

    /// The holder's CPF/CNPJ changes only by a request with the new number (checked) and the
    /// documents attached at a counter, applied by the back office after receiving it.
    func testDocumentChangeAppliedByTheBackOfficeOnly() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, _ in
                let joao = try await client.customerToken(Self.joao.m, Self.joao.doc)
                let ana = try await client.staffToken()
                let diego = try await client.staffToken("diego", "comercial123")
                var key = 0
                func post(_ path: String, _ body: [String: Any], _ token: String) async throws -> TestResponse {
                    key += 1
                    return try await client.post(path, body, token: token, headers: ["Idempotency-Key": "doc-\(engine)-\(key)"])
                }
                func upload() async throws -> Int {
                    key += 1
                    return try await client.uploadPDF("cpf.pdf", token: ana, key: "doc-up-\(engine)-\(key)")
                }
                let path = "/v1/properties/\(Self.joao.norm)/service-requests"
                let offer =
                    (try await client.get("/v1/properties/\(Self.joao.norm)/services", token: joao).json["items"] as? [[String: Any]])?
                    .first { $0["code"] as? String == "atualizacao-documento" }
                ATrue((offer?["documents"] as? String)?.contains("em qualquer agência") == true, "\(engine): the kiosk says where")
                var r = try await post(
                    path, ["typeCode": "atualizacao-documento", "answers": ["documento_novo": "123.456.789-00", "motivo": "Erro"]], joao)
                AEq(r.errorMessage, "Novo CPF/CNPJ: CPF/CNPJ inválido: dígitos verificadores não conferem.", "\(engine)")
                r = try await post(
                    path,
                    [
                        "typeCode": "atualizacao-documento", "answers": ["documento_novo": "123.456.789-09", "motivo": "Erro"],
                        "attachments": [1],
                    ],
                    joao)
                AEq(r.status, .badRequest, "no files from a kiosk")
                // At the counter, with his documents.
                r = try await post(
                    path,
                    [
                        "typeCode": "atualizacao-documento",
                        "answers": ["documento_novo": "123.456.789-09", "motivo": "CPF digitado errado"],
                        "attachments": [try await upload(), try await upload()],
                    ], ana)
                AEq(r.status, .created, "\(engine): \(r.json)")
                let number = try XCTUnwrap(r.json["number"] as? String)
                let apply = "/v1/protocols/\(number)/apply-document"
                AEq(try await post(apply, [:], ana).status, .forbidden, "not an attendant")
                r = try await post(apply, [:], diego)
                AEq(
                    r.errorMessage, "Receba o protocolo antes (ele ainda está aguardando a unidade).",
                    "\(engine): never before it is received")
                AEq(try await post("/v1/protocols/\(number)/steps", ["action": "receive"], diego).status, .ok)
                AEq(
                    try await client.post("/v1/sessions/customer", ["matricula": Self.joao.m, "documento": Self.joao.doc]).status, .created)
                r = try await post(apply, [:], diego)
                AEq(r.status, .ok, "\(engine): \(r.json)")
                AEq(r.json["situation"] as? String, "concluido")
                AEq(
                    (r.json["steps"] as? [[String: Any]])?.last?["text"] as? String,
                    "CPF/CNPJ do titular atualizado de ***.982.247-** para ***.456.789-**, conferidos os documentos apresentados.")
                // The record follows: the new CPF logs in, the old one no longer.
                AEq(
                    try await client.post("/v1/sessions/customer", ["matricula": Self.joao.m, "documento": "123.456.789-09"]).status,
                    .created)
                AEq(
                    try await client.post("/v1/sessions/customer", ["matricula": Self.joao.m, "documento": Self.joao.doc]).status,
                    .unauthorized)
                AEq(try await post(apply, [:], diego).status, .conflict, "concluded")
            }
        }
    }
}
