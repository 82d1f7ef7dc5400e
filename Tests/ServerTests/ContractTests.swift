import API
import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import XCTest

@testable import Server

/// Issue 14, point 7: every length, range, enumeration and closed object of `openapi.yaml` is
/// enforced by the server. The cases are derived from the document: for each constrained
/// parameter and top-level body property, one value just past the limit (refused: 400
/// `invalid_field` naming it) and one at the limit (not refused for it); an unknown property
/// where the document closes the object; a method a path does not have (405 with `Allow`).
final class ContractTests: XCTestCase {
    struct Case {
        let operation: String
        let method: HTTPRequest.Method
        let uri: String
        let headers: [String: String]
        let body: String?
        /// The field the server must name, or nil when the value is valid for it.
        let refused: String?
        let valid: String?
        /// The document's own message for the field (`x-message`), else "Campo <field>: …".
        var message: String? = nil
    }

    static let values = [
        "matricula": "100013", "documento": "11144477735", "number": "2026-000001", "ano": "2025", "companyId": "sandbox",
    ]

    /// Values that break, and values that meet, a schema's limits.
    static func probes(_ schema: [String: Any], contract: Contract) -> [(value: Any, valid: Bool)] {
        var s = schema
        if let ref = s["$ref"] as? String, let name = ref.split(separator: "/").last {
            s = contract.schemaNamed(String(name)) ?? [:]
        }
        var out: [(Any, Bool)] = []
        switch s["type"] as? String {
        case "string":
            if let options = s["enum"] as? [String] {
                out.append(("valor-que-nao-existe", false))
                out.append((options[0], true))
            }
            let format = s["format"] as? String
            let filler: Character = format == nil ? "a" : "1"
            // A pattern: something it refuses and, when it is the 6 digits of a code, something it takes.
            if let pattern = s["pattern"] as? String {
                let blank = String(repeating: " ", count: max(1, s["minLength"] as? Int ?? 1))
                out.append((blank, blank.range(of: pattern, options: .regularExpression) != nil))
                if pattern.contains("[0-9]{6}") { out.append(("123456", true)) }
            }
            if format == nil || format == "int64" {
                if let max = s["maxLength"] as? Int, s["enum"] == nil {
                    out.append((String(repeating: filler, count: max + 1), false))
                    // At the limit, with the pattern's digits when it asks for digits.
                    if s["pattern"] as? String == nil
                        || filler == "a" && "a".range(of: s["pattern"] as! String, options: .regularExpression) != nil
                    {
                        out.append((String(repeating: filler, count: max), true))
                    }
                }
                if let min = s["minLength"] as? Int, min > 0, s["enum"] == nil {
                    out.append((String(repeating: filler, count: min - 1), false))
                }
            }
            if format == "date" { out.append(("31/12/2025", false)) }
        case "integer", "number":
            if let min = (s["minimum"] as? NSNumber)?.int64Value {
                out.append((min - 1, false))
                out.append((min, true))
            }
            if let max = (s["maximum"] as? NSNumber)?.int64Value {
                out.append((max + 1, false))
                out.append((max, true))
            }
        case "array":
            let item: Any = ((s["items"] as? [String: Any])?["type"] as? String) == "string" ? "a" : 1
            if let max = s["maxItems"] as? Int { out.append((Array(repeating: item, count: max + 1), false)) }
            if let min = s["minItems"] as? Int, min > 0 { out.append((Array(repeating: item, count: min - 1), false)) }
        default: break
        }
        return out
    }

    static func cases(_ contract: Contract) throws -> [Case] {
        var out: [Case] = []
        for (id, op) in contract.operations.sorted(by: { $0.key < $1.key }) {
            let method = try XCTUnwrap(HTTPRequest.Method(op.method))
            func uri(_ override: (String, String)? = nil, query: [(String, String)] = []) -> String {
                var path = op.path
                for p in op.parameters where p.location == .path {
                    let v = override?.0 == p.name ? override!.1 : (values[p.name] ?? "1")
                    path = path.replacingOccurrences(
                        of: "{\(p.name)}", with: v.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? v)
                }
                var q = query
                for p in op.parameters where p.location == .query && p.required && !q.contains(where: { $0.0 == p.name }) {
                    q.append((p.name, "1"))
                }
                let qs = q.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1)" }
                return "/v1" + path + (qs.isEmpty ? "" : "?" + qs.joined(separator: "&"))
            }
            let needsKey = op.parameters.contains { $0.name == "Idempotency-Key" && $0.required }
            func headers(_ extra: [String: String] = [:]) -> [String: String] {
                var h = needsKey ? ["Idempotency-Key": "contrato-\(UUID().uuidString.prefix(8))"] : [:]
                for (k, v) in extra { h[k] = v }
                return h
            }
            for p in op.parameters {
                let message = contract.resolved(p.schema)["x-message"] as? String
                for (value, valid) in probes(p.schema, contract: contract) {
                    let text = "\(value)"
                    let field = "\(p.location.rawValue).\(p.name)"
                    switch p.location {
                    case .path:
                        guard !text.isEmpty else { continue }  // an empty segment is another path
                        out.append(
                            Case(
                                operation: id, method: method, uri: uri((p.name, text)), headers: headers(), body: nil,
                                refused: valid ? nil : field, valid: valid ? field : nil, message: message))
                    case .query:
                        out.append(
                            Case(
                                operation: id, method: method, uri: uri(query: [(p.name, text)]), headers: headers(), body: nil,
                                refused: valid ? nil : field, valid: valid ? field : nil, message: message))
                    case .header:
                        out.append(
                            Case(
                                operation: id, method: method, uri: uri(), headers: headers([p.name: text]), body: nil,
                                refused: valid ? nil : field, valid: valid ? field : nil, message: message))
                    }
                }
            }
            guard let schema = op.body.map({ contract.resolved($0) }) else { continue }
            for (name, sub) in (schema["properties"] as? [String: [String: Any]] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let message = contract.resolved(sub)["x-message"] as? String
                for (value, valid) in probes(sub, contract: contract) {
                    let body = String(decoding: try JSONSerialization.data(withJSONObject: [name: value]), as: UTF8.self)
                    out.append(
                        Case(
                            operation: id, method: method, uri: uri(), headers: headers(), body: body,
                            refused: valid ? nil : "body.\(name)",
                            valid: valid ? "body.\(name)" : nil, message: message))
                }
            }
            if (schema["additionalProperties"] as? Bool) == false {
                out.append(
                    Case(
                        operation: id, method: method, uri: uri(), headers: headers(), body: #"{"campoQueNaoExiste": 1}"#,
                        refused: "body.campoQueNaoExiste", valid: nil))
            }
        }
        return out
    }

    func testEveryConstraintOfTheDocumentIsEnforced() async throws {
        let contract = try Contract(yaml: OpenAPIDocument.yaml())
        let cases = try Self.cases(contract)
        XCTAssertGreaterThan(cases.filter { $0.refused != nil }.count, 150)
        XCTAssertGreaterThan(cases.filter { $0.valid != nil }.count, 80)
        // The issue's own examples are among them.
        for (op, field) in [
            ("requestEmail", "header.Idempotency-Key"), ("searchCustomers", "query.q"), ("cardCompanyCallback", "path.companyId"),
        ] {
            XCTAssertTrue(cases.contains { $0.operation == op && $0.refused == field }, "\(op) \(field)")
        }
        try await Harness.withServer(.sqlite, configure: { $0.maxBodyBytes = 1 << 20 }) { client, server in
            let carla = try await client.staffToken("carla", "supervisao123")
            // The source system's operations take its key (a supervisor may not call them).
            let key = try await IntegrationKeys.create("contrato", store: server.store, now: 1_795_438_800)
            for c in cases {
                let token = Permissions.allows(.integracao, c.operation) ? key : carla
                var h: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                for (k, v) in c.headers { h[HTTPField.Name(k)!] = v }
                let r = try await client.execute(
                    uri: c.uri, method: c.method, headers: h, body: c.body.map { ByteBuffer(string: $0) } ?? ByteBuffer(string: "{}"))
                let field = (r.json["error"] as? [String: Any])?["field"] as? String
                if let refused = c.refused {
                    AEq(r.status, .badRequest, "\(c.operation) \(refused): \(c.uri) \(c.body ?? "") → \(r.json)")
                    AEq(r.errorCode, "invalid_field", c.operation)
                    AEq(field, refused, "\(c.operation): \(c.uri) \(c.body ?? "")")
                    if let m = c.message {
                        AEq(r.errorMessage, m, c.operation)
                    } else {
                        XCTAssertTrue(r.errorMessage?.hasPrefix("Campo \(refused):") == true, r.errorMessage ?? "")
                    }
                } else if let valid = c.valid {
                    XCTAssertNotEqual(field, valid, "\(c.operation): a value at the limit is refused: \(c.uri) \(c.body ?? "")")
                    XCTAssertLessThan(r.status.code, 500, "\(c.operation): \(c.uri) \(c.body ?? "")")
                }
            }
            // A method the path does not have: 405 and what it has.
            for (method, path, allow) in [
                (HTTPRequest.Method.delete, "/v1/health", "GET"), (.put, "/v1/properties/100013/bills", "GET"),
                (.patch, "/v1/sessions/current", "DELETE, GET"),
            ] {
                let r = try await client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(carla)"], body: nil)
                AEq(r.status, .methodNotAllowed, "\(method) \(path)")
                AEq(r.headers[.allow], allow)
            }
            AEq(try await client.get("/v1/nada-aqui").status, .notFound)
            // A negative down payment says so.
            let r = try await client.post(
                "/v1/properties/100056/installment-simulations", ["documento": "52998224725", "downPaymentCents": -1, "count": 2],
                token: carla)
            AEq(r.errorMessage, "Campo body.downPaymentCents: no mínimo 0.")
        }
    }

    /// The document uses only what the contract checks (anything else would go unenforced).
    func testTheDocumentUsesOnlyCheckedKeywords() throws {
        XCTAssertNoThrow(try Contract(yaml: OpenAPIDocument.yaml()))
        let broken = """
            openapi: "3.1.0"
            paths: {}
            components:
              schemas:
                X: { type: string, patternProperties: { "^a": {} } }
            """
        XCTAssertThrowsError(try Contract(yaml: Data(broken.utf8)))
    }
}
