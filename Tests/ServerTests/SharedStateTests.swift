import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import Server

/// State several instances must share lives in PostgreSQL: attempt counters and sessions.
final class SharedStateTests: XCTestCase {
    /// Two instances on one new PostgreSQL database (the first seeds it), both serving.
    private func twoLiveInstances(
        _ body: (AgenciaServer, any TestClientProtocol, AgenciaServer, any TestClientProtocol) async throws -> Void
    ) async throws {
        var c = Harness.config(try await Harness.database(.postgres))
        c.port = 0
        let a = try await buildApplication(c)
        c.seed = nil
        let b = try await buildApplication(c)
        try await a.application.test(.live) { ca in
            try await b.application.test(.live) { cb in try await body(a, ca, b, cb) }
        }
    }

    func testTwoInstancesShareAttemptsAndSessions() async throws {
        try await twoLiveInstances { a, ca, b, cb in
            // Failures alternate between the instances: together they reach the limit.
            for i in 0..<5 {
                let client: any TestClientProtocol = i % 2 == 0 ? ca : cb
                let r = try await client.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": "529.982.247-25"])
                XCTAssertEqual(r.status, .unauthorized)
            }
            let onA = try await ca.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": Demo.maria.doc])
            let onB = try await cb.post("/v1/sessions/customer", ["matricula": Demo.maria.m, "documento": Demo.maria.doc])
            XCTAssertEqual(onA.status, .tooManyRequests)
            XCTAssertEqual(onB.status, .tooManyRequests)
            // A session made on A works on B; a logout on B is seen on A.
            let token = try await ca.customerToken(Demo.company.m, Demo.company.doc)
            AEq(try await cb.get("/v1/properties/\(Demo.companyNorm)", token: token).status, .ok)
            AEq(try await cb.delete("/v1/sessions/current", token: token).status, .noContent)
            AEq(try await ca.get("/v1/properties/\(Demo.companyNorm)", token: token).status, .unauthorized)
        }
    }

    /// Issue 15: each instance keeps the sessions it has seen in memory (PostgreSQL's change
    /// feed tells it when one ends). A logout on B is refused on A, which had the session in
    /// memory, as soon as A hears the notification (B answers once it heard its own); a staff account deactivated by SQL by hand loses its
    /// session on every instance within a moment.
    func testSessionsKeptInMemoryEndOnEveryInstance() async throws {
        try await twoLiveInstances { a, ca, b, cb in
            for _ in 0..<100 where !(a.changeFeed!.isLive && b.changeFeed!.isLive) { try await Task.sleep(for: .milliseconds(50)) }
            XCTAssertTrue(a.changeFeed!.isLive && b.changeFeed!.isLive, "both instances listen")
            let path = "/v1/properties/\(Demo.companyNorm)"
            for round in 0..<5 {
                let token = try await ca.customerToken(Demo.company.m, Demo.company.doc)
                AEq(try await ca.get(path, token: token).status, .ok)
                AEq(try await ca.get(path, token: token).status, .ok)  // from A's memory
                AEq(try await cb.get(path, token: token).status, .ok)
                AEq(try await cb.delete("/v1/sessions/current", token: token).status, .noContent)
                // B answered once it heard its own notification; A hears the same one within its
                // delivery (milliseconds; a loaded CI machine once took longer than the next request).
                let start = ContinuousClock.now
                var after = try await ca.get(path, token: token)
                while after.status == .ok, ContinuousClock.now - start < .milliseconds(500) {
                    after = try await ca.get(path, token: token)
                }
                AEq(after.status, .unauthorized, "round \(round): logged out on B, refused on A within 500 ms")
                XCTAssertEqual(after.errorCode, "session_expired")
            }
            let staff = try await ca.staffToken()
            AEq(try await ca.get(path, token: staff).status, .ok)
            AEq(try await cb.get(path, token: staff).status, .ok)
            try await a.store.write { db in try await db.raw("UPDATE staff SET ativo = 0 WHERE usuario = 'ana'").run() }
            let start = ContinuousClock.now
            var refusedA = false
            var refusedB = false
            while !(refusedA && refusedB), ContinuousClock.now - start < .seconds(1) {
                refusedA = try await ca.get(path, token: staff).status == .unauthorized
                refusedB = try await cb.get(path, token: staff).status == .unauthorized
            }
            XCTAssertTrue(refusedA && refusedB, "deactivated by hand: refused on both within a second")
        }
    }

    /// Issue 15: the shared chores (sweeps, late agreements) run in one instance at a time, the
    /// holder of the `background` lease; when it dies, another takes over once the lease lapses.
    func testChoresRunInOneInstanceAndMoveWhenItDies() async throws {
        for engine in Engine.allCases {
            let url = try await Harness.database(engine)
            let clock = TestClock()
            var c = Harness.config(url)
            let a = try await buildApplication(c, clock: { clock.now })
            c.seed = nil
            let b = try await buildApplication(c, clock: { clock.now })
            let runA = Task { try await a.application.runService() }
            let runB = Task { try await b.application.runService() }
            func rounds() -> (Int, Int) { (a.runtime.chores, b.runtime.chores) }
            func wait(_ condition: () -> Bool) async throws {
                for _ in 0..<100 where !condition() { try await Task.sleep(for: .milliseconds(100)) }
            }
            try await wait { rounds().0 + rounds().1 > 0 }
            for _ in 0..<4 {
                clock.advance(5)
                try await Task.sleep(for: .milliseconds(1500))
            }
            let (ra, rb) = rounds()
            XCTAssertTrue((ra > 1) != (rb > 1), "\(engine): one instance runs the chores (\(ra), \(rb))")
            XCTAssertTrue(ra == 0 || rb == 0, "\(engine): never both (\(ra), \(rb))")
            // The leader dies (no graceful stop: its lease stays until it lapses).
            let (leader, follower, runLeader, runFollower) = ra > rb ? (a, b, runA, runB) : (b, a, runB, runA)
            runLeader.cancel()
            _ = await runLeader.result
            clock.advance(10)
            try await Task.sleep(for: .milliseconds(1500))
            AEq(follower.runtime.chores, 0, "\(engine): the lease has not lapsed yet")
            clock.advance(Double(BackgroundJobs.leaseSeconds))
            try await wait { follower.runtime.chores > 0 }
            XCTAssertGreaterThan(follower.runtime.chores, 0, "\(engine): taken over")
            runFollower.cancel()
            _ = await runFollower.result
            await leader.store.shutdown()
            await follower.store.shutdown()
        }
    }
}
