import Foundation
import XCTest

@testable import Screens
@testable import Server

/// `config.example.json` documents every key; each key must really be read: changing its value in
/// the example changes the loaded configuration (a key read under another name, or silently
/// replaced by its default, fails here).
final class ConfigurationTests: XCTestCase {
    static var exampleURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config.example.json")
    }

    /// A JSON value, to walk and change the example generically.
    enum JSON: Codable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSON])
        case object([String: JSON])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let n = try? c.decode(Double.self) {
                self = .number(n)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([JSON].self) {
                self = .array(a)
            } else {
                self = .object(try c.decode([String: JSON].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .null: try c.encodeNil()
            case .bool(let b): try c.encode(b)
            case .number(let n): if n == n.rounded() { try c.encode(Int(n)) } else { try c.encode(n) }
            case .string(let s): try c.encode(s)
            case .array(let a): try c.encode(a)
            case .object(let o): try c.encode(o)
            }
        }
    }

    /// Another valid value for a key: keys with a closed set of values, and null ones, by name.
    static let alternatives: [String: JSON] = [
        "loginPolicy": .string("matricula"), "matriculaRule": .string("mod10"), "mode": .string("counter"),
        "colors": .string("mono"), "seed": .string("demo"), "sandboxCardCompany": .number(5), "sandboxCardCompanySecret": .string("s"),
        "username": .string("u"),
        "password": .string("p"), "caFile": .string("/etc/ssl/ca.pem"), "demoDatabase": .string("sqlite:/tmp/x.sqlite"),
        "demoIdleSeconds": .number(7), "certidaoSigningKey": .string("bm90LWEta2V5LWJ1dC1hLXN0cmluZy10by1kZWNvZGU="),
        "barcodeValueID": .number(8), "days": .array([5, 10, 15, 20, 25, 27].map { .number($0) }),
    ]

    /// Every (path, changed document) of `json`: one per leaf key.
    static func mutations(_ json: JSON, path: [String] = []) -> [([String], JSON)] {
        let key = path.last ?? ""
        if let alt = alternatives[key] { return [(path, alt)] }
        switch json {
        case .object(let o):
            return o.keys.sorted().flatMap { k in
                mutations(o[k]!, path: path + [k]).map { (p, v) -> ([String], JSON) in
                    var copy = o
                    copy[k] = v
                    return (p, .object(copy))
                }
            }
        case .array(let a) where !a.isEmpty:
            if case .object = a[0] {
                return mutations(a[0], path: path + ["0"]).map { (p, v) in (p, .array([v] + a.dropFirst())) }
            }
            return [(path, .array(a + [a[a.count - 1]]))]
        case .bool(let b): return [(path, .bool(!b))]
        case .number(let n): return [(path, .number(n + 1))]
        case .string(let s): return [(path, .string(s + "x"))]
        default: return [(path, json)]
        }
    }

    func checkEveryKeyIsRead<C: Equatable>(_ section: String, load: (Data) throws -> C) throws {
        let example = try JSONDecoder().decode(JSON.self, from: Data(contentsOf: Self.exampleURL))
        guard case .object(let top) = example, let object = top[section] else { return XCTFail("no \(section) in the example") }
        let baseline = try load(JSONEncoder().encode([section: object]))
        let changes = Self.mutations(object)
        XCTAssertGreaterThan(changes.count, 10)
        for (path, changed) in changes {
            let name = ([section] + path).joined(separator: ".")
            do {
                let loaded = try load(JSONEncoder().encode([section: changed]))
                XCTAssertTrue(loaded != baseline, "\(name): changing it in the example changes nothing")
            } catch {
                XCTFail("\(name): the changed value does not load: \(error)")
            }
        }
    }

    func testEveryServerKeyOfTheExampleIsRead() throws {
        try checkEveryKeyIsRead("server") { try ServerConfiguration.load(data: $0) }
        let c = try ServerConfiguration.load(file: Self.exampleURL.path)
        XCTAssertNoThrow(try c.validate(), "the example is a valid configuration")
    }

    func testEveryClientKeyOfTheExampleIsRead() throws {
        try checkEveryKeyIsRead("client") { try ClientConfiguration.load(data: $0) }
    }

    /// A terminal's entry carries its mode; the older form (the hash alone) is a kiosk; an unknown
    /// mode is a configuration error.
    func testTerminalEntriesAndTheirModes() throws {
        let hash = String(repeating: "ab", count: 32)
        let c = try ServerConfiguration.load(
            data: Data(
                #"{"server": {"terminals": {"antigo": "\#(hash)", "balcao-1": {"mode": "counter", "secretHash": "\#(hash)"}}}}"#.utf8))
        XCTAssertEqual(c.terminals["antigo"], TerminalEntry(secretHash: hash, mode: "kiosk"))
        XCTAssertEqual(c.terminals["balcao-1"], TerminalEntry(secretHash: hash, mode: "counter"))
        XCTAssertNoThrow(try c.validate())
        let odd = try ServerConfiguration.load(
            data: Data(#"{"server": {"terminals": {"x": {"mode": "caixa", "secretHash": "\#(hash)"}}}}"#.utf8))
        XCTAssertThrowsError(try odd.validate())
    }

    /// A bad value inside the `server` object is an error, not the defaults.
    func testABadValueIsAnErrorNotADefault() {
        let bad = Data(#"{"server": {"loginPolicy": "qualquer"}}"#.utf8)
        XCTAssertThrowsError(try ServerConfiguration.load(data: bad))
        let badClient = Data(#"{"client": {"mode": "quiosque"}}"#.utf8)
        XCTAssertThrowsError(try ClientConfiguration.load(data: badClient))
    }

    func testEnvironmentOverridesAndValidation() throws {
        var c = ServerConfiguration()
        try c.apply(environment: ["AGENCIA_PORT": "9000", "AGENCIA_LOGIN_POLICY": "matricula", "AGENCIA_DATABASE": "postgres://x@h/db"])
        XCTAssertEqual(c.port, 9000)
        XCTAssertEqual(c.loginPolicy, .matricula)
        XCTAssertThrowsError(try c.apply(environment: ["AGENCIA_PORT": "abc"]))
        c.database = "mysql://nope"
        XCTAssertThrowsError(try c.validate())
        c.database = "sqlite:x"
        c.seed = "huge"
        XCTAssertThrowsError(try c.validate())
    }
}
