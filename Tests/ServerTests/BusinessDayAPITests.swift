import Domain
import Foundation
import HummingbirdTesting
import SQLKit
import XCTest

@testable import Server

/// A bill due on a weekend or holiday is paid without charges on the next business day, through
/// the API: the debts list, the home summary, statements and installments all agree (issue 10).
final class BusinessDayAPITests: XCTestCase {
    /// Moves Maria's newest open bill to Saturday 28/11/2026 and returns its id.
    func dueOnSaturday(_ server: AgenciaServer) async throws -> Int64 {
        try await server.store.write { db in
            let row = try await db.raw(
                "SELECT id FROM bills WHERE matricula = \(bind: Demo.mariaNorm) AND situacao = 'aberta' ORDER BY competencia DESC LIMIT 1"
            ).first()
            let id = try XCTUnwrap(row).decode(column: "id", as: Int64.self)
            try await db.raw("UPDATE bills SET vencimento = '2026-11-28' WHERE id = \(bind: id)").run()
            return id
        }
    }

    func bill(_ client: any TestClientProtocol, _ id: Int64, _ token: String) async throws -> [String: Any] {
        let r = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
        XCTAssertEqual(r.status, .ok)
        let items = try XCTUnwrap(r.json["items"] as? [[String: Any]])
        return try XCTUnwrap(items.first { ($0["id"] as? Int).map(Int64.init) == id })
    }

    func overdueCount(_ client: any TestClientProtocol, _ token: String) async throws -> Int? {
        let r = try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token)
        return (r.json["debts"] as? [String: Any])?["overdueCount"] as? Int
    }

    func testDueOnSaturdayIsPayableOnMondayWithoutCharges() async throws {
        try await forEachEngine { engine in
            // Sunday 29/11/2026, 10:00 in Aracaju.
            let clock = TestClock("2026-11-29T13:00:00Z")
            try await Harness.withServer(engine, clock: clock) { client, server in
                let id = try await dueOnSaturday(server)
                var token = try await client.staffToken()
                let before = try await overdueCount(client, token)
                for (day, seconds) in [("domingo", 86_400.0), ("segunda", 86_400.0)] {
                    let b = try await bill(client, id, token)
                    AEq(b["overdue"] as? Bool, false, "\(engine) \(day): \(b)")
                    AEq(b["payableUntilOn"] as? String, "2026-11-30", "\(engine) \(day)")
                    ATrue(b["updated"] == nil, "\(engine) \(day): no charges")
                    AEq(try await overdueCount(client, token), before, "\(engine) \(day): the home does not count it")
                    clock.advance(seconds)
                    token = try await client.staffToken()  // a shift's session does not last a day
                }
                // Clock now on Monday + 1 = Tuesday 01/12: one day late, counted from Monday.
                let late = try await bill(client, id, token)
                AEq(late["overdue"] as? Bool, true, "\(engine): \(late)")
                let u = try XCTUnwrap(late["updated"] as? [String: Any])
                AEq(u["daysLate"] as? Int, 1, "\(engine)")
                let value = try XCTUnwrap(late["amountCents"] as? Int)
                AEq(u["fineCents"] as? Int, Int(Money(cents: Int64(value)).share(basisPoints: 200).cents), "\(engine)")
                AEq(try await overdueCount(client, token), (before ?? 0) + 1, "\(engine)")
            }
        }
    }

    func testLocalHolidayFromConfigurationMovesItFurther() async throws {
        let clock = TestClock("2026-11-30T13:00:00Z")  // Monday 30/11, a local holiday here
        try await Harness.withServer(.sqlite, clock: clock, configure: { $0.localHolidays = ["11-30"] }) { client, server in
            let id = try await dueOnSaturday(server)
            clock.advance(86_400)  // Tuesday 01/12: still without charges
            let token = try await client.staffToken()
            let b = try await bill(client, id, token)
            AEq(b["payableUntilOn"] as? String, "2026-12-01")
            AEq(b["overdue"] as? Bool, false, "\(b)")
        }
        var bad = ServerConfiguration()
        bad.localHolidays = ["30/11"]
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("localHolidays"), "\($0)") }
    }
}
