import Foundation
import XCTest

@testable import Domain

/// Issue 28.12: no stored code reaches a staff screen as it is stored.
final class CodeWordingTests: XCTestCase {
    func testChannels() {
        let table = [
            ("kiosk", "autoatendimento"), ("counter", "balcão"), ("staff", "retaguarda"), ("banco", "banco"), ("pix", "PIX"),
            ("debito_automatico", "débito automático"), ("loterica", "lotérica"), ("cartao:Sandbox", "cartão (Sandbox)"),
            ("novo_canal", "Novo canal"),
        ]
        for (code, label) in table { XCTAssertEqual(CodeWording.channel(code), label, code) }
    }

    /// Every action the server writes to the audit trail (read from its sources) has its words.
    func testEveryAuditActionTheServerWritesHasALabel() throws {
        let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Server")
        let files = FileManager.default.enumerator(at: server, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "swift" }
        let pattern = try NSRegularExpression(pattern: #"\.record\((?:[^"()]|\([^()]*\))*?"([a-z_]+)""#, options: [.dotMatchesLineSeparators])
        var codes = Set<String>()
        for f in files {
            let text = try String(contentsOf: f, encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                codes.insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        XCTAssertGreaterThan(codes.count, 30, "the scan finds the server's actions: \(codes.sorted())")
        for code in codes.sorted() {
            XCTAssertNotNil(CodeWording.auditActions[code], "\(code) has no words for the audit screen")
        }
        for action in ProtocolAction.allCases {
            XCTAssertFalse(CodeWording.auditAction("protocolo_\(action.rawValue)").contains("_"), action.rawValue)
        }
        XCTAssertEqual(CodeWording.auditAction("consultar_imovel"), "Abriu o imóvel")
        XCTAssertEqual(CodeWording.auditAction("protocolo_edit"), "Protocolo: editar")
    }
}

/// Issue 28: a phone is a Brazilian number with its DDD, never "abc".
final class PhoneNumberTests: XCTestCase {
    func testPhones() {
        let table: [(String, String?)] = [
            ("(79) 99876-5432", "79998765432"), ("79 3211-4455", "7932114455"), ("+55 79 99876-5432", "79998765432"),
            ("079 99876-5432", "79998765432"), ("abc", nil), ("99876-5432", nil), ("(79) 9987", nil), ("79 99876 5432 ramal 2", nil),
            ("", nil), ("(00) 99876-5432", nil),
        ]
        for (typed, digits) in table { XCTAssertEqual(PhoneNumber.normalized(typed), digits, typed) }
    }
}
