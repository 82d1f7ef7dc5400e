import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import PDFReading
import SQLKit
import XCTest

@testable import Server

/// Signing an installment agreement (issue 13) on both engines, pinned on Monday 23/11/2026: the
/// terms are the simulation's, the bills become `parcelada`, the installments fall on the
/// property's due day with valid codes; each signer within their limits; once per key.
final class AgreementAPITests: XCTestCase {
    static let anaLuiza = (doc: "390.533.447-05", norm: "100072")  // 10007-2: eight overdue bills

    func testSignWithinTheSignersLimits() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)
                let m = Demo.mariaNorm
                // The debt: the overdue bills with their charges to today, as the bill list shows them.
                let listed = try await client.get("/v1/properties/\(m)/bills", token: maria).json["items"] as? [[String: Any]] ?? []
                let overdue = listed.filter { $0["overdue"] as? Bool == true }
                let debt = overdue.compactMap { ($0["updated"] as? [String: Any])?["totalCents"] as? Int }.reduce(0, +)
                AEq(overdue.count, 2, "\(engine): Maria's two overdue bills")
                let down = (debt * 20 + 99) / 100  // the kiosk's minimum, 20 %
                var key = 0
                func sign(_ token: String, _ matricula: String, _ doc: String, down: Int, count: Int, reuse: String? = nil) async throws
                    -> TestResponse
                {
                    key += 1
                    return try await client.post(
                        "/v1/properties/\(matricula)/agreements",
                        ["documento": doc, "downPaymentCents": down, "count": count, "accept": true],
                        token: token, headers: ["Idempotency-Key": reuse ?? "agr-\(engine)-\(key)"])
                }

                // The kiosk's limits: 12 installments, 20 % down.
                var r = try await sign(maria, m, Demo.maria.doc, down: down, count: 13)
                AEq(r.status, .unprocessableContent, "\(engine)")
                ATrue(r.errorMessage?.hasPrefix("Acima do limite do autoatendimento (até 12 parcelas") == true, r.errorMessage ?? "")
                AEq(try await sign(maria, m, Demo.maria.doc, down: down - 1, count: 6).errorCode, "limit")
                AEq(try await sign(maria, m, "529.982.247-25", down: down, count: 6).errorCode, "not_responsible")

                // The terms shown before signing: the simulation of the same down payment and count.
                let same = try await client.post(
                    "/v1/properties/\(m)/installment-simulations", ["documento": Demo.maria.doc, "downPaymentCents": down, "count": 6],
                    token: maria
                ).json
                r = try await sign(maria, m, Demo.maria.doc, down: down, count: 6, reuse: "agr-\(engine)-once")
                AEq(r.status, .created, "\(engine): \(r.json)")
                let id = try XCTUnwrap(r.json["id"] as? Int)
                AEq(r.json["status"] as? String, "ativo")
                AEq(r.json["channel"] as? String, "kiosk")
                AEq(r.json["debtCents"] as? Int, debt)
                let installments = r.json["installments"] as? [[String: Any]] ?? []
                AEq(installments.compactMap { $0["seq"] as? Int }, [0, 1, 2, 3, 4, 5, 6])
                AEq(installments.first?["dueOn"] as? String, "2026-11-26", "the down payment, like a statement")
                AEq(installments.first?["amountCents"] as? Int, down)
                // The installments are the simulation's for the same terms, on the property's due day.
                AEq(installments.dropFirst().compactMap { $0["amountCents"] as? Int }, same["installments"] as? [Int], "\(engine)")
                let day = try await server.store.read { db in
                    try await db.raw("SELECT dia_vencimento FROM properties WHERE matricula = \(bind: m)").first()!.decode(
                        column: "dia_vencimento", as: Int.self)
                }
                AEq(
                    installments.dropFirst().compactMap { $0["dueOn"] as? String },
                    AgreementSchedule.dueDates(signedOn: CivilDate(year: 2026, month: 11, day: 23)!, count: 6, day: day).map(\.iso))
                for i in installments {
                    let p = try XCTUnwrap(i["payment"] as? [String: Any])
                    let barcode = try XCTUnwrap(ArrecadacaoBarcode(reading: p["linhaDigitavel"] as? String ?? ""), "check digits")
                    AEq(barcode.amount.cents, Int64(i["amountCents"] as? Int ?? -1))
                    let due = (i["dueOn"] as? String ?? "").filter(\.isNumber)
                    AEq(barcode.freeField, due + "4" + String(format: "%016d", id * 1000 + (i["seq"] as? Int ?? 0)))
                }
                // The carnê: the terms, then a slip per installment that a barcode reader decodes to
                // the same codes (check digits valid), three slips to a page; one slip again alone.
                let pdf = try await client.get("/v1/properties/\(m)/agreements/\(id)/carne", token: maria)
                AEq(pdf.status, .ok, "\(engine)")
                let read = try PDFReading.symbols(Data(buffer: pdf.body))
                AEq(read.pages, 1 + 3, "terms + 7 slips three to a page")
                let barcodes = read.symbols.filter { $0.type == "I2/5" }.map(\.data)
                AEq(
                    Set(barcodes), Set(installments.compactMap { ($0["payment"] as? [String: Any])?["barcode"] as? String }),
                    "\(engine): \(read.symbols)")
                AEq(barcodes.count, 7)
                ATrue(barcodes.allSatisfy { ArrecadacaoBarcode(reading: $0) != nil })
                AEq(
                    Set(read.symbols.filter { $0.type == "QR-Code" }.map(\.data)),
                    Set(installments.compactMap { ($0["payment"] as? [String: Any])?["pix"] as? String }))
                let terms = try PDFReading.text(Data(buffer: pdf.body), layout: false).split(whereSeparator: \.isWhitespace).joined(
                    separator: " ")
                ATrue(terms.contains("Acordo nº \(id), assinado em 23/11/2026 no autoatendimento"), terms)
                ATrue(terms.contains("O acordo é rompido com 3 parcelas vencidas e não pagas"), terms)
                let again = try await client.get("/v1/properties/\(m)/agreements/\(id)/carne?seq=3", token: maria)
                let one = try PDFReading.symbols(Data(buffer: again.body))
                AEq(one.pages, 1)
                AEq(
                    one.symbols.filter { $0.type == "I2/5" }.map(\.data),
                    [(installments[3]["payment"] as? [String: Any])?["barcode"] as? String ?? ""])
                AEq(try await client.get("/v1/properties/\(m)/agreements/\(id)/carne", token: company).status, .notFound)
                AEq(try await client.get("/v1/properties/\(m)/agreements/\(id)/carne?seq=9", token: maria).status, .notFound)

                // The bills are in the agreement now.
                let inAgreement = Set((r.json["bills"] as? [[String: Any]] ?? []).compactMap { $0["billId"] as? Int })
                let bills = try await client.get("/v1/properties/\(m)/bills", token: maria).json["items"] as? [[String: Any]] ?? []
                AEq(
                    Set(bills.filter { $0["situacao"] as? String == "parcelada" }.compactMap { $0["id"] as? Int }), inAgreement,
                    "\(engine)")
                AEq(inAgreement, Set(overdue.compactMap { $0["id"] as? Int }))

                // Once per key; a second agreement is refused while this one is active.
                r = try await sign(maria, m, Demo.maria.doc, down: down, count: 6, reuse: "agr-\(engine)-once")
                AEq(r.headers[HTTPField.Name("Idempotency-Replayed")!], "true")
                AEq(r.json["id"] as? Int, id)
                AEq(try await sign(maria, m, Demo.maria.doc, down: down, count: 6).status, .unprocessableContent)
                AEq((try await client.get("/v1/properties/\(m)/agreements", token: maria).json["items"] as? [Any])?.count, 1)
                AEq(try await client.get("/v1/properties/\(m)/agreements/\(id)", token: company).status, .notFound, "\(engine)")
                AEq(try await client.get("/v1/properties/\(Demo.companyNorm)/agreements/\(id)", token: company).status, .notFound)

                // The attendant's limits (18 installments); a supervisor goes up to the policy (24).
                let ana = try await client.staffToken()
                let carla = try await client.staffToken("carla", "supervisao123")
                let hers =
                    try await client.get("/v1/properties/\(Self.anaLuiza.norm)/bills", token: ana).json["items"] as? [[String: Any]] ?? []
                let herDebt = hers.filter { $0["overdue"] as? Bool == true }.compactMap {
                    ($0["updated"] as? [String: Any])?["totalCents"] as? Int
                }.reduce(0, +)
                let herDown = (herDebt * 15 + 99) / 100
                r = try await sign(ana, Self.anaLuiza.norm, Self.anaLuiza.doc, down: herDown, count: 20)
                ATrue(r.errorMessage?.hasPrefix("Acima do limite do atendente (até 18 parcelas") == true, r.errorMessage ?? "")
                r = try await sign(carla, Self.anaLuiza.norm, Self.anaLuiza.doc, down: herDown, count: 20)
                AEq(r.status, .created, "\(engine): a supervisor, up to the policy: \(r.json)")
                AEq(r.json["channel"] as? String, "staff")
                let audit = try await AuditLog(store: server.store, clock: AppClock(now: { Date() }, timeZone: "America/Sao_Paulo"))
                    .entries(staff: "carla")
                ATrue(audit.contains { $0.action == "assinar_acordo" && $0.matricula == Self.anaLuiza.norm }, "\(audit)")
            }
        }
    }
}
