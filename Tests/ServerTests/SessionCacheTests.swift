import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import SQLKit
import XCTest

@testable import Server

/// Issue 15: a request's session comes from memory once read (both engines), and what ends a
/// session ends it in memory too. PostgreSQL across instances: `SharedStateTests`.
final class SessionCacheTests: XCTestCase {
    private func sample(_ text: String, _ prefix: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    private func fromMemory(_ client: any TestClientProtocol) async throws -> Double {
        sample(String(buffer: try await client.get("/metrics").body), "agencia_session_lookups_total{from=\"memory\"}")
    }

    func testSessionsComeFromMemory() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                for _ in 0..<100 where !server.changeFeed!.isLive { try await Task.sleep(for: .milliseconds(50)) }
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let before = try await fromMemory(client)
                for _ in 0..<5 { AEq(try await client.get("/v1/properties/\(Demo.mariaNorm)", token: token).status, .ok) }
                let after = try await fromMemory(client)
                XCTAssertGreaterThanOrEqual(after - before, 4, "\(engine): the session read once, then from memory")
            }
        }
    }

    /// SQLite: the server's own writes end a session in memory at once (temporary triggers on
    /// its writer); another process's write — `agencia-server staff`, SQL by hand — within a
    /// second (`data_version`, polled).
    func testSQLiteSessionsInMemoryEndWhenChanged() async throws {
        let url = try await Harness.database(.sqlite)
        var c = Harness.config(url)
        c.port = 0
        let server = try await buildApplication(c)
        try await server.application.test(.live) { client in
            let path = "/v1/properties/\(Demo.companyNorm)"
            for round in 0..<3 {
                let token = try await client.customerToken(Demo.company.m, Demo.company.doc)
                AEq(try await client.get(path, token: token).status, .ok)
                let before = try await fromMemory(client)
                AEq(try await client.get(path, token: token).status, .ok)
                let answered = try await fromMemory(client) - before
                XCTAssertEqual(answered, 1, "round \(round): answered from memory")
                AEq(try await client.delete("/v1/sessions/current", token: token).status, .noContent)
                let after = try await client.get(path, token: token)
                AEq(after.status, .unauthorized, "round \(round): logged out, refused at once")
                XCTAssertEqual(after.errorCode, "session_expired")
            }
            // A staff account changed through the server's own store: at once.
            let ana = try await client.staffToken()
            AEq(try await client.get(path, token: ana).status, .ok)
            AEq(try await client.get(path, token: ana).status, .ok)
            try await server.store.write { db in try await db.raw("UPDATE staff SET ativo = 0 WHERE usuario = 'ana'").run() }
            AEq(try await client.get(path, token: ana).status, .unauthorized, "deactivated here: refused at once")
            try await server.store.write { db in try await db.raw("UPDATE staff SET ativo = 1 WHERE usuario = 'ana'").run() }

            // By another connection to the file, as another process writes.
            let carla = try await client.staffToken("carla", "supervisao123")
            AEq(try await client.get(path, token: carla).status, .ok)
            AEq(try await client.get(path, token: carla).status, .ok)
            try await AdminStore.run(c) { other in
                try await other.write { db in try await db.raw("UPDATE staff SET ativo = 0 WHERE usuario = 'carla'").run() }
            }
            let start = ContinuousClock.now
            var refused = false
            while !refused, ContinuousClock.now - start < .seconds(1) {
                refused = try await client.get(path, token: carla).status == .unauthorized
            }
            XCTAssertTrue(refused, "deactivated by another process: refused within a second")
        }
        await server.store.shutdown()
    }

    /// A feed whose connection is closed is not live, even while its notification stream has not
    /// ended (PostgresNIO once left a query unanswered on a closed connection, DECISIONS 74):
    /// what it kept is read again, and forgotten when it is live on a new connection.
    func testAFeedIsNotLiveOnceItsConnectionIsClosed() async throws {
        let feed = ChangeFeed()
        let closed = NIOLockedValueBox(false)
        let loads = NIOLockedValueBox(0)
        let cached = FeedCachedValue<Int>(feed: feed, payload: "correction_index")
        let load: @Sendable () async throws -> Int = {
            loads.withLockedValue {
                $0 += 1
                return $0
            }
        }
        feed.setLive(true, connectionClosed: { closed.withLockedValue { $0 } })
        let first = try await cached.value(load: load)
        let again = try await cached.value(load: load)
        XCTAssertEqual([first, again], [1, 1], "from memory while live")

        closed.withLockedValue { $0 = true }  // no notification, no end of the stream
        XCTAssertFalse(feed.isLive)
        let afterClose = try await cached.value(load: load)
        let afterCloseAgain = try await cached.value(load: load)
        XCTAssertEqual([afterClose, afterCloseAgain], [2, 3], "read from the database while the connection is closed")

        feed.setLive(true, connectionClosed: { false })  // listening again on a new connection
        let reconnected = try await cached.value(load: load)
        let reconnectedAgain = try await cached.value(load: load)
        XCTAssertEqual([reconnected, reconnectedAgain], [4, 4])
    }
}
