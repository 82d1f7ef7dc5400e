import Domain
import Foundation
import HummingbirdTesting
import PDFReading
import XCTest

@testable import Server

/// An agreement's life on both engines, from Monday 23/11/2026: installments paid by the banks'
/// return file (`ArrecadacaoImport`), then three installments left unpaid break it — what was
/// paid settles the oldest bills, the rest return open for what remains — and a new agreement
/// paid in full is quitado, its bills paid, the certidão negativa. The file's refusals: the same
/// file twice, an amount that is not the document's, an installment of a broken agreement.
final class AgreementLifecycleAPITests: XCTestCase {
    func testPaidByTheBankBrokenWhenLateQuitadoWhenPaid() async throws {
        let clock = TestClock()
        try await forEachEngine { engine in
            try await Harness.withServer(engine, clock: clock) { client, server in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                var staff = try await client.staffToken()
                let m = "100072"  // Ana Luíza: eight overdue bills
                let companies = DocumentFactory(utility: ServerConfiguration().utility).companies
                var nsa = 0
                func pay(_ items: [(barcode: String, cents: Int)], on day: CivilDate) async throws -> ArrecadacaoImport.Summary {
                    nsa += 1
                    let file = ArrecadacaoRetorno(
                        convenio: "000123", bank: "001", bankName: "BANCO", generatedOn: day, nsa: nsa,
                        payments: items.enumerated().map { k, p in
                            .init(
                                nsr: k + 1, paidOn: day, creditedOn: day, barcode: ArrecadacaoBarcode(reading: p.barcode)!,
                                amount: Money(cents: Int64(p.cents)), channel: "3")
                        })
                    return try await ArrecadacaoImport.apply(
                        file, store: server.store, companies: companies, now: Int64(clock.now.timeIntervalSince1970))
                }
                func sign(count: Int, key: String) async throws -> [String: Any] {
                    let bills = try await client.get("/v1/properties/\(m)/bills", token: staff).json["items"] as? [[String: Any]] ?? []
                    let debt = bills.filter { $0["overdue"] as? Bool == true }.compactMap {
                        ($0["updated"] as? [String: Any])?["totalCents"] as? Int
                    }
                    .reduce(0, +)
                    let r = try await client.post(
                        "/v1/properties/\(m)/agreements",
                        ["documento": "39053344705", "downPaymentCents": (debt * 15 + 99) / 100, "count": count, "accept": true],
                        token: staff,
                        headers: ["Idempotency-Key": "\(key)-\(engine)"])
                    AEq(r.status, .created, "\(engine): \(r.json)")
                    return r.json
                }
                func codes(_ a: [String: Any]) -> [(barcode: String, cents: Int)] {
                    (a["installments"] as? [[String: Any]] ?? []).map {
                        (($0["payment"] as? [String: Any])?["barcode"] as? String ?? "", $0["amountCents"] as? Int ?? 0)
                    }
                }
                let today = CivilDate(iso: "2026-11-23")!

                let first = try await sign(count: 6, key: "life-1")
                let id = first["id"] as? Int ?? 0
                let slips = codes(first)
                // The down payment and the first installment, paid at the bank.
                var s = try await pay(Array(slips.prefix(2)), on: today.adding(days: 2))
                AEq(s.outcomes[.aplicado], 2, "\(engine): \(s)")
                // Paid twice (another file), or for less than the document: reported, nothing changes.
                s = try await pay([slips[1], (slips[2].barcode, slips[2].cents - 1)], on: today.adding(days: 3))
                AEq(s.outcomes[.duplicado], 1, "\(s)")
                AEq(s.outcomes[.divergente], 1, "\(s)")
                do {
                    let again = ArrecadacaoRetorno(
                        convenio: "000123", bank: "001", bankName: "BANCO", generatedOn: today, nsa: 1, payments: [])
                    _ = try await ArrecadacaoImport.apply(again, store: server.store, companies: companies, now: 0)
                    XCTFail("\(engine): the same NSA twice")
                } catch is ArrecadacaoImport.AlreadyImported {}
                var a = try await client.get("/v1/properties/\(m)/agreements/\(id)", token: staff).json
                AEq((a["installments"] as? [[String: Any]])?.filter { $0["paidOn"] != nil }.count, 2)

                // Seventy days on, installment 2 (due 28/01) is late: brought up to date to a date (C2).
                clock.advance(70 * 86_400)
                staff = try await client.staffToken()
                let soon = LocalCalendar.today(clock.now, timeZone: ServerConfiguration().timeZone)
                a = try await client.get("/v1/properties/\(m)/agreements/\(id)", token: staff).json
                let late = (a["installments"] as? [[String: Any]] ?? []).first { $0["seq"] as? Int == 2 } ?? [:]
                let charges = late["updated"] as? [String: Any] ?? [:]
                let until = soon.adding(days: ServerConfiguration().utility.statementValidDays)
                let expected = LateCharges(
                    original: Money(cents: Int64(slips[2].cents)), due: CivilDate(iso: late["dueOn"] as? String ?? "")!, paidOn: until,
                    calendar: .national, index: { _ in nil })
                AEq(charges["asOf"] as? String, until.iso, "\(engine): \(late)")
                AEq(charges["daysLate"] as? Int, expected.daysLate)
                AEq(charges["fineCents"] as? Int, Int(expected.fine.cents), "2 %")
                AEq(charges["interestCents"] as? Int, Int(expected.interest.cents), "1 % a month pro rata die")
                let total = charges["totalCents"] as? Int ?? 0
                AEq(
                    total,
                    slips[2].cents + (charges["fineCents"] as? Int ?? 0) + (charges["interestCents"] as? Int ?? 0)
                        + (charges["correctionCents"] as? Int ?? 0))
                let updatedCode = (late["updatedPayment"] as? [String: Any])?["barcode"] as? String ?? ""
                AEq(ArrecadacaoBarcode(reading: updatedCode)?.amount.cents, Int64(total))
                ATrue((a["installments"] as? [[String: Any]] ?? []).filter { $0["updated"] != nil }.count == 1, "only the late one")
                // Its 2ª via carries that barcode; paid with it at the bank, the installment is paid.
                let slip = try await client.get("/v1/properties/\(m)/agreements/\(id)/carne?seq=2", token: staff)
                AEq(slip.status, .ok)
                let read = try PDFReading.symbols(Data(buffer: slip.body)).symbols.filter { $0.type == "I2/5" }.map(\.data)
                AEq(read, [updatedCode], "\(engine)")
                s = try await pay([(updatedCode, total)], on: soon)
                AEq(s.outcomes[.aplicado], 1, "\(s)")

                // Five months after signing, three installments unpaid: broken on the hourly check (so is the
                // demo's 10008-0, whose installments nobody pays once the clock jumps). The server's own
                // job may get there first; either way each breaks once.
                clock.advance(90 * 86_400)
                staff = try await client.staffToken()
                let later = LocalCalendar.today(clock.now, timeZone: ServerConfiguration().timeZone)
                let repository = AgreementRepository(store: server.store)
                _ = try await repository.breakLate(settings: ServerConfiguration().agreements, today: later, calendar: .national, now: 0)
                let demo = try await client.get("/v1/properties/100080/agreements", token: staff).json["items"] as? [[String: Any]]
                AEq(demo?.first?["status"] as? String, "rompido", "\(engine)")
                AEq(
                    try await repository.breakLate(settings: ServerConfiguration().agreements, today: later, calendar: .national, now: 0), 0
                )
                a = try await client.get("/v1/properties/\(m)/agreements/\(id)", token: staff).json
                AEq(a["status"] as? String, "rompido")
                ATrue((a["endReason"] as? String ?? "").contains("parcelas vencidas e não pagas"), "\(a)")
                // What was paid — the down payment and the principal of installments 1 and 2 (the
                // latter's late charges are not principal) — settled the oldest bills.
                let down = first["downPaymentCents"] as? Int ?? 0
                let rate = Decimal(first["monthlyRateBasisPoints"] as? Int ?? 0) / 10_000
                let financed = (first["debtCents"] as? Int ?? 0) - down
                let interest1 = Int(Money.roundHalfUp(Decimal(financed) * rate))
                let balance1 = financed - (slips[1].cents - interest1)
                let interest2 = Int(Money.roundHalfUp(Decimal(balance1) * rate))
                let covered = down + (slips[1].cents - interest1) + (slips[2].cents - interest2)
                let held = (first["bills"] as? [[String: Any]] ?? []).map { ($0["billId"] as? Int ?? 0, $0["amountCents"] as? Int ?? 0) }
                var left = covered
                var settled: [Int] = []
                for (bill, amount) in held {
                    guard left >= amount else { break }
                    settled.append(bill)
                    left -= amount
                }
                ATrue(!settled.isEmpty && settled.count < held.count, "\(covered) over \(held)")
                let bills = try await client.get("/v1/properties/\(m)/bills", token: staff).json["items"] as? [[String: Any]] ?? []
                let byId = Dictionary(bills.map { ($0["id"] as? Int ?? 0, $0) }, uniquingKeysWith: { x, _ in x })
                for (bill, _) in held {
                    AEq(byId[bill]?["situacao"] as? String, settled.contains(bill) ? "paga" : "aberta", "\(engine): bill \(bill)")
                }
                // The next bill carries the leftover: less than its own value, the rest whole.
                let partly = held[settled.count].0
                let partlyValue = byId[partly]?["amountCents"] as? Int ?? 0
                ATrue(partlyValue > 0, "\(byId[partly] ?? [:])")
                // An installment of the broken agreement paid late: for the back office.
                s = try await pay([slips[3]], on: later)
                AEq(s.outcomes[.divergente], 1, "\(s)")

                // A new agreement over what is open now (the bills not in dívida ativa), paid in full:
                // quitado, its bills paid.
                let second = try await sign(count: 1, key: "life-2")
                ATrue((second["bills"] as? [[String: Any]])?.contains { $0["billId"] as? Int == partly } == true)
                s = try await pay(codes(second), on: later)
                AEq(s.settledAgreements, [Int64(second["id"] as? Int ?? 0)], "\(engine): \(s)")
                a = try await client.get("/v1/properties/\(m)/agreements/\(second["id"] as? Int ?? 0)", token: staff).json
                AEq(a["status"] as? String, "quitado")
                let after = try await client.get("/v1/properties/\(m)/bills", token: staff).json["items"] as? [[String: Any]] ?? []
                ATrue(after.allSatisfy { $0["situacao"] as? String != "parcelada" }, "\(after)")
                for (bill, _) in held { AEq(after.first { $0["id"] as? Int == bill }?["situacao"] as? String, "paga", "bill \(bill)") }
                // The certidão is still refused: the three bills inscribed in dívida ativa, each named.
                var certidao = try await client.post(
                    "/v1/properties/\(m)/certidoes", [:], token: staff, headers: ["Idempotency-Key": "life-cert-\(engine)"])
                AEq(certidao.status, .conflict)
                AEq(certidao.errorMessage?.components(separatedBy: "inscrita em dívida ativa em").count, 4, certidao.errorMessage ?? "")
                // They go in an agreement of their own kind, under the collection agreement's company code.
                let inscribed = after.filter { $0["dividaAtivaOn"] != nil }
                AEq(inscribed.count, 3, "\(engine)")
                let debtDA = inscribed.compactMap { ($0["updated"] as? [String: Any])?["totalCents"] as? Int }.reduce(0, +)
                let simulated = try await client.post(
                    "/v1/properties/\(m)/installment-simulations",
                    ["documento": "39053344705", "downPaymentCents": (debtDA * 15 + 99) / 100, "count": 3, "kind": "divida_ativa"],
                    token: staff)
                AEq(simulated.json["kind"] as? String, "divida_ativa")
                AEq(
                    Set((simulated.json["bills"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }),
                    Set(inscribed.compactMap { $0["id"] as? Int }))
                AEq(simulated.json["debtCents"] as? Int, debtDA, "\(engine): \(simulated.json)")
                let da = try await client.post(
                    "/v1/properties/\(m)/agreements",
                    [
                        "documento": "39053344705", "downPaymentCents": (debtDA * 15 + 99) / 100, "count": 3, "accept": true,
                        "kind": "divida_ativa",
                    ], token: staff, headers: ["Idempotency-Key": "life-da-\(engine)"])
                AEq(da.status, .created, "\(engine): \(da.json)")
                AEq(da.json["kind"] as? String, "divida_ativa")
                let companiesOnSlips = Set(codes(da.json).map { ArrecadacaoBarcode(reading: $0.barcode)?.company ?? "" })
                AEq(companiesOnSlips, [ServerConfiguration().utility.dividaAtivaFebrabanCompany])
                let carne = try await client.get("/v1/properties/\(m)/agreements/\(da.json["id"] as? Int ?? 0)/carne", token: staff)
                let text = try PDFReading.text(Data(buffer: carne.body), layout: false).split(whereSeparator: \.isWhitespace).joined(
                    separator: " ")
                ATrue(text.contains("Acordo de dívida ativa nº") && text.contains("Débitos inscritos em dívida ativa"), text)
                certidao = try await client.post(
                    "/v1/properties/\(m)/certidoes", [:], token: staff, headers: ["Idempotency-Key": "life-cert2-\(engine)"])
                AEq(certidao.json["kind"] as? String, "positiva_com_efeito_de_negativa", "\(engine): \(certidao.json)")
                // The bank's file takes the collection agreement's barcodes too.
                s = try await pay(Array(codes(da.json).prefix(1)), on: later)
                AEq(s.outcomes[.aplicado], 1, "\(s)")
            }
        }
    }
}
