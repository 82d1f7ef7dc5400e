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

    /// vt100 has no F5–F12: Esc then a digit is that F-key (Esc 0 = F10); Esc alone, or Esc Esc,
    /// is Esc; Esc then another key is both, in order.
    func testEscapeThenDigitIsAFunctionKey() {
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("5"))), [.key(.function(5))])
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("9"))), [.key(.function(9))])
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("0"))), [.key(.function(10))])
        XCTAssertEqual(TerminalSession.escape(followedBy: nil), [.key(.escape)])
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.escape)), [.key(.escape)])
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("a"))), [.key(.escape), .key(.char("a"))])
        XCTAssertEqual(TerminalSession.escape(followedBy: .click(x: 1, y: 2)), [.key(.escape), .click(x: 1, y: 2)])
    }

    /// xterm/VT220 keys on a terminal whose terminfo lacks them (TERM=vt100 in an xterm): decoded
    /// whole, never typed as "[15~".
    func testUnknownSequencesDecode() {
        let keys: [(Character, String, Key)] = [
            ("[", "15~", .function(5)), ("[", "21~", .function(10)), ("[", "24~", .function(12)), ("[", "11~", .function(1)),
            ("[", "17;2~", .function(6)), ("O", "P", .function(1)), ("O", "S", .function(4)), ("[", "[E", .function(5)),
            ("[", "1;5P", .function(1)), ("[", "A", .up), ("[", "6~", .pageDown), ("[", "3~", .delete), ("[", "Z", .backTab),
            ("O", "H", .home), ("[", "4~", .end),
        ]
        for (intro, body, key) in keys {
            XCTAssertEqual(TerminalSession.sequence(introducer: intro, body), .key(key), "ESC \(intro)\(body)")
        }
        XCTAssertNil(TerminalSession.sequence(introducer: "[", "99~"), "unknown: dropped")
        XCTAssertNil(TerminalSession.sequence(introducer: "[", ""))
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("5"))), [.key(.function(5))])
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("0"))), [.key(.function(10))])
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.escape)), [.key(.escape)])
    }
}
