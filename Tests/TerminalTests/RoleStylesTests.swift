import CNcursesw
import XCTest

@testable import TUI
@testable import Terminal

/// Monochrome terminals (`TERM=vt100`) get attributes only: every status a screen shows must
/// still look different from plain text and from the other statuses (its text says it too).
final class RoleStylesTests: XCTestCase {
    func testMonochromeKeepsStatusesDistinct() {
        let mono = RoleStyles.make(tier: .mono)
        let statuses: [Role] = [.paid, .underReview, .overdue, .selected, .error, .inputFocused]
        let normal = mono[.normal]?.attr
        for r in statuses {
            XCTAssertNotEqual(mono[r]?.attr, normal, "\(r) looks like plain text in monochrome")
            XCTAssertEqual(mono[r]?.pair, 0, "no colour pairs in monochrome")
        }
        let bill: [Role] = [.paid, .underReview, .overdue, .selected]
        XCTAssertEqual(Set(bill.compactMap { mono[$0]?.attr }).count, bill.count, "bill situations must differ from each other")
    }

    func testEveryRoleHasAStyle() {
        let mono = RoleStyles.make(tier: .mono)
        for r in Role.allCases { XCTAssertNotNil(mono[r], "\(r)") }
    }

    func testRawModeKeysDecode() {
        XCTAssertEqual(TerminalSession.decode(13), .key(.enter))
        XCTAssertEqual(TerminalSession.decode(27), .key(.escape))
        XCTAssertEqual(TerminalSession.decode(3), .key(.ctrl("c")), "Ctrl-C is a key in raw mode, not a signal")
        XCTAssertEqual(TerminalSession.decode(127), .key(.backspace))
        XCTAssertEqual(TerminalSession.decode(0xE7), .key(.char("ç")))
    }
}
