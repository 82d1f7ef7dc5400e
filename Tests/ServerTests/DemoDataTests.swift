import Domain
import Foundation
import XCTest

@testable import Server

/// The demo keeps its promises on every day of the year: the situations the login screen's
/// hints and the tests rely on hold whatever today is (issue 9).
final class DemoDataTests: XCTestCase {
    /// What each curated fixture promises, written here independently of the generator:
    /// (overdue, open not yet due, under review, in installments).
    static let promises: [Int: (overdue: Int, upcoming: Int, review: Int, parcelada: Int)] = [
        10001: (2, 1, 0, 0),  // "contas vencidas" and one "a vencer"
        10002: (0, 0, 0, 0),  // "tudo pago"
        10003: (1, 1, 1, 0),  // one bill under review (card payment): past due, so overdue until approved (issue 27)
        10004: (0, 1, 0, 0),  // the company: one bill still to come
        10005: (1, 1, 0, 0),  // cut connection, one overdue bill (signs an agreement in the e2e)
        10006: (1, 1, 0, 0),  // public body, mixed
        10007: (8, 1, 0, 0),  // 8 overdue, due day changed two months ago
        10008: (0, 1, 0, 6),  // an agreement in good standing
    ]

    func testEveryDayOfALeapYearKeepsEveryFixturePromise() throws {
        var day = try XCTUnwrap(CivilDate(iso: "2028-01-01"))
        var days = 0
        while day.year == 2028 {
            try check(day)
            day = day.adding(days: 1)
            days += 1
        }
        XCTAssertEqual(days, 366)
        // And the turn of a few other years (31/12 → 01/01, non-leap February).
        for iso in ["2026-12-31", "2027-01-01", "2027-02-28", "2027-03-01", "2029-12-31"] {
            try check(try XCTUnwrap(CivilDate(iso: iso)))
        }
    }

    private func check(_ today: CivilDate) throws {
        let schedule = DemoData.fixtureSchedule(reference: today)
        var rng = SplitMix64(seed: 1)
        XCTAssertEqual(Set(DemoData.fixtures.map(\.sequence)), Set(Self.promises.keys))
        for f in DemoData.fixtures {
            let s = schedule.forFixture(f.sequence)
            XCTAssertTrue(DueDatePolicy().days.contains(s.day), "\(f.sequence) on \(today): day \(s.day) is one of the utility's")
            let bills = DemoData.planBills(
                sequence: f.sequence, profile: f.profile, schedule: s, curated: true, categoria: f.categoria, economias: 1,
                sewage: true, tariffs: DemoData.BillPrices([:]), reference: today, rng: &rng)
            let overdue = bills.filter { $0.situacao.isOverdue(due: $0.due, today: today, calendar: .national) }
            let upcoming = bills.filter { $0.situacao == .aberta && !$0.situacao.isOverdue(due: $0.due, today: today, calendar: .national) }
            let promise = try XCTUnwrap(Self.promises[f.sequence])
            let context = "fixture \(f.sequence) on \(today)"
            XCTAssertEqual(overdue.count, promise.overdue, context)
            XCTAssertEqual(upcoming.count, promise.upcoming, context)
            XCTAssertEqual(bills.filter { $0.situacao == .emRevisao }.count, promise.review, context)
            XCTAssertEqual(bills.filter { $0.situacao == .parcelada }.count, promise.parcelada, context)
            // Overdue by a margin that a weekend or a holiday cannot erase; upcoming by days.
            for b in overdue { XCTAssertLessThanOrEqual(b.due, today.adding(days: -16), context) }
            for b in upcoming { XCTAssertGreaterThanOrEqual(b.due, today.adding(days: DemoData.BillSchedule.leadDays), context) }
            // Nothing paid in the future; 24 consecutive months, newest first, none after this month.
            for b in bills { if let paid = b.paidOn { XCTAssertLessThanOrEqual(paid, today, context) } }
            XCTAssertEqual(bills.count, 24, context)
            for (a, b) in zip(bills, bills.dropFirst()) { XCTAssertEqual(a.competencia.adding(months: -1), b.competencia, context) }
            XCTAssertLessThanOrEqual(bills[0].competencia, Competencia(year: today.year, month: today.month)!, context)
            // Dívida ativa: 10007's three oldest overdue bills, inscribed after they fell due and before today.
            let inscribed = bills.filter { $0.dividaAtivaSince != nil }
            XCTAssertEqual(inscribed.count, f.sequence == DemoData.dividaAtivaFixture ? 3 : 0, context)
            for b in inscribed {
                XCTAssertTrue(b.situacao.isOverdue(due: b.due, today: today, calendar: .national), context)
                XCTAssertGreaterThan(b.dividaAtivaSince!, b.due, context)
                XCTAssertLessThan(b.dividaAtivaSince!, today, context)
            }
        }
        // 10008's agreement holds: signed after its bills fell due, the installments due before
        // today paid (never in the future), the next one still to come.
        let agreementSchedule = schedule.forFixture(DemoData.agreementFixture)
        let held = DemoData.agreementBills.map { agreementSchedule.bill($0) }
        let plan = try DemoData.planAgreement(
            bills: held.map { ($0.due, Money(cents: 10_000)) }, dueDay: agreementSchedule.day, reference: today)
        XCTAssertGreaterThan(plan.signedOn, held.map(\.due).max()!, "\(today)")
        XCTAssertLessThan(plan.signedOn, today, "\(today)")
        XCTAssertEqual(plan.installments.count, 11)
        XCTAssertGreaterThan(plan.installments.reduce(Money.zero) { $0 + $1.amount }, plan.debt, "interest at 1 % a.m.")
        for i in plan.installments { if let paid = i.paidOn { XCTAssertLessThanOrEqual(paid, today, "\(today)") } }
        XCTAssertTrue(plan.installments.contains { $0.paidOn == nil }, "\(today): some installments still to come")
        XCTAssertEqual(
            AgreementStanding.evaluate(
                plan.installments.map { .init(due: $0.due, paid: $0.paidOn != nil) }, today: today, calendar: .national,
                maxOverdueInstallments: 3, maxOverdueDays: 90), .emDia, "\(today)")
        // 10007 changed its due day two months ago: a new change is still refused, the bills
        // issued before the change fall on the old day and the newer ones on the new day.
        let changed = schedule.forFixture(10007)
        let on = try XCTUnwrap(changed.changedOn)
        let previous = try XCTUnwrap(changed.previousDay)
        XCTAssertEqual(on, today.adding(days: -60))
        XCTAssertNotEqual(previous, changed.day)
        XCTAssertGreaterThan(DueDatePolicy().nextChangeAllowed(after: on), today)
        let dues = (0..<24).map { changed.bill($0).due }
        XCTAssertEqual(dues[0].day, changed.day, "\(today)")
        XCTAssertEqual(dues[23].day, previous, "\(today)")
        for d in dues where d < on { XCTAssertEqual(d.day, previous, "due \(d) before the change of \(on)") }
    }

    /// The same promises through the API of a real server started on pinned dates (month ends,
    /// 29/02, 31/12, a Sunday): what the home screen of each fixture shows.
    func testPinnedDatesThroughTheAPI() async throws {
        for iso in ["2027-01-31", "2027-02-28", "2028-02-29", "2027-04-30", "2026-11-29", "2026-11-30", "2026-10-31", "2026-12-31"] {
            let day = try XCTUnwrap(CivilDate(iso: iso))
            try await Harness.withServer(.sqlite, configure: { $0.demoToday = day }) { client in
                let staff = try await client.staffToken()
                for (sequence, promise) in Self.promises {
                    let m = try XCTUnwrap(Matricula(sequence: String(sequence))).normalized
                    let r = try await client.get("/v1/properties/\(m)", token: staff)
                    let debts = try XCTUnwrap(r.json["debts"] as? [String: Any], "\(iso) \(m): \(r.json)")
                    XCTAssertEqual(debts["overdueCount"] as? Int, promise.overdue, "\(iso) \(m)")
                    XCTAssertEqual(debts["openCount"] as? Int, promise.overdue + promise.upcoming, "\(iso) \(m)")
                    XCTAssertEqual(debts["underReviewCount"] as? Int, promise.review, "\(iso) \(m)")
                    XCTAssertEqual(debts["inAgreementCount"] as? Int, promise.parcelada, "\(iso) \(m)")
                }
                // Maria's other properties, as her home lists them: 10003's bill under review is said.
                let maria = try await client.customerToken("10001-3", "111.444.777-35")
                let linked = try await client.get("/v1/properties/100013/linked", token: maria)
                let items = try XCTUnwrap(linked.json["items"] as? [[String: Any]], "\(linked.json)")
                let review = items.first { $0["matricula"] as? String == "100030" }
                XCTAssertEqual(review?["underReviewCount"] as? Int, Self.promises[10003]?.review, iso)
                XCTAssertEqual(review?["openCount"] as? Int, Self.promises[10003]?.upcoming, iso)
                let due = try await client.get("/v1/properties/100072/due-date", token: staff)
                XCTAssertEqual(due.json["canChange"] as? Bool, false, "\(iso): \(due.json)")
                // 10008's agreement is in good standing on every date: its certidão is positiva com efeito de negativa.
                let josefa = try XCTUnwrap(Matricula(sequence: String(DemoData.agreementFixture))).normalized
                let agreements = try await client.get("/v1/properties/\(josefa)/agreements", token: staff)
                let agreement = try XCTUnwrap((agreements.json["items"] as? [[String: Any]])?.first, "\(iso): \(agreements.json)")
                XCTAssertEqual(agreement["status"] as? String, "ativo", iso)
                XCTAssertEqual((agreement["bills"] as? [Any])?.count, 6, iso)
                let certidao = try await client.post(
                    "/v1/properties/\(josefa)/certidoes", [:], token: staff, headers: ["Idempotency-Key": "demo-\(iso)"])
                XCTAssertEqual(certidao.json["kind"] as? String, "positiva_com_efeito_de_negativa", "\(iso): \(certidao.json)")
                let bills = try await client.get("/v1/properties/100013/bills", token: staff)
                XCTAssertEqual(bills.json["asOf"] as? String, iso, "the server's today is the pinned date")
            }
        }
    }

    /// The embedded demo's day of work (`demoProtocols`): each protocol keeps its promise on
    /// pinned dates (a year's turn inside the last 40 days, 29/02, 31/12), as staff and Maria see it.
    func testTheDemosProtocolsKeepTheirPromises() async throws {
        for iso in ["2027-01-05", "2028-02-29", "2026-12-31"] {
            let day = try XCTUnwrap(CivilDate(iso: iso))
            try await Harness.withServer(.sqlite, configure: { $0.demoToday = day; $0.demoProtocols = true }) { client in
                let diego = try await client.staffToken("diego", "comercial123")
                let queue = try await client.get("/v1/queue", token: diego).json["items"] as? [[String: Any]] ?? []
                func row(_ subject: String) -> [String: Any] { queue.first { $0["subject"] as? String == subject } ?? [:] }
                XCTAssertEqual(queue.count, 3, "\(iso): the concluded one is not in the queue: \(queue)")
                let late = row("Leitura estimada por dois meses")
                XCTAssertEqual(late["deadlineState"] as? String, "atrasado", iso)
                XCTAssertEqual(late["situation"] as? String, "aberto", "\(iso): nobody took it yet")
                XCTAssertEqual(row("Conta com tarifa comercial")["deadlineState"] as? String, "proximo", iso)
                XCTAssertEqual(row("Conta com tarifa comercial")["situation"] as? String, "recebido", iso)
                XCTAssertEqual(row("Ligação de esgoto")["deadlineState"] as? String, "em_dia", iso)
                XCTAssertEqual(row("Ligação de esgoto")["situation"] as? String, "em_andamento", iso)
                let bruno = try await client.staffToken("bruno", "backoffice123")
                let ouvidoria = try await client.get("/v1/queue", token: bruno).json["items"] as? [[String: Any]] ?? []
                XCTAssertEqual(ouvidoria.map { $0["subject"] as? String }, ["Revisão de conta sem resposta"], iso)
                XCTAssertEqual(ouvidoria.first?["deadlineState"] as? String, "em_dia", iso)
                // Maria sees hers at the kiosk, the concluded one with its public answer and not the private dispatch.
                let maria = try await client.customerToken("10001-3", "111.444.777-35")
                let mine = try await client.get("/v1/properties/\(Demo.mariaNorm)/protocols", token: maria).json["items"] as? [[String: Any]] ?? []
                let concluded = try XCTUnwrap(mine.first { $0["subject"] as? String == "Consumo acima da média" }, "\(iso): \(mine)")
                XCTAssertEqual(concluded["situation"] as? String, "concluido", iso)
                let number = try XCTUnwrap(concluded["number"] as? String)
                let detail = try await client.get("/v1/protocols/\(number)", token: maria)
                let texts = (detail.json["steps"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
                XCTAssertTrue(texts.contains { $0.hasPrefix("A leitura foi conferida") }, "\(iso): \(detail.json)")
                XCTAssertFalse(texts.contains { $0.hasPrefix("Leiturista") }, "\(iso): private dispatches stay inside")
            }
        }
    }

    func testDemoTodayIsRefusedOutsideTheDemo() throws {
        var c = ServerConfiguration()
        c.demoToday = CivilDate(iso: "2028-02-29")
        XCTAssertThrowsError(try c.validate(), "without demo data")
        c.seed = "demo"
        XCTAssertNoThrow(try c.validate())
        c.cardCompanies = [CardCompany(id: "rede", nome: "Rede", feeBasisPoints: 100, endpoint: "https://example.com", secret: "s")]
        XCTAssertThrowsError(try c.validate(), "with a real card company")
        var p = ServerConfiguration()
        p.demoProtocols = true
        p.seed = "ci"
        XCTAssertThrowsError(try p.validate(), "demo protocols only over the demo data")
        p.seed = "demo"
        XCTAssertNoThrow(try p.validate())
    }
}
