import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import Server

/// Consumption history, tariffs and their import, bill and installment simulations, due-date
/// change (issue 4), over a live server on SQLite and PostgreSQL.
final class ServiceAPITests: XCTestCase {

    func testConsumptionHistory() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let base = "/v1/properties/\(Demo.mariaNorm)/consumption"
                for months in [12, 18, 24] {
                    let r = try await client.get("\(base)?months=\(months)", token: token)
                    XCTAssertEqual(r.status, .ok)
                    let items = try XCTUnwrap(r.json["items"] as? [[String: Any]])
                    XCTAssertEqual(items.count, months)
                    let comps = items.compactMap { $0["competencia"] as? String }
                    XCTAssertEqual(comps, comps.sorted(), "oldest first")
                    XCTAssertEqual(comps.last, "2026-10")
                    let values = items.compactMap { $0["consumptionM3"] as? Int }
                    let average = (Double(values.reduce(0, +)) / Double(values.count) * 10).rounded() / 10
                    XCTAssertEqual(r.json["averageM3"] as? Double, average)
                    XCTAssertTrue(items.allSatisfy { $0["estimated"] is Bool })
                }
                // The default is 12; the bills say the same consumption.
                let d = try await client.get(base, token: token)
                XCTAssertEqual((d.json["items"] as? [Any])?.count, 12)
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
                let newest = try XCTUnwrap((bills.json["items"] as? [[String: Any]])?.first)
                XCTAssertEqual(((d.json["items"] as? [[String: Any]])?.last)?["consumptionM3"] as? Int, newest["consumptionM3"] as? Int)
                XCTAssertEqual(((d.json["items"] as? [[String: Any]])?.last)?["estimated"] as? Bool, newest["estimated"] as? Bool)
                for bad in ["13", "0", "36", "-12"] {
                    let r = try await client.get("\(base)?months=\(bad)", token: token)
                    XCTAssertEqual(r.status, .badRequest, bad)
                    XCTAssertEqual(r.errorMessage, "Escolha 12, 18 ou 24 meses de histórico.")
                }
                let nonNumber = try await client.get("\(base)?months=doze", token: token)
                XCTAssertEqual(nonNumber.status, .badRequest)
            }
        }
    }

    func testTariffsAndBillSimulation() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                // Public: no token.
                let t = try await client.get("/v1/tariffs")
                XCTAssertEqual(t.status, .ok)
                let tables = try XCTUnwrap(t.json["items"] as? [[String: Any]])
                XCTAssertEqual(tables.compactMap { $0["categoria"] as? String }, Categoria.allCases.map(\.rawValue))
                let res = try XCTUnwrap(tables.first { $0["categoria"] as? String == "residencial" })
                XCTAssertEqual(res["validFrom"] as? String, "2026-01-01", "the 2025 version is no longer in force")
                XCTAssertEqual(res["minimumCents"] as? Int, 4568)
                XCTAssertEqual(res["minimumM3"] as? Int, 10)
                XCTAssertEqual(res["sewagePercent"] as? Int, 80)
                XCTAssertTrue((res["source"] as? String ?? "").contains("Demonstração"))
                let bands = try XCTUnwrap(res["bands"] as? [[String: Any]])
                XCTAssertEqual(bands.first?["fromM3"] as? Int, 11)
                XCTAssertEqual(bands.first?["toM3"] as? Int, 15)
                XCTAssertEqual(Decimal(string: bands.first?["pricePerM3"] as? String ?? ""), Decimal(string: "6.10"))
                XCTAssertNil(bands.last?["toM3"], "the last band is open")
                let social = try XCTUnwrap(tables.first { $0["categoria"] as? String == "residencial_social" })
                XCTAssertEqual(social["minimumDiscountPercent"] as? Int, 50)
                XCTAssertEqual((social["bands"] as? [[String: Any]])?.prefix(2).compactMap { $0["discountPercent"] as? Int }, [30, 20])

                // Simulation, public too: 16 m³ residencial with sewage.
                let s = try await client.post(
                    "/v1/simulations/bill", ["categoria": "residencial", "economias": 1, "consumptionM3": 16, "esgoto": true])
                XCTAssertEqual(s.status, .ok, "\(s.json)")
                XCTAssertEqual(s.json["waterCents"] as? Int, 4568 + 5 * 610 + 760)
                XCTAssertEqual(s.json["sewageCents"] as? Int, 6702)  // 80 % of 83,78 = 67,024
                XCTAssertEqual(s.json["totalCents"] as? Int, 8378 + 6702)
                XCTAssertEqual((s.json["lines"] as? [[String: Any]])?.count, 3)

                // Demo bills are computed by the same engine and table: a simulation with a
                // bill's consumption gives its value.
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
                for b in (bills.json["items"] as? [[String: Any]] ?? []).prefix(6) {
                    let sim = try await client.post(
                        "/v1/simulations/bill",
                        ["categoria": "residencial", "economias": 1, "consumptionM3": b["consumptionM3"] as? Int ?? 0, "esgoto": true])
                    XCTAssertEqual(sim.json["totalCents"] as? Int, b["amountCents"] as? Int)
                }

                let bad: [([String: Any], String)] = [
                    (
                        ["categoria": "residencial", "economias": 1, "consumptionM3": -1, "esgoto": true],
                        "Informe um consumo de 0 a 10.000.000 m³."
                    ),
                    (["categoria": "residencial", "economias": 0, "consumptionM3": 10, "esgoto": true], "Informe de 1 a 9999 economias."),
                    (
                        ["categoria": "rural", "economias": 1, "consumptionM3": 10, "esgoto": true],
                        "Categoria desconhecida: escolha residencial social, residencial, comercial, industrial ou pública."
                    ),
                ]
                for (body, message) in bad {
                    let r = try await client.post("/v1/simulations/bill", body)
                    XCTAssertEqual(r.status, .badRequest, message)
                    XCTAssertEqual(r.errorMessage, message)
                }
            }
        }
    }

    func testTariffImportCommand() async throws {
        try await forEachEngine { engine in
            var database = ""
            try await Harness.withServer(engine, configure: { database = $0.database }) { client, _ in
                var c = Harness.config(database)
                c.seed = nil
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tarifas-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                func write(_ name: String, _ text: String) throws -> String {
                    let url = dir.appendingPathComponent(name)
                    try text.write(to: url, atomically: true, encoding: .utf8)
                    return url.path
                }
                // A file with errors: every one reported with its line, nothing stored.
                let broken = try write(
                    "erros.csv",
                    """
                    categoria;vigencia;faixa;ate_m3;valor;desconto_percentual;esgoto_percentual;fonte
                    residencial;2026-11-01;minima;10;50,00;0;80;Resolução 9/2026
                    residencal;2026-11-01;m3;20;7,00;0;80;Resolução 9/2026
                    residencial;2026-11-01;m3;20;sete;0;80;Resolução 9/2026
                    residencial;2026-11-01;m3;;9,00;0;70;Resolução 9/2026
                    comercial;2026-13-01;minima;10;90,00;0;80;Resolução 9/2026
                    """)
                do {
                    _ = try await TariffAdmin.importFile(configuration: c, path: broken, dryRun: false)
                    XCTFail("imported a broken file")
                } catch let e as ImportFileError {
                    XCTAssertEqual(e.problems.map(\.line), [3, 4, 5, 6], e.description)
                    XCTAssertTrue(e.description.contains("linha 3: categoria desconhecida \"residencal\""), e.description)
                    XCTAssertTrue(e.description.contains("linha 4: valor \"sete\""), e.description)
                    XCTAssertTrue(e.description.contains("linha 5: esgoto_percentual difere"), e.description)
                    XCTAssertTrue(e.description.contains("linha 6: vigência \"2026-13-01\""), e.description)
                }
                let unchanged = try await client.get("/v1/tariffs")
                AEq(
                    ((unchanged.json["items"] as? [[String: Any]])?.first { $0["categoria"] as? String == "residencial" })?["validFrom"]
                        as? String, "2026-01-01")

                // Bands out of order: reported at the table's first line.
                let order = try write(
                    "ordem.csv",
                    """
                    categoria,vigencia,faixa,ate_m3,valor,desconto_percentual,esgoto_percentual,fonte
                    publica,2026-11-01,minima,10,80.00,0,80,x
                    publica,2026-11-01,m3,30,10.00,0,80,x
                    publica,2026-11-01,m3,20,12.00,0,80,x
                    publica,2026-11-01,m3,,14.00,0,80,x
                    """)
                do {
                    _ = try await TariffAdmin.importFile(configuration: c, path: order, dryRun: false)
                    XCTFail("bands out of order accepted")
                } catch let e as ImportFileError {
                    XCTAssertEqual(e.problems.first?.line, 2)
                    XCTAssertTrue(e.description.contains("ordem crescente"), e.description)
                }

                // JSON: a wrong value points at the band's line.
                let json = try write(
                    "tarifas.json",
                    """
                    {
                      "tabelas": [
                        {
                          "categoria": "residencial", "vigencia": "2026-11-01", "fonte": "Resolução 9/2026",
                          "esgotoPercentual": 80,
                          "minima": { "ateM3": 10, "valor": 50.00 },
                          "faixas": [
                            { "ateM3": 20, "precoM3": "7.00" },
                            { "ateM3": null, "precoM3": "-9" }
                          ]
                        }
                      ]
                    }
                    """)
                do {
                    _ = try await TariffAdmin.importFile(configuration: c, path: json, dryRun: false)
                    XCTFail("negative price accepted")
                } catch let e as ImportFileError {
                    XCTAssertEqual(e.problems.map(\.line), [9], e.description)
                }

                // A valid file: a new residencial version from 01/11/2026 (in force today, 23/11)
                // and one from 2027 (not yet).
                let good = try write(
                    "tarifas.csv",
                    """
                    categoria,vigencia,faixa,ate_m3,valor,desconto_percentual,esgoto_percentual,fonte
                    residencial,2026-11-01,minima,10,50.00,0,80,Resolução 9/2026
                    residencial,2026-11-01,m3,20,7.00,0,80,Resolução 9/2026
                    residencial,2026-11-01,m3,,9.125,0,80,Resolução 9/2026
                    residencial,2027-01-01,minima,10,55.00,0,80,Resolução 9/2026
                    residencial,2027-01-01,m3,,10.00,0,80,Resolução 9/2026
                    """)
                let dry = try await TariffAdmin.importFile(configuration: c, path: good, dryRun: true)
                XCTAssertTrue(dry.contains("nada foi gravado"))
                let summary = try await TariffAdmin.importFile(configuration: c, path: good, dryRun: false)
                XCTAssertTrue(summary.hasPrefix("2 tabela(s) importadas (2 novas"), summary)
                let again = try await TariffAdmin.importFile(configuration: c, path: good, dryRun: false)
                XCTAssertTrue(again.contains("0 novas, 2 substituídas"), again)
                let now = try await client.get("/v1/tariffs")
                let res = try XCTUnwrap((now.json["items"] as? [[String: Any]])?.first { $0["categoria"] as? String == "residencial" })
                XCTAssertEqual(res["validFrom"] as? String, "2026-11-01")
                XCTAssertEqual(res["minimumCents"] as? Int, 5000)
                XCTAssertEqual((res["bands"] as? [[String: Any]])?.count, 2, "re-import replaced the bands, no duplicates")
                let sim = try await client.post(
                    "/v1/simulations/bill", ["categoria": "residencial", "economias": 1, "consumptionM3": 22, "esgoto": false])
                XCTAssertEqual(sim.json["waterCents"] as? Int, 5000 + 7000 + 1825)  // 2 × 9,125 = 18,25
            }
        }
    }

    func testInstallmentSimulation() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let path = "/v1/properties/\(Demo.mariaNorm)/installment-simulations"
                func simulate(_ down: Int, _ n: Int, doc: String = Demo.maria.doc, on p: String? = nil, token t: String? = nil) async throws
                    -> TestResponse
                {
                    try await client.post(p ?? path, ["documento": doc, "downPaymentCents": down, "count": n], token: t ?? token)
                }
                // Probe with no down payment: the answer states the minimum.
                let probe = try await simulate(0, 6)
                XCTAssertEqual(probe.status, .unprocessableContent)
                let minimumText = try XCTUnwrap(probe.errorMessage)
                XCTAssertTrue(minimumText.hasPrefix("A entrada mínima é de R$ "), minimumText)

                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
                let overdue = (bills.json["items"] as? [[String: Any]] ?? []).filter { $0["overdue"] as? Bool == true }
                let debt = overdue.reduce(0) { $0 + (($1["updated"] as? [String: Any])?["totalCents"] as? Int ?? 0) }
                let minimum = (debt * 10 + 99) / 100  // the policy's 10 %
                let kiosk = (debt * 20 + 99) / 100  // the kiosk's own limit: 20 %, 12 installments
                // Issue 28.9: the kiosk's simulation offers what the kiosk may sign, and says what an agência could do.
                let beyondKiosk = try await simulate(minimum, 6)
                XCTAssertEqual(beyondKiosk.errorCode, "limit")
                XCTAssertEqual(
                    beyondKiosk.errorMessage,
                    "Acima do limite do autoatendimento (até 12 parcelas, entrada de ao menos 20 % = \(Money(cents: Int64(kiosk)).formatted)): procure uma agência.")
                let thirteen = try await simulate(kiosk, 13)
                XCTAssertEqual(thirteen.errorCode, "limit")
                let ok = try await simulate(kiosk, 6)
                XCTAssertEqual(ok.status, .ok, "\(ok.json)")
                XCTAssertEqual(ok.json["notice"] as? String, "Simulação — não vale como contrato.")
                XCTAssertEqual(ok.json["debtCents"] as? Int, debt)
                XCTAssertEqual((ok.json["bills"] as? [Any])?.count, overdue.count)
                XCTAssertEqual(ok.json["minDownPaymentCents"] as? Int, kiosk)
                XCTAssertEqual(ok.json["maxCount"] as? Int, 12)
                XCTAssertEqual(
                    ok.json["beyond"] as? String,
                    "Numa agência, o parcelamento pode ir até 24 parcelas com entrada de ao menos \(Money(cents: Int64(minimum)).formatted).")
                let parts = try XCTUnwrap(ok.json["installments"] as? [Int])
                let plan = try InstallmentPlan(
                    total: Money(cents: Int64(debt)), downPayment: Money(cents: Int64(kiosk)), count: 6,
                    monthlyRate: Decimal(string: "0.01")!)
                XCTAssertEqual(parts.map(Int64.init), plan.installments.map(\.cents))
                XCTAssertEqual(ok.json["totalCents"] as? Int, kiosk + parts.reduce(0, +))
                // A supervisor at a counter: the policy itself, nothing beyond.
                let carla = try await client.staffToken("carla", "supervisao123")
                let supervised = try await simulate(minimum, 24, token: carla)
                XCTAssertEqual(supervised.status, .ok, "\(supervised.json)")
                XCTAssertEqual(supervised.json["maxCount"] as? Int, 24)
                XCTAssertNil(supervised.json["beyond"])

                let cases: [(Int, Int, HTTPResponse.Status, String)] = [
                    (minimum - 1, 6, .unprocessableContent, minimumText),
                    (
                        debt + 1, 6, .unprocessableContent,
                        "A entrada não pode passar do total da dívida (\(Money(cents: Int64(debt)).formatted))."
                    ),
                    (minimum, 25, .unprocessableContent, "O número máximo de parcelas é 24."),
                    (minimum, 0, .badRequest, "Informe de 1 a 360 parcelas."),
                ]
                for (down, n, status, message) in cases {
                    let r = try await simulate(down, n)
                    XCTAssertEqual(r.status, status, message)
                    XCTAssertEqual(r.errorMessage, message)
                }
                let notHolder = try await simulate(kiosk, 6, doc: "529.982.247-25")
                XCTAssertEqual(notHolder.errorCode, "not_responsible")
                let invalid = try await simulate(kiosk, 6, doc: "111.444.777-36")
                XCTAssertEqual(invalid.status, .badRequest)
                // Everything paid: nothing to negotiate. An agreement in course: refused.
                let paid = try await simulate(0, 6, on: "/v1/properties/\(Demo.mariaPaid)/installment-simulations")
                XCTAssertEqual(paid.errorMessage, "Não há débitos vencidos a negociar neste imóvel.")
                let josefa = try await client.customerToken("10008-0", "318.457.206-44")
                let active = try await simulate(
                    0, 6, doc: "318.457.206-44", on: "/v1/properties/100080/installment-simulations", token: josefa)
                XCTAssertEqual(
                    active.errorMessage, "Já existe um parcelamento em andamento para este imóvel: não é possível simular outro.")
            }
        }
    }

    func testDueDateChange() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let path = "/v1/properties/\(Demo.mariaNorm)/due-date"
                let info = try await client.get(path, token: token)
                XCTAssertEqual(info.status, .ok)
                XCTAssertEqual(info.json["currentDay"] as? Int, 28, "the day of the property's bills")
                XCTAssertEqual(info.json["options"] as? [Int], [5, 10, 15, 20, 25, 28])
                XCTAssertEqual(info.json["canChange"] as? Bool, true)
                XCTAssertEqual(info.json["nextBillCompetencia"] as? String, "2026-11")
                func put(_ day: Int, key: String, token t: String? = nil, on p: String? = nil) async throws -> TestResponse {
                    try await client.post(p ?? path, ["day": day], token: t ?? token, headers: ["Idempotency-Key": key], method: .put)
                }
                let notOffered = try await put(12, key: "venc-00001")
                XCTAssertEqual(notOffered.status, .unprocessableContent)
                XCTAssertEqual(notOffered.errorMessage, "O dia 12 não está entre as datas oferecidas: 5, 10, 15, 20, 25, 28.")
                let same = try await put(28, key: "venc-00002")
                XCTAssertEqual(same.errorMessage, "O vencimento já é no dia 28.")

                let changed = try await put(10, key: "venc-00003")
                XCTAssertEqual(changed.status, .ok, "\(changed.json)")
                XCTAssertEqual(changed.json["day"] as? Int, 10)
                XCTAssertEqual(changed.json["previousDay"] as? Int, 28)
                XCTAssertEqual(changed.json["competencia"] as? String, "2026-11")
                XCTAssertEqual(changed.json["firstDueOn"] as? String, "2026-12-10")
                XCTAssertEqual(changed.json["changedOn"] as? String, "2026-11-23")
                // A retry is the same change, not a second one.
                let retry = try await put(10, key: "venc-00003")
                XCTAssertEqual(retry.status, .ok)
                XCTAssertEqual(retry.headers[HTTPField.Name("Idempotency-Replayed")!], "true")
                let rows = try await server.store.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM due_date_changes WHERE matricula = \(bind: Demo.mariaNorm)").first()?
                        .decode(
                            column: "n", as: Int.self)
                }
                XCTAssertEqual(rows, 1)

                let after = try await client.get(path, token: token)
                XCTAssertEqual(after.json["currentDay"] as? Int, 10)
                XCTAssertEqual(after.json["canChange"] as? Bool, false)
                XCTAssertEqual(after.json["nextChangeAllowedFrom"] as? String, "2027-05-23")
                let last = try XCTUnwrap(after.json["lastChange"] as? [String: Any])
                XCTAssertEqual(last["channel"] as? String, "autoatendimento")
                let tooSoon = try await put(15, key: "venc-00004")
                XCTAssertEqual(tooSoon.status, .conflict)
                XCTAssertEqual(
                    tooSoon.errorMessage,
                    "O vencimento foi alterado em 23/11/2026; uma nova alteração só é possível a partir de 23/05/2027.")

                // At the counter: recorded with the attendant and audited.
                let staff = try await client.staffToken()
                let counter = try await put(20, key: "ana-venc-1", token: staff, on: "/v1/properties/\(Demo.mariaPaid)/due-date")
                XCTAssertEqual(counter.status, .ok, "\(counter.json)")
                let seen = try await client.get("/v1/properties/\(Demo.mariaPaid)/due-date", token: staff)
                XCTAssertEqual((seen.json["lastChange"] as? [String: Any])?["staff"] as? String, "ana")
                XCTAssertEqual((seen.json["lastChange"] as? [String: Any])?["channel"] as? String, "balcao")
                let actions = try await AuditLog(store: server.store, clock: AppClock(now: ServerClock.system, timeZone: "UTC")).entries(
                    staff: "ana"
                ).map(\.action)
                XCTAssertTrue(actions.contains("alterar_vencimento"))
                // The customer sees the change but not who made it.
                let asCustomer = try await client.get("/v1/properties/\(Demo.mariaPaid)/due-date", token: token)
                XCTAssertNil((asCustomer.json["lastChange"] as? [String: Any])?["staff"])
            }
        }
    }

    func testEveryServiceEndpointIsScopedToTheSession() async throws {
        try await Harness.withServer(.sqlite) { client in
            let joao = try await client.customerToken("10005-6", "529.982.247-25")
            let maria = Demo.mariaNorm
            for path in ["/v1/properties/\(maria)/consumption?months=12", "/v1/properties/\(maria)/due-date"] {
                let r = try await client.get(path, token: joao)
                XCTAssertEqual(r.status, .notFound, path)
                let anonymous = try await client.get(path)
                XCTAssertEqual(anonymous.status, .unauthorized, path)
            }
            let writes: [(String, [String: Any], HTTPRequest.Method)] = [
                (
                    "/v1/properties/\(maria)/installment-simulations", ["documento": "529.982.247-25", "downPaymentCents": 0, "count": 2],
                    .post
                ),
                ("/v1/properties/\(maria)/due-date", ["day": 5], .put),
            ]
            for (path, body, method) in writes {
                let r = try await client.post(path, body, token: joao, headers: ["Idempotency-Key": "joao-venc-1"], method: method)
                XCTAssertEqual(r.status, .notFound, path)
                let anonymous = try await client.post(path, body, headers: ["Idempotency-Key": "anon-venc-1"], method: method)
                XCTAssertEqual(anonymous.status, .unauthorized, path)
            }
            // Maria's day did not move.
            let mariaToken = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
            let info = try await client.get("/v1/properties/\(maria)/due-date", token: mariaToken)
            XCTAssertEqual(info.json["currentDay"] as? Int, 28)
        }
    }
}
