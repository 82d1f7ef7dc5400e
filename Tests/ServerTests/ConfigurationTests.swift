import Foundation
import XCTest

@testable import Server

final class ConfigurationTests: XCTestCase {
    /// The shipped example is valid and every key in it is read (none silently ignored).
    func testExampleConfigurationLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent("config.example.json").path
        let c = try ServerConfiguration.load(file: file)
        XCTAssertEqual(c.port, 8080)
        XCTAssertEqual(c.database, "sqlite:/var/lib/agencia/agencia.sqlite")
        XCTAssertEqual(c.loginPolicy, .matriculaDVDocumento)
        XCTAssertEqual(c.kioskIdleSeconds, 90)
        XCTAssertEqual(c.timeZone, "America/Sao_Paulo")
        XCTAssertNoThrow(try c.validate())
        XCTAssertEqual(c.smtp.url, "smtp://127.0.0.1:25")
        XCTAssertEqual(c.cardCompanies.first?.feeBasisPoints, 350)
        XCTAssertEqual(c.utility.febrabanCompany, "0123")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
        let server = try XCTUnwrap(json?["server"] as? [String: Any])
        // Every key the server reads is in the example, and nothing else is.
        XCTAssertEqual(Set(server.keys), Set(ServerConfiguration.CodingKeys.allCases.map(\.rawValue)))
        XCTAssertEqual(
            Set((server["utility"] as? [String: Any])?.keys.map { $0 } ?? []), Set(UtilitySettings.CodingKeys.allCases.map(\.rawValue)))
        XCTAssertEqual(
            Set((server["smtp"] as? [String: Any])?.keys.map { $0 } ?? []), Set(SMTPSettings.CodingKeys.allCases.map(\.rawValue)))
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
