import Domain
import Foundation
import HummingbirdTesting
import PDFReading
import SQLKit
import XCTest

@testable import Server

/// Declarações anuais de quitação (Lei 12.007/2009) through the API and the batch, on both
/// engines, on a pinned 10/02/2027 — so 2026 has ended: issued for a property whose 2026 bills
/// are all paid (the same one when asked again), refused naming the open bills, or the agreement
/// not yet quitado, or the year not ended; the batch issues exactly what an independent SQL query
/// counts as eligible, once, and e-mails through the outbox; a second holder of the lease is refused.
final class DeclaracaoAPITests: XCTestCase {
    static let today = CivilDate(iso: "2027-02-10")!

    func testIssueRefuseAndBatch() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.demoToday = Self.today }) { client, server in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let staff = try await client.staffToken()
                func issue(_ m: String, _ year: Int, _ token: String) async throws -> TestResponse {
                    try await client.post("/v1/properties/\(m)/declaracoes", ["ano": year], token: token)
                }

                // 10002-1: every bill due in 2026 paid.
                let bills = try await client.get("/v1/properties/\(Demo.mariaPaid)/bills", token: maria).json["items"] as? [[String: Any]]
                let of2026 = (bills ?? []).filter { ($0["dueOn"] as? String ?? "").hasPrefix("2026-") }
                var r = try await issue(Demo.mariaPaid, 2026, maria)
                AEq(r.status, .created, "\(engine): \(r.json)")
                let lines = r.json["lines"] as? [[String: Any]] ?? []
                AEq(lines.count, of2026.count, "one line per bill due in 2026")
                ATrue(lines.count >= 11, "\(lines.count)")
                ATrue(lines.allSatisfy { $0["situacao"] as? String == "PAGA" }, "\(lines)")
                AEq(r.json["totalCents"] as? Int, lines.compactMap { $0["amountCents"] as? Int }.reduce(0, +))
                let id = r.json["id"] as? Int
                // Asked again (from the counter too): the same declaration.
                r = try await issue(Demo.mariaPaid, 2026, staff)
                AEq(r.json["id"] as? Int, id, "\(engine)")
                // The years offered: ended ones with bills, newest first, this one issued.
                let years = try await client.get("/v1/properties/\(Demo.mariaPaid)/declaracoes", token: maria).json["items"] as? [[String: Any]]
                AEq(years?.compactMap { $0["ano"] as? Int }, [2026, 2025], "\(engine): 2027 has not ended")
                AEq(years?.first?["issued"] as? Bool, true)
                AEq(years?.last?["issued"] as? Bool, false)
                let pdf = try await client.get("/v1/properties/\(Demo.mariaPaid)/declaracoes/2026/pdf", token: maria)
                AEq(pdf.status, .ok)
                let text = try PDFReading.text(Data(buffer: pdf.body), layout: false).split(whereSeparator: \.isWhitespace).joined(
                    separator: " ")
                ATrue(text.contains("Declaração Anual de Quitação de Débitos") && text.contains("Ano base: 2026"), text)
                ATrue(text.contains("Atendendo à Lei nº 12.007/2009") && text.contains("10002-1"), text)
                ATrue(text.contains("***.444.777-**") && !text.contains("111.444.777-35"), "the CPF masked on paper")

                // Refusals: open bills listed, an agreement not quitado, a year not ended, a year without bills.
                r = try await issue("100072", 2026, staff)
                AEq(r.status, .conflict, "\(engine): \(r.json)")
                let reasons = (r.errorMessage ?? "").split(separator: "\n").filter { $0.hasPrefix("•") }
                ATrue(reasons.count >= 7 && reasons.allSatisfy { $0.hasSuffix("em aberto.") }, r.errorMessage ?? "")
                r = try await issue("100080", 2026, staff)
                AEq(r.status, .conflict)
                ATrue(
                    (r.errorMessage ?? "").contains("ainda não quitado") && (r.errorMessage ?? "").contains("parcelamento nº"),
                    r.errorMessage ?? "")
                r = try await issue(Demo.mariaPaid, 2027, maria)
                ATrue((r.errorMessage ?? "").contains("O ano de 2027 ainda não terminou"), r.errorMessage ?? "")
                r = try await issue(Demo.mariaPaid, 2020, maria)
                ATrue((r.errorMessage ?? "").contains("Não há contas com vencimento em 2020"), r.errorMessage ?? "")
                AEq(
                    try await client.get("/v1/properties/100072/declaracoes/2026/pdf", token: staff).status, .notFound,
                    "refused: none stored")

                // Another property's declaration: not found, by every way in.
                AEq(try await issue("100080", 2025, maria).status, .notFound)
                AEq(try await client.get("/v1/properties/100080/declaracoes/2025/pdf", token: maria).status, .notFound)
                AEq(try await client.get("/v1/properties/100080/declaracoes", token: maria).status, .notFound)
                let foreign = try await client.post(
                    "/v1/properties/\(Demo.maria.m.replacingOccurrences(of: "-", with: ""))/emails",
                    ["document": ["kind": "declaracao", "id": id ?? 0], "to": "x@example.com"], token: maria,
                    headers: ["Idempotency-Key": "decl-foreign-\(engine)"])
                AEq(foreign.status, .notFound, "\(engine): another property's declaration by id")

                // The batch: exactly the eligible properties, counted here by a query of its own.
                let store = server.store
                let eligible = try await store.read { db in
                    try await db.raw(
                        """
                        SELECT COUNT(*) AS n FROM properties p
                        WHERE EXISTS (SELECT 1 FROM bills b WHERE b.matricula = p.matricula AND b.vencimento LIKE '2026-%')
                          AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.matricula = p.matricula AND b.vencimento LIKE '2026-%'
                            AND b.situacao <> 'paga')
                        """
                    ).first()!.decode(column: "n", as: Int.self)
                }
                let total = try await store.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM properties").first()!.decode(column: "n", as: Int.self)
                }
                ATrue(eligible > 100 && eligible < total, "\(eligible) of \(total): some refused")
                let now: @Sendable () -> Int64 = { Int64(Self.today.daysSinceEpoch) * 86_400 + 43_200 }
                var pages = 0
                let first = try await DeclaracaoBatch.run(
                    store: store, year: 2026, today: Self.today, emailEnabled: true, pageSize: 40, now: now,
                    progress: { done, all in XCTAssertLessThanOrEqual(done, all) })
                AEq(first.eligible, eligible, "\(engine): \(first)")
                AEq(first.alreadyIssued, 1, "10002-1's, asked for above")
                AEq(first.issued + first.refused.values.reduce(0, +) + first.alreadyIssued, total)
                AEq(first.totalForYear, eligible)
                ATrue(first.refused[.openBills, default: 0] > 0 && first.refused[.agreementNotPaid] == 1, "\(first)")
                // E-mailed: each new declaration whose holder has an address, through the outbox.
                let queued = try await store.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM email_outbox WHERE document_kind = 'declaracao'").first()!
                        .decode(column: "n", as: Int.self)
                }
                AEq(queued, first.emailed)
                ATrue(first.emailed > 0, "the demo's holders with e-mail")
                // Run again: nothing new, nothing twice.
                let second = try await DeclaracaoBatch.run(
                    store: store, year: 2026, today: Self.today, emailEnabled: true, pageSize: 1000, now: now,
                    progress: { _, _ in pages += 0 })
                AEq(second.issued, 0)
                AEq(second.emailed, 0)
                AEq(second.alreadyIssued, eligible)
                AEq(second.resumed, false, "the first one finished")
                // Another holder (on another machine, lease still running): refused.
                try await store.write { db in
                    try await db.raw(
                        "INSERT INTO batch_runs (name, holder, lease_until) VALUES ('declaracoes-2025', 'outra-maquina:1', \(bind: now() + 60))"
                    ).run()
                }
                do {
                    _ = try await DeclaracaoBatch.run(
                        store: store, year: 2025, today: Self.today, emailEnabled: false, pageSize: 100, now: now, progress: { _, _ in })
                    XCTFail("\(engine): two holders of one lease")
                } catch let busy as BatchBusy {
                    ATrue(busy.description.contains("outra-maquina:1"), busy.description)
                }
            }
        }
    }
}
