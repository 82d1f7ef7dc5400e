import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest

@testable import Server

/// State several instances must share lives in PostgreSQL: attempt counters and sessions.
final class SharedStateTests: XCTestCase {
    func testTwoInstancesShareAttemptsAndSessions() async throws {
        let url = try await Harness.database(.postgres)
        var c = Harness.config(url)
        c.port = 0
        let a = try await buildApplication(c)
        c.seed = nil
        let b = try await buildApplication(c)
        try await a.application.test(.live) { ca in
            try await b.application.test(.live) { cb in
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
    }
}
