import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import XCTest

@testable import Server

/// Issue 27, findings 3 and 4, on both engines and across two instances: every attempt limit
/// holds against a burst of concurrent requests (the attempt is counted before it is checked),
/// the login delay applies inside a burst, and a protocol's public lookup is limited where the
/// guesses come from — never locked for everyone.
final class AttemptBurstAPITests: XCTestCase {
    static let attacker = ["X-Forwarded-For": "203.0.113.9"]
    static let victim = ["X-Forwarded-For": "198.51.100.30"]

    /// `bodies.count` requests at once, each on a connection of its own (truly concurrent at the
    /// server, unlike one test client's queue); each one's status and time.
    func burst(
        port: Int?, _ path: String, _ bodies: [[String: Any]], headers extra: [String: String], ports: [Int]? = nil
    ) async throws -> [(HTTPResponse.Status, Duration)] {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (k, v) in extra { headers[HTTPField.Name(k)!] = v }
        let requests = try bodies.map { ByteBuffer(data: try JSONSerialization.data(withJSONObject: $0)) }
        let targets = try ports ?? [XCTUnwrap(port)]
        return try await withThrowingTaskGroup(of: (HTTPResponse.Status, Duration).self) { group in
            for (i, body) in requests.enumerated() {
                group.addTask { [headers] in
                    try await TestClient.withClient(host: "127.0.0.1", port: targets[i % targets.count]) { c in
                        let start = ContinuousClock.now
                        let r = try await c.post(path, headers: headers, body: body)
                        return (r.status, ContinuousClock.now - start)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    func count(_ answers: [(HTTPResponse.Status, Duration)], _ status: HTTPResponse.Status) -> Int {
        answers.filter { $0.0 == status }.count
    }

    func testBurstsAreCountedOneByOne() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine,
                configure: {
                    $0.trustedProxies = ["127.0.0.1"]
                    $0.loginDelayAfterFailures = 3
                    $0.loginDelayBaseMilliseconds = 100
                }
            ) { client in
                // 40 wrong CPFs at once (limit 5): five are checked, the rest refused; the
                // account's delay applies to the 4th and 5th even inside the burst.
                let logins = try await self.burst(
                    port: client.port, "/v1/sessions/customer",
                    Array(repeating: ["matricula": Demo.maria.m, "documento": SecurityAPITests.wrongDoc], count: 40), headers: Self.attacker
                )
                AEq(self.count(logins, .unauthorized), 5, "\(engine): \(logins.map(\.0.code))")
                AEq(self.count(logins, .tooManyRequests), 35, "\(engine)")
                let slowest = logins.filter { $0.0 == .unauthorized }.map(\.1).max() ?? .zero
                XCTAssertGreaterThanOrEqual(slowest, .milliseconds(200), "\(engine): the delay after 4 failures")

                // 30 wrong passwords on the supervisor at once (limit 5).
                let staff = try await self.burst(
                    port: client.port, "/v1/sessions/staff",
                    Array(repeating: ["usuario": "carla", "senha": "errada", "modo": "counter"], count: 30), headers: Self.attacker)
                AEq(self.count(staff, .unauthorized), 5, "\(engine): \(staff.map(\.0.code))")
                // The supervisor logs in from elsewhere.
                let carla = try await client.post(
                    "/v1/sessions/staff", ["usuario": "carla", "senha": "supervisao123", "modo": "counter"], headers: Self.victim)
                AEq(carla.status, .created, "\(engine): \(carla.json)")

                // 40 certidão codes at once (limit 5 per origin).
                var rng = SplitMix64(seed: 27)
                let codes = (0..<40).map { _ in VerificationCode.generate(using: &rng) }
                let verifications = try await self.burst(
                    port: client.port, "/v1/certidao-verification", codes.map { ["code": $0] }, headers: Self.attacker)
                AEq(self.count(verifications, .ok), 5, "\(engine): \(verifications.map(\.0.code))")
                AEq(self.count(verifications, .tooManyRequests), 35, "\(engine)")
            }
        }
    }

    /// A protocol's lookup: 40 wrong guesses at once from one address are counted one by one
    /// and lock that address only; the requester, from anywhere else, still reads it at once.
    func testProtocolLookupIsLimitedWhereTheGuessesComeFrom() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.trustedProxies = ["127.0.0.1"] }) { client in
                let ana = try await client.staffToken()
                let opened = try await client.post(
                    "/v1/protocols", ProtocolAPITests.request(1), token: ana, headers: ["Idempotency-Key": "burst-\(engine)"])
                let number = try XCTUnwrap(opened.json["number"] as? String, "\(opened.json)")
                let guesses = try await self.burst(
                    port: client.port, "/v1/protocol-lookup",
                    Array(repeating: ["number": number, "documento": SecurityAPITests.wrongDoc], count: 40), headers: Self.attacker)
                AEq(self.count(guesses, .notFound), 5, "\(engine): \(guesses.map(\.0.code))")
                AEq(self.count(guesses, .tooManyRequests), 35, "\(engine)")
                // The attacker's address is locked, the right CPF included…
                let locked = try await client.post(
                    "/v1/protocol-lookup", ["number": number, "documento": Demo.maria.doc], headers: Self.attacker)
                AEq(locked.status, .tooManyRequests, "\(engine)")
                // …the requester elsewhere is not.
                let mine = try await client.post(
                    "/v1/protocol-lookup", ["number": number, "documento": Demo.maria.doc], headers: Self.victim)
                AEq(mine.status, .ok, "\(engine): \(mine.json)")
            }
        }
    }

    /// Two instances on one PostgreSQL: a burst split between them is still counted one by one.
    func testABurstAcrossTwoInstances() async throws {
        var c = Harness.config(try await Harness.database(.postgres))
        c.trustedProxies = ["127.0.0.1"]
        let a = try await buildApplication(c)
        c.seed = nil
        let b = try await buildApplication(c)
        try await a.application.test(.live) { ca in
            try await b.application.test(.live) { cb in
                let answers = try await self.burst(
                    port: nil, "/v1/sessions/customer",
                    Array(repeating: ["matricula": Demo.company.m, "documento": SecurityAPITests.wrongDoc], count: 40),
                    headers: Self.attacker, ports: [try XCTUnwrap(ca.port), try XCTUnwrap(cb.port)])
                AEq(self.count(answers, .unauthorized), 5, "\(answers.map(\.0.code))")
                AEq(self.count(answers, .tooManyRequests), 35)
            }
        }
        await a.store.shutdown()
        await b.store.shutdown()
    }
}
