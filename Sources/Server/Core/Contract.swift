import Foundation
import HTTPTypes
import OpenAPIRuntime
import Yams

/// The API's contract as `openapi.yaml` states it, enforced on every request before the
/// generated code decodes it (DECISIONS 64): each parameter's and each JSON body property's
/// type, lengths, ranges, enumerations and formats, unknown properties where the document says
/// `additionalProperties: false`, required ones. The generated code checks types and required
/// fields but no lengths or ranges; this makes the document the single statement of what the
/// server accepts. It also knows which methods a path has, for 405 `Allow`.
///
/// Only the subset of JSON Schema the document uses is understood; `ContractTests` fails when
/// the document uses a keyword outside it.
final class Contract: @unchecked Sendable {  // immutable once read
    struct Parameter: @unchecked Sendable {
        enum Location: String { case path, query, header }
        let name: String
        let location: Location
        let required: Bool
        let schema: [String: Any]
    }

    struct Operation: @unchecked Sendable {
        let method: String
        /// The template, under `/v1` (`/properties/{matricula}/bills`).
        let path: String
        let parameters: [Parameter]
        /// The JSON request body's schema, if the operation takes one.
        let body: [String: Any]?
        let bodyRequired: Bool
    }

    /// The keywords understood; anything else in a schema is an error at startup.
    static let keywords: Set<String> = [
        "type", "format", "minLength", "maxLength", "minimum", "maximum", "enum", "items", "minItems", "maxItems", "properties",
        "required", "additionalProperties", "$ref", "description", "default", "example", "title", "x-message", "pattern", "multipleOf",
    ]

    let operations: [String: Operation]
    /// Path templates split in segments (`{x}` matches one segment), with their methods.
    let paths: [(segments: [String], methods: Set<String>)]
    private let schemas: [String: [String: Any]]
    private let sharedParameters: [String: [String: Any]]

    struct Unsupported: Error, CustomStringConvertible {
        let what: String
        var description: String { "openapi.yaml: \(what)" }
    }

    init(yaml: Data) throws {
        guard let root = try Yams.load(yaml: String(decoding: yaml, as: UTF8.self)) as? [String: Any],
            let paths = root["paths"] as? [String: Any], let components = root["components"] as? [String: Any]
        else { throw Unsupported(what: "sem paths/components") }
        schemas = components["schemas"] as? [String: [String: Any]] ?? [:]
        sharedParameters = components["parameters"] as? [String: [String: Any]] ?? [:]
        var ops: [String: Operation] = [:]
        var templates: [(segments: [String], methods: Set<String>)] = []
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { continue }
            var methods = Set<String>()
            for (method, value) in item {
                guard let op = value as? [String: Any], let id = op["operationId"] as? String else { continue }
                methods.insert(method.uppercased())
                var parameters: [Parameter] = []
                for raw in op["parameters"] as? [[String: Any]] ?? [] {
                    var p = raw
                    if let ref = raw["$ref"] as? String {
                        guard let shared = sharedParameters[String(ref.split(separator: "/").last ?? "")] else {
                            throw Unsupported(what: "parâmetro \(ref)")
                        }
                        p = shared
                    }
                    guard let name = p["name"] as? String, let location = Parameter.Location(rawValue: p["in"] as? String ?? ""),
                        let schema = p["schema"] as? [String: Any]
                    else { throw Unsupported(what: "parâmetro de \(id)") }
                    parameters.append(Parameter(name: name, location: location, required: p["required"] as? Bool ?? false, schema: schema))
                }
                let requestBody = op["requestBody"] as? [String: Any]
                let json = ((requestBody?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
                ops[id] = Operation(
                    method: method.uppercased(), path: path, parameters: parameters, body: json,
                    bodyRequired: requestBody?["required"] as? Bool ?? false)
            }
            templates.append((path.split(separator: "/").map(String.init), methods))
        }
        operations = ops
        self.paths = templates
        for (name, s) in schemas { try check(s, at: name) }
        for op in ops.values {
            for p in op.parameters { try check(p.schema, at: p.name) }
            if let b = op.body { try check(b, at: "body") }
        }
    }

    private func check(_ schema: [String: Any], at place: String) throws {
        for key in schema.keys where !Self.keywords.contains(key) { throw Unsupported(what: "\(place): \(key) não é verificado") }
        for (name, sub) in schema["properties"] as? [String: [String: Any]] ?? [:] { try check(sub, at: "\(place).\(name)") }
        if let items = schema["items"] as? [String: Any] { try check(items, at: "\(place)[]") }
        if let extra = schema["additionalProperties"] as? [String: Any] { try check(extra, at: "\(place){}") }
    }

    /// The methods declared for `path` (a concrete path under `/v1`), or nil for no such path.
    func methods(of path: String) -> Set<String>? {
        guard path.hasPrefix("/v1/") else { return nil }
        let segments = path.dropFirst(3).split(separator: "/").map(String.init)
        let found = paths.filter { t in
            t.segments.count == segments.count
                && zip(t.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return found.isEmpty ? nil : found.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
    }

    // MARK: Validation

    /// A value that breaks the contract: where (`query.limit`, `body.requester.nome`) and why,
    /// in Portuguese.
    struct Violation: Error {
        let field: String
        let reason: String

        /// The schema's own message (`x-message`), where the document gives one for the user.
        var message: String? = nil

        var apiError: APIError {
            var e = APIError.invalid(message ?? "Campo \(field): \(reason).")
            e.code = "invalid_field"
            e.field = field
            return e
        }
    }

    func validate(operation id: String, request: HTTPRequest, pathParameters: [String: Substring], body: Data?) throws {
        guard let op = operations[id] else { return }
        let query = Self.query(of: request.path ?? "")
        for p in op.parameters {
            let raw: String?
            switch p.location {
            case .path: raw = pathParameters[p.name].map { String($0).removingPercentEncoding ?? String($0) }
            case .query: raw = query[p.name]
            case .header: raw = HTTPField.Name(p.name).flatMap { request.headerFields[$0] }
            }
            let field = "\(p.location.rawValue).\(p.name)"
            guard let raw else {
                if p.required { throw Violation(field: field, reason: "obrigatório") }
                continue
            }
            try validate(text: raw, p.schema, field)
        }
        guard let schema = op.body else { return }
        guard let body, !body.isEmpty else {
            if op.bodyRequired { throw Violation(field: "body", reason: "obrigatório") }
            return
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            throw Violation(field: "body", reason: "não é JSON válido")
        }
        try validate(json: value, schema, "body")
    }

    /// A JSON document as read, keeping integers, other numbers and booleans apart.
    indirect enum JSONValue: Decodable {
        case null
        case bool(Bool)
        case integer(Int64)
        case number(Double)
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? c.decode(Int64.self) {
                self = .integer(i)
            } else if let d = try? c.decode(Double.self) {
                self = .number(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([JSONValue].self) {
                self = .array(a)
            } else {
                self = .object(try c.decode([String: JSONValue].self))
            }
        }
    }

    static func query(of path: String) -> [String: String] {
        guard let q = path.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in path[path.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let k = kv.first?.removingPercentEncoding else { continue }
            if out[k] == nil { out[k] = (kv.count == 2 ? kv[1] : "").removingPercentEncoding ?? kv[1] }
        }
        return out
    }

    func schemaNamed(_ name: String) -> [String: Any]? { schemas[name] }

    /// The schema a `$ref` names, or the schema itself.
    func resolved(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String else { return schema }
        return schemas[String(ref.split(separator: "/").last ?? "")] ?? [:]
    }

    /// Runs a check of `field` against schema `s`, giving a violation of that very field the
    /// schema's `x-message` when it has one.
    private func withMessage(_ s: [String: Any], _ field: String, _ check: () throws -> Void) throws {
        do { try check() } catch var v as Violation where v.field == field && v.message == nil {
            v.message = s["x-message"] as? String
            throw v
        }
    }

    /// A parameter: text, read as the schema's type.
    private func validate(text: String, _ schema: [String: Any], _ field: String) throws {
        let s = resolved(schema)
        try withMessage(s, field) { try checkText(text, s, field) }
    }

    private func checkText(_ text: String, _ s: [String: Any], _ field: String) throws {
        switch s["type"] as? String {
        case "integer":
            guard let n = Int64(text) else { throw Violation(field: field, reason: "deve ser um número inteiro") }
            try bounds(Double(n), s, field)
        case "number":
            guard let n = Double(text), n.isFinite else { throw Violation(field: field, reason: "deve ser um número") }
            try bounds(n, s, field)
        case "boolean":
            guard text == "true" || text == "false" else { throw Violation(field: field, reason: "deve ser true ou false") }
        default:
            try string(text, s, field)
        }
    }

    /// A JSON value against its schema.
    private func validate(json value: JSONValue, _ schema: [String: Any], _ field: String) throws {
        let s = resolved(schema)
        try withMessage(s, field) { try checkJSON(value, s, field) }
    }

    private func checkJSON(_ value: JSONValue, _ s: [String: Any], _ field: String) throws {
        switch (s["type"] as? String, value) {
        case (nil, _), (_, .null):
            break  // no type stated; null is "absent" (required is checked by the object)
        case ("string", .string(let text)):
            try string(text, s, field)
        case ("integer", .integer(let n)):
            try bounds(Double(n), s, field)
        case ("integer", .number(let d)) where d == d.rounded():
            throw Violation(field: field, reason: "número inteiro grande demais")
        case ("number", .integer(let n)):
            try bounds(Double(n), s, field)
        case ("number", .number(let d)):
            try bounds(d, s, field)
        case ("boolean", .bool):
            break
        case ("array", .array(let items)):
            if let min = s["minItems"] as? Int, items.count < min { throw Violation(field: field, reason: "ao menos \(min) item(ns)") }
            if let max = s["maxItems"] as? Int, items.count > max { throw Violation(field: field, reason: "no máximo \(max) item(ns)") }
            if let itemSchema = s["items"] as? [String: Any] {
                for (i, item) in items.enumerated() { try validate(json: item, itemSchema, "\(field)[\(i)]") }
            }
        case ("object", .object(let object)):
            let properties = s["properties"] as? [String: [String: Any]] ?? [:]
            // What is there first (so a message names the field that is wrong), then what is missing.
            for key in object.keys.sorted() {
                if let sub = properties[key] {
                    try validate(json: object[key]!, sub, "\(field).\(key)")
                } else if (s["additionalProperties"] as? Bool) == false {
                    throw Violation(field: "\(field).\(key)", reason: "não existe neste pedido")
                } else if let extra = s["additionalProperties"] as? [String: Any] {
                    try validate(json: object[key]!, extra, "\(field).\(key)")
                }
            }
            for key in s["required"] as? [String] ?? [] {
                if case .null = object[key] ?? .null { throw Violation(field: "\(field).\(key)", reason: "obrigatório") }
            }
        case ("string", _): throw Violation(field: field, reason: "deve ser texto")
        case ("integer", _): throw Violation(field: field, reason: "deve ser um número inteiro")
        case ("number", _): throw Violation(field: field, reason: "deve ser um número")
        case ("boolean", _): throw Violation(field: field, reason: "deve ser true ou false")
        case ("array", _): throw Violation(field: field, reason: "deve ser uma lista")
        case ("object", _): throw Violation(field: field, reason: "deve ser um objeto")
        default: break
        }
    }

    private func string(_ text: String, _ s: [String: Any], _ field: String) throws {
        let length = text.unicodeScalars.count
        if let min = s["minLength"] as? Int, length < min {
            throw Violation(field: field, reason: min == 1 ? "não pode ficar vazio" : "ao menos \(min) caracteres")
        }
        if let max = s["maxLength"] as? Int, length > max { throw Violation(field: field, reason: "no máximo \(max) caracteres") }
        // As JSON Schema says: a regular expression found anywhere in the text (anchors in it if wanted).
        if let pattern = s["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
            throw Violation(field: field, reason: "formato inválido")
        }
        if let options = s["enum"] as? [String], !options.contains(text) {
            throw Violation(field: field, reason: "use um destes valores: \(options.joined(separator: ", "))")
        }
        switch s["format"] as? String {
        case "date":
            let p = text.split(separator: "-", omittingEmptySubsequences: false)
            guard text.count == 10, p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
                (1...12).contains(m), (1...31).contains(d), y >= 1
            else { throw Violation(field: field, reason: "data no formato AAAA-MM-DD") }
        default: break
        }
    }

    private func bounds(_ n: Double, _ s: [String: Any], _ field: String) throws {
        if let min = (s["minimum"] as? NSNumber)?.doubleValue, n < min {
            throw Violation(field: field, reason: "no mínimo \(Self.number(min))")
        }
        if let max = (s["maximum"] as? NSNumber)?.doubleValue, n > max {
            throw Violation(field: field, reason: "no máximo \(Self.number(max))")
        }
        if let options = s["enum"] as? [NSNumber], !options.contains(where: { $0.doubleValue == n }) {
            throw Violation(field: field, reason: "use um destes valores: \(options.map(\.stringValue).joined(separator: ", "))")
        }
        if let step = (s["multipleOf"] as? NSNumber)?.doubleValue, step > 0, (n / step).rounded() != n / step {
            throw Violation(field: field, reason: "múltiplo de \(Self.number(step))")
        }
    }

    private static func number(_ d: Double) -> String { d == d.rounded() ? String(Int64(d)) : String(d) }
}

/// Checks each request against the contract (after the role, before decoding).
struct ContractMiddleware: ServerMiddleware {
    let contract: Contract

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var data: Data?
        var forward = body
        let isJSON = request.headerFields[.contentType]?.lowercased().hasPrefix("application/json") ?? false
        if let body, isJSON || contract.operations[operationID]?.body != nil && request.headerFields[.contentType] == nil {
            // Already read whole and capped by `BodyLimitMiddleware`.
            let d = try await Data(collecting: body, upTo: .max)
            data = d
            forward = HTTPBody(d)
        }
        do {
            try contract.validate(operation: operationID, request: request, pathParameters: metadata.pathParameters, body: data)
        } catch let v as Contract.Violation {
            throw v.apiError
        }
        return try await next(request, forward, metadata)
    }
}
