import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import XCTest

@testable import Server

/// Issue 14, point 4: who may call what. The operations come from `openapi.yaml`; the server's
/// table must cover exactly them, the README must show that same table, and every operation is
/// called by every role (allowed: anything but a role refusal; refused: 403 `role_forbidden`).
final class PermissionTests: XCTestCase {
    struct Operation {
        let id: String
        let method: HTTPRequest.Method
        let path: String
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every operation of the document: its id, method and path (the document's layout is
    /// regular: a path, its methods, each method's operationId).
    static func operations() throws -> [Operation] {
        let text = try String(contentsOf: root.appendingPathComponent("Sources/API/openapi.yaml"), encoding: .utf8)
        var path: String?
        var method: HTTPRequest.Method?
        var out: [Operation] = []
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "paths:" { inPaths = true }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                let m = HTTPRequest.Method(String(line.dropFirst(4).dropLast()).uppercased())
            {
                method = m
            } else if line.hasPrefix("      operationId: "), let path, let method {
                out.append(Operation(id: String(line.dropFirst("      operationId: ".count)), method: method, path: path))
            }
        }
        return out
    }

    func testTheTableCoversExactlyTheDocumentsOperations() throws {
        let ids = Set(try Self.operations().map(\.id))
        XCTAssertGreaterThan(ids.count, 70)
        XCTAssertEqual(ids, Set(Permissions.table.keys))
    }

    /// The README's table (section Security) is the server's.
    func testTheReadmeShowsTheServersTable() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try XCTUnwrap(readme.range(of: "| who may | operations |"))
        var shown: [String: Set<Actor>] = [:]
        for line in readme[section.upperBound...].split(separator: "\n").dropFirst().prefix(while: { $0.hasPrefix("|") }) {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2 else { return XCTFail("row \(line)") }
            let who: Set<Actor> =
                cells[0].hasPrefix("everyone")
                ? Set(Actor.allCases) : Set(try cells[0].components(separatedBy: ", ").map { try XCTUnwrap(Actor(rawValue: $0), $0) })
            for op in cells[1].components(separatedBy: ", ") { shown[op] = who }
        }
        XCTAssertEqual(shown, Permissions.table)
    }

    /// A path with plausible values for its parameters (what they are does not matter: the
    /// role is decided before anything is read).
    static func concrete(_ path: String) -> String {
        let values = [
            "matricula": "100013", "documento": "11144477735", "number": "2026-000001", "ano": "2025", "companyId": "sandbox",
        ]
        var out = path
        while let open = out.firstIndex(of: "{"), let close = out[open...].firstIndex(of: "}") {
            let name = String(out[out.index(after: open)..<close])
            out.replaceSubrange(open...close, with: values[name] ?? "1")
        }
        return out
    }

    func testEveryOperationByEveryRole() async throws {
        // Logging out last: it ends the session the other calls use.
        let operations = try Self.operations().sorted { ($0.id == "logout" ? 1 : 0) < ($1.id == "logout" ? 1 : 0) }
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client, server in
                let actors: [(Actor?, String?)] = [
                    (nil, nil), (.cliente, try await client.customerToken(Demo.maria.m, Demo.maria.doc)),
                    (.atendente, try await client.staffToken()), (.backoffice, try await client.staffToken("diego", "comercial123")),
                    (.supervisor, try await client.staffToken("carla", "supervisao123")),
                    (.integracao, try await IntegrationKeys.create("gsan", store: server.store, now: 1_795_438_800)),
                ]
                var checked = 0
                for op in operations {
                    let allowed = Permissions.table[op.id] ?? []
                    for (actor, token) in actors {
                        var headers: HTTPFields = [.contentType: "application/json"]
                        if let token { headers[.authorization] = "Bearer \(token)" }
                        headers[HTTPField.Name("Idempotency-Key")!] = "perm-\(op.id)-\(actor?.rawValue ?? "anon")"
                        let body: ByteBuffer? = op.method == .get || op.method == .delete ? nil : ByteBuffer(string: "{}")
                        let r = try await client.execute(
                            uri: "/v1" + Self.concrete(op.path), method: op.method, headers: headers, body: body)
                        let cell = "\(engine): \(actor?.rawValue ?? "sem login") \(op.method) \(op.path) (\(op.id))"
                        let refusedByRole = r.status == .forbidden && r.errorCode == "role_forbidden"
                        if allowed.contains(.publico) || (actor.map(allowed.contains) ?? false) {
                            XCTAssertFalse(refusedByRole, cell)
                            XCTAssertNotEqual(r.status, .unauthorized, cell)
                        } else if actor == nil {
                            AEq(r.status, .unauthorized, cell)
                        } else {
                            XCTAssertTrue(refusedByRole, "\(cell): \(r.status) \(r.json)")
                        }
                        checked += 1
                    }
                }
                AEq(checked, operations.count * actors.count)
            }
        }
    }

    /// Each role logs in at terminals of its modes only; the refusal comes after the password.
    func testStaffLogInAtTheTerminalsOfTheirRole() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine) { client in
                let cases: [(String, String, String, Bool)] = [
                    ("ana", "atende123", "counter", true), ("ana", "atende123", "staff", false),
                    ("diego", "comercial123", "staff", true), ("diego", "comercial123", "counter", false),
                    ("carla", "supervisao123", "counter", true), ("carla", "supervisao123", "staff", true),
                ]
                for (u, p, mode, ok) in cases {
                    let r = try await client.post("/v1/sessions/staff", ["usuario": u, "senha": p, "modo": mode])
                    AEq(r.status, ok ? .created : .forbidden, "\(engine) \(u) \(mode)")
                    if !ok {
                        AEq(r.errorCode, "wrong_terminal")
                        XCTAssertTrue(r.errorMessage?.contains(u == "ana" ? "balcão" : "retaguarda") == true, "\(r.errorMessage ?? "")")
                    }
                }
                // A wrong password at the wrong terminal says only that the login failed.
                let wrong = try await client.post("/v1/sessions/staff", ["usuario": "ana", "senha": "errada", "modo": "staff"])
                AEq(wrong.status, .unauthorized)
            }
        }
    }
}
