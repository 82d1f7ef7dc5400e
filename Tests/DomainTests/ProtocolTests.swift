import Domain
import XCTest

/// Protocol numbers and who may move a protocol how (DOMAIN.md, "Protocols"; issue 11).
final class ProtocolTests: XCTestCase {
    func testNumbers() {
        let n = ProtocolNumber(year: 2026, sequence: 123)!
        XCTAssertEqual(n.formatted, "2026/000123")
        XCTAssertEqual(n.compact, "2026000123")
        for typed in ["2026/000123", "2026/123", "2026000123", " 2026 / 000.123 ", "2026-000123"] {
            XCTAssertEqual(ProtocolNumber(parsing: typed), n, typed)
        }
        for bad in [
            "", "2026", "2026/", "2026/0000000", "26/000123", "202600012", "2026/00012a", "abcd/000123", "2026/000000", "1999/000001",
        ] {
            XCTAssertNil(ProtocolNumber(parsing: bad), bad)
        }
        XCTAssertLessThan(ProtocolNumber(year: 2025, sequence: 999_999)!, ProtocolNumber(year: 2026, sequence: 1)!)
    }

    /// Every action × role × situation, against a table written from the issue's rules: the
    /// protocol sits in unit "ouv"; the staff member is in "ouv" or in "com".
    func testWhoMayDoWhat() {
        typealias S = ProtocolSituation
        let movable: Set<S> = [.aberto, .recebido, .emAndamento, .reaberto]
        let allowedSituations: [ProtocolAction: Set<S>] = [
            .receive: [.aberto, .reaberto], .dispatch: [.recebido, .emAndamento], .conclude: [.recebido, .emAndamento],
            .forward: movable, .edit: movable, .reopen: [.concluido],
        ]
        for action in ProtocolAction.allCases {
            for situation in S.allCases {
                for (role, unit) in [(StaffRole.atendente, "ouv"), (.backoffice, "ouv"), (.backoffice, "com"), (.supervisor, "com")] {
                    let byRole: Bool
                    switch role {
                    case .atendente: byRole = false
                    case .backoffice: byRole = unit == "ouv" && action != .reopen
                    case .supervisor: byRole = true
                    }
                    let expected = byRole && allowedSituations[action]!.contains(situation)
                    let refusal = action.refusal(role: role, staffUnit: unit, situation: situation, protocolUnit: "ouv")
                    XCTAssertEqual(refusal == nil, expected, "\(role) of \(unit) \(action) on \(situation): \(refusal ?? "allowed")")
                }
            }
        }
        XCTAssertEqual(ProtocolAction.forward.situation(after: .emAndamento), .aberto)
        XCTAssertEqual(ProtocolAction.reopen.situation(after: .concluido), .reaberto)
        XCTAssertEqual(ProtocolAction.edit.situation(after: .recebido), .recebido)
    }
}
