import Foundation
import HummingbirdTesting
import XCTest

@testable import Server

/// Issue 28.6 on both engines: the queue counts a deadline's days in the utility's calendar, at
/// pinned instants around its midnight (the screens show the count as given). The utility is in
/// Maceió (UTC−3): a deadline at 23:30 on 01/12 is due today at 09:00 that day, a day late ten
/// minutes after its midnight though only 40 minutes past, three days late on 04/12.
final class QueueDeadlineAPITests: XCTestCase {
    func testDaysLeftAndLateInTheUtilitysCalendar() async throws {
        let clock = TestClock("2026-12-01T12:00:00Z")  // 09:00 on 01/12 in Maceió
        try await forEachEngine { engine in
            try await Harness.withServer(engine, clock: clock, configure: { $0.timeZone = "America/Maceio" }) { client in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                let ana = try await client.staffToken()
                for (key, deadline) in [("late", "2026-12-02T02:30:00Z"), ("ahead", "2026-12-31T20:00:00Z")] {
                    var body = ProtocolAPITests.request(1)
                    body["subject"] = key
                    body["deadlineAt"] = deadline
                    let r = try await client.post("/v1/protocols", body, token: ana, headers: ["Idempotency-Key": "deadline-\(engine)-\(key)"])
                    AEq(r.status, .created, "\(engine): \(r.json)")
                }
                func row(_ subject: String) async throws -> (String?, Int?) {
                    let diego = try await client.staffToken("diego", "comercial123")
                    let items = try await client.get("/v1/queue", token: diego).json["items"] as? [[String: Any]] ?? []
                    let item = items.first { $0["subject"] as? String == subject }
                    return (item?["deadlineState"] as? String, item?["daysLeft"] as? Int)
                }
                var (state, days) = try await row("late")
                AEq(state, "proximo", "\(engine)")
                AEq(days, 0, "\(engine): due today")
                AEq(try await row("ahead").1, 30, "\(engine): 31/12 from 01/12")
                func move(to iso: String) { clock.advance(ISO8601DateFormatter().date(from: iso)!.timeIntervalSince(clock.now)) }
                move(to: "2026-12-02T03:10:00Z")  // 02/12 00:10 in Maceió
                (state, days) = try await row("late")
                AEq(state, "atrasado", "\(engine)")
                AEq(days, -1, "\(engine): a day late once the utility's day turned")
                move(to: "2026-12-04T15:00:00Z")  // 04/12 12:00 in Maceió
                AEq(try await row("late").1, -3, "\(engine)")
            }
        }
    }
}
