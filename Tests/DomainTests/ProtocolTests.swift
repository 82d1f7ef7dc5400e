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

/// Attachments are recognised by their first bytes; sizes read as people read them.
final class AttachmentKindTests: XCTestCase {
    func testKindByContentNotByName() {
        XCTAssertEqual(AttachmentKind(sniffing: Array("%PDF-1.7\n%âãÏÓ\n".utf8)), .pdf)
        // ISO 32000 lets the header come after some bytes (a scanner's preamble).
        XCTAssertEqual(AttachmentKind(sniffing: Array(repeating: 0x20, count: 100) + Array("%PDF-1.4".utf8)), .pdf)
        XCTAssertNil(AttachmentKind(sniffing: Array(repeating: 0x20, count: 1100) + Array("%PDF-1.4".utf8)))
        XCTAssertEqual(AttachmentKind(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]), .png)
        XCTAssertNil(AttachmentKind(sniffing: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]), "a cut PNG signature")
        XCTAssertEqual(AttachmentKind(sniffing: [0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), .jpeg)
        XCTAssertNil(AttachmentKind(sniffing: [0xFF, 0xD8]))
        XCTAssertNil(AttachmentKind(sniffing: Array("GIF89a".utf8)))
        XCTAssertNil(AttachmentKind(sniffing: Array("PK\u{3}\u{4}".utf8)), "a .docx is refused")
        XCTAssertNil(AttachmentKind(sniffing: [UInt8]()))
    }

    func testLimitsAndTheirMessages() {
        let limits = AttachmentLimits(maxBytes: 10 * 1024 * 1024, maxPerStep: 5)
        XCTAssertNil(limits.refusal(name: "a.pdf", size: 10 * 1024 * 1024, kind: .pdf), "exactly the limit is accepted")
        XCTAssertEqual(
            limits.refusal(name: "scan.pdf", size: 12_900_000, kind: .pdf), "O arquivo scan.pdf tem 12,3 MiB; o limite é 10 MiB por anexo.")
        XCTAssertEqual(
            limits.refusal(name: "x.txt", size: 10, kind: nil),
            "O arquivo x.txt não é PDF, PNG nem JPEG: só esses tipos podem ser anexados.")
        XCTAssertEqual(limits.refusal(name: "v.pdf", size: 0, kind: nil), "O arquivo v.pdf está vazio.")
        XCTAssertNil(limits.countRefusal(5))
        XCTAssertEqual(limits.countRefusal(6), "No máximo 5 anexos por trâmite.")
        XCTAssertEqual(AttachmentLimits(maxBytes: 1, maxPerStep: 1).countRefusal(2), "No máximo 1 anexo por trâmite.")
        XCTAssertEqual(AttachmentLimits.size(1), "1 byte")
        XCTAssertEqual(AttachmentLimits.size(820), "820 bytes")
        XCTAssertEqual(AttachmentLimits.size(1025), "2 KiB")
        XCTAssertEqual(AttachmentLimits.size(2_516_582), "2,4 MiB")
        XCTAssertEqual(AttachmentLimits.size(10 * 1024 * 1024), "10 MiB")
    }
}

/// Issue 28.3: which files of a protocol reach a customer, over every case.
final class CustomerProtocolViewTests: XCTestCase {
    func testOnlyTheUtilitysAnswersReachOnlyTheRequester() {
        let table: [(action: String, isPublic: Bool, requester: Bool, shown: Bool)] = [
            ("open", true, true, false),  // the documents brought to the counter
            ("open", true, false, false),
            ("dispatch", true, true, true),  // a public answer
            ("dispatch", true, false, false),  // another customer of the property
            ("dispatch", false, true, false),  // a private dispatch
            ("conclude", true, true, true),
            ("conclude", true, false, false),
            ("forward", false, true, false),
            ("reopen", true, true, true),
            ("reopen", false, true, false),
        ]
        for row in table {
            XCTAssertEqual(
                CustomerProtocolView.showsFile(stepAction: row.action, stepPublic: row.isPublic, toRequester: row.requester), row.shown,
                "\(row)")
        }
    }
}
