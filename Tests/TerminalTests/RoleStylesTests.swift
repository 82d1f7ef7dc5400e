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

    /// xterm's palette: the 16 system colours (xterm's defaults), the 6×6×6 cube, the greys.
    static func rgb(_ index: Int16) -> (Double, Double, Double) {
        let system: [(Int, Int, Int)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        let i = Int(index)
        let c: (Int, Int, Int)
        if i < 16 {
            c = system[i]
        } else if i < 232 {
            let steps = [0, 95, 135, 175, 215, 255]
            c = (steps[(i - 16) / 36], steps[(i - 16) / 6 % 6], steps[(i - 16) % 6])
        } else {
            let g = 8 + 10 * (i - 232)
            c = (g, g, g)
        }
        return (Double(c.0), Double(c.1), Double(c.2))
    }

    /// WCAG 2.x: relative luminance of sRGB, then (L1 + 0.05) / (L2 + 0.05).
    static func contrast(_ a: Int16, _ b: Int16) -> Double {
        func lum(_ i: Int16) -> Double {
            let (r, g, b) = rgb(i)
            func lin(_ v: Double) -> Double {
                let s = v / 255
                return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
            }
            return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
        }
        let (l1, l2) = (lum(a), lum(b))
        return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
    }

    /// Issue 32: in high contrast every role names both its colours (nothing left to the
    /// terminal's theme) and every pair reads at 7:1 or more (WCAG AAA), in 256 and in 8 colours.
    func testHighContrastIsAAAForEveryRole() {
        XCTAssertEqual(Self.contrast(16, 231), 21, accuracy: 0.01, "the formula: black on white is 21:1")
        for tier in [ColorTier.c256, .c8] {
            let p = RoleStyles.palette(tier: tier, highContrast: true)
            XCTAssertEqual(Set(p.keys), Set(Role.allCases), "\(tier)")
            for (role, (fg, bg, _)) in p {
                XCTAssertTrue(fg >= 0 && bg >= 0, "\(tier) \(role): both colours named")
                XCTAssertGreaterThanOrEqual(Self.contrast(fg, bg), 7, "\(tier) \(role): \(fg) on \(bg)")
            }
            // Statuses still differ from plain text there (and say themselves in words on screen).
            let normal = p[.normal].map { [Int64($0.0), Int64($0.1), Int64($0.2)] }
            for r in [Role.selected, .error, .overdue, .late, .inputFocused, .functionKey] {
                XCTAssertNotEqual(p[r].map { [Int64($0.0), Int64($0.1), Int64($0.2)] }, normal, "\(tier) \(r)")
            }
        }
        // The usual palette would not pass: what high contrast is for.
        let usual = RoleStyles.palette(tier: .c256, highContrast: false)
        XCTAssertTrue(usual.values.contains { $0.0 < 0 || $0.1 < 0 })
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
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("-"))), [.key(.function(11))])
        XCTAssertEqual(TerminalSession.escape(followedBy: .key(.char("="))), [.key(.function(12))])
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
