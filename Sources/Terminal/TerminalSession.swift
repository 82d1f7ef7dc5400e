import CNcursesw
import Foundation
import TUI

/// How many colours the terminal offers; decides the role → attribute mapping.
public enum ColorTier: String, Sendable {
    case c256, c8, mono
}

/// The curses terminal: started with `newterm` (so an unknown TERM falls back to `vt100`
/// instead of exiting), raw mode (Ctrl-C/Ctrl-Z are keys: no way out to a shell on a kiosk),
/// keypad and mouse on, a short escape delay. The only user of CNcursesw.
public final class TerminalSession {
    public let tier: ColorTier
    public let glyphs: Glyphs
    private var previous: Surface?
    private var pairs: [Role: (attr: attr_t, pair: Int16)] = [:]

    /// High contrast (issue 32): set from the configuration, switched by the kiosk's key.
    public private(set) var highContrast = false

    /// Starts curses on the process's terminal. `forceMono` ignores colours (config key).
    public init(forceMono: Bool = false, highContrast: Bool = false) throws {
        setlocale(LC_ALL, "")
        glyphs = agc_utf8_locale() != 0 ? .unicode : .ascii
        // The terminal's real size (ioctl, SIGWINCH), never stale LINES/COLUMNS variables.
        use_env(false)
        if agc_newterm(nil) == nil {
            setenv("TERM", "vt100", 1)
            guard agc_newterm("vt100") != nil else { throw TerminalError.cannotStart }
        }
        raw()
        noecho()
        nonl()
        keypad(agc_stdscr(), true)
        agc_set_escdelay(25)
        _ = mousemask(agc_mouse_mask(), nil)
        mouseinterval(0)
        if agc_has_colors() != 0 && !forceMono {
            start_color()
            use_default_colors()
            tier = agc_colors() >= 256 ? .c256 : .c8
        } else {
            tier = .mono
        }
        self.highContrast = highContrast
        pairs = RoleStyles.make(tier: tier, highContrast: highContrast)
        wtimeout(agc_stdscr(), 25)
    }

    /// Switches the palette; the next frame is drawn whole in it. Nothing to switch in monochrome.
    public func setHighContrast(_ on: Bool) {
        guard on != highContrast else { return }
        highContrast = on
        pairs = RoleStyles.make(tier: tier, highContrast: on)
        invalidate()
    }

    public var size: (width: Int, height: Int) { (Int(agc_cols()), Int(agc_lines())) }

    /// Copies the surface to the screen: only the cells that changed since the last frame, then
    /// one `doupdate()` (no `clear()` per frame: cheap over a slow SSH link).
    public func present(_ s: Surface) {
        let full = previous.map { $0.width != s.width || $0.height != s.height } ?? true
        if full { werase(agc_stdscr()) }
        for y in 0..<s.height {
            for x in 0..<s.width {
                let c = s[x, y]
                if c.continuation { continue }
                if !full, let p = previous, p[x, y] == c { continue }
                let style = pairs[c.role] ?? (agc_a_normal(), 0)
                let scalar = c.character.unicodeScalars.first?.value ?? 32
                _ = agc_put(Int32(y), Int32(x), wchar_t(bitPattern: scalar), style.attr, style.pair)
            }
        }
        if let cur = s.cursor {
            curs_set(1)
            wmove(agc_stdscr(), Int32(cur.y), Int32(cur.x))
        } else {
            curs_set(0)
        }
        wnoutrefresh(agc_stdscr())
        doupdate()
        previous = s
    }

    /// Forces the next frame to be drawn whole (after a resize).
    public func invalidate() { previous = nil }

    private var lastSizeCheck = ContinuousClock.now - .seconds(1)

    /// How long after Esc a digit still makes an F-key (Esc 5 = F5).
    static let escapeDigitMilliseconds: Int32 = 500
    /// An event read while deciding what an Esc meant, delivered next.
    private var pending: Event?

    /// Waits up to the input timeout for one event. Terminals whose terminfo lacks F-keys (vt100
    /// has F1–F4 only) reach them as Esc followed by a digit (Esc 0 = F10), as in mc: after an
    /// Esc the next key is awaited for `escapeDigitMilliseconds`; Esc Esc is one Esc at once.
    public func nextEvent() -> Event? {
        if let p = pending {
            pending = nil
            return p
        }
        guard let event = readEvent() else { return nil }
        guard event == .key(.escape) else { return event }
        wtimeout(agc_stdscr(), Self.escapeDigitMilliseconds)
        let next = readEvent()
        wtimeout(agc_stdscr(), 25)
        // A sequence curses did not know (an xterm or VT220 key on a terminal whose terminfo
        // lacks it, such as TERM=vt100): read it whole and decode it, never type its characters.
        if case .key(.char(let introducer))? = next, introducer == "[" || introducer == "O" {
            var body = ""
            while body.count < 16, case .key(.char(let c))? = readEvent() {
                body.append(c)
                if let a = c.asciiValue, (0x40...0x7E).contains(a), !(introducer == "[" && body == "[") { break }
            }
            return Self.sequence(introducer: introducer, body)
        }
        let events = Self.escape(followedBy: next)
        pending = events.count > 1 ? events[1] : nil
        return events[0]
    }

    /// The key an escape sequence stands for (`ESC [ 15 ~` is F5): the xterm, VT220 and Linux
    /// console encodings of function, cursor and editing keys; modifiers are ignored. Nil for
    /// anything else (the sequence is then dropped, not typed).
    static func sequence(introducer: Character, _ body: String) -> Event? {
        guard let final = body.last else { return nil }
        if introducer == "O" {
            let ss3: [Character: Key] = [
                "P": .function(1), "Q": .function(2), "R": .function(3), "S": .function(4), "A": .up, "B": .down, "C": .right,
                "D": .left, "H": .home, "F": .end, "M": .enter,
            ]
            return body.count == 1 ? ss3[final].map { .key($0) } : nil
        }
        if body.hasPrefix("[") {  // Linux console: ESC [ [ A … E = F1 … F5
            let linux: [Character: Key] = ["A": .function(1), "B": .function(2), "C": .function(3), "D": .function(4), "E": .function(5)]
            return body.count == 2 ? linux[final].map { .key($0) } : nil
        }
        let params = body.dropLast().split(separator: ";").map { Int($0) }
        if final == "~" {
            let tilde: [Int: Key] = [
                1: .home, 7: .home, 4: .end, 8: .end, 3: .delete, 5: .pageUp, 6: .pageDown, 11: .function(1), 12: .function(2),
                13: .function(3), 14: .function(4), 15: .function(5), 17: .function(6), 18: .function(7), 19: .function(8),
                20: .function(9), 21: .function(10), 23: .function(11), 24: .function(12),
            ]
            guard let first = params.first, let n = first else { return nil }
            return tilde[n].map { .key($0) }
        }
        let csi: [Character: Key] = [
            "A": .up, "B": .down, "C": .right, "D": .left, "H": .home, "F": .end, "Z": .backTab, "P": .function(1),
            "Q": .function(2), "R": .function(3), "S": .function(4),
        ]
        return csi[final].map { .key($0) }
    }

    /// What an Esc means given the event that followed it (nil: none in time).
    static func escape(followedBy next: Event?) -> [Event] {
        switch next {
        case nil, .key(.escape)?: return [.key(.escape)]
        case .key(.char(let c))? where c.isASCII && c.isNumber:
            let n = c.wholeNumberValue ?? 0
            return [.key(.function(n == 0 ? 10 : n))]
        // The two keys after 0 on the same row: F11 and F12 (the kiosk's contrast and audio).
        case .key(.char("-"))?: return [.key(.function(11))]
        case .key(.char("="))?: return [.key(.function(12))]
        case let e?: return [.key(.escape), e]
        }
    }

    /// One event as curses reports it (or a resize found by polling), without Esc composition.
    private func readEvent() -> Event? {
        var ch: wint_t = 0
        let r = agc_get_wch(&ch)
        if r == ERR {
            guard ContinuousClock.now - lastSizeCheck > .milliseconds(200) else { return nil }
            lastSizeCheck = ContinuousClock.now
            var rows: Int32 = 0
            var cols: Int32 = 0
            if agc_winsize(&rows, &cols) == 0 && (rows != agc_lines() || cols != agc_cols()) {
                resizeterm(rows, cols)
                invalidate()
                return .resize(width: Int(cols), height: Int(rows))
            }
            return nil
        }
        if r == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_RESIZE:
                invalidate()
                return .resize(width: size.width, height: size.height)
            case KEY_MOUSE:
                var m = MEVENT()
                guard getmouse(&m) == OK else { return nil }
                if agc_is_wheel_up(m.bstate) != 0 { return .wheel(up: true) }
                if agc_is_wheel_down(m.bstate) != 0 { return .wheel(up: false) }
                if agc_is_click(m.bstate) != 0 { return .click(x: Int(m.x), y: Int(m.y)) }
                return nil
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_BTAB: return .key(.backTab)
            case KEY_ENTER: return .key(.enter)
            default:
                for n in 1...12 where Int32(ch) == agc_key_f(Int32(n)) { return .key(.function(n)) }
                return nil
            }
        }
        return Self.decode(UInt32(ch))
    }

    /// Decodes a character code in raw mode.
    static func decode(_ code: UInt32) -> Event? {
        switch code {
        case 13, 10: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 8, 127: return .key(.backspace)
        case 1...26:
            return .key(.ctrl(Character(UnicodeScalar(code + 96) ?? "?")))
        default:
            guard let u = UnicodeScalar(code) else { return nil }
            return .key(.char(Character(u)))
        }
    }

    /// Ends curses and gives the terminal back as it was.
    public func end() {
        endwin()
    }
}

public enum TerminalError: Error, CustomStringConvertible {
    case cannotStart
    public var description: String { "não foi possível iniciar o terminal (TERM desconhecido?)" }
}

/// Role → curses attributes and colour pairs for each tier. Monochrome uses attributes only
/// (bold, reverse, underline, dim), so every status stays visible without colour.
enum RoleStyles {
    static func make(tier: ColorTier, highContrast: Bool = false) -> [Role: (attr: attr_t, pair: Int16)] {
        let bold = agc_a_bold()
        let rev = agc_a_reverse()
        let ul = agc_a_underline()
        let dim = agc_a_dim()
        let none = agc_a_normal()
        var out: [Role: (attr_t, Int16)] = [:]
        // Monochrome attributes, also used as the base in colour tiers.
        let mono: [Role: attr_t] = [
            .normal: none, .title: bold, .header: bold | ul, .muted: dim, .selected: rev, .focused: bold,
            .input: ul, .inputFocused: rev, .error: bold | rev, .warning: bold, .success: bold, .paid: dim,
            .underReview: bold | ul, .overdue: bold, .banner: rev, .functionKey: rev | bold, .functionLabel: none,
            .border: none, .hint: dim,
            // Reverse video: ink shows in the terminal's background colour, dark on the usual
            // dark themes (a monochrome terminal cannot be told which it is).
            .qrCode: rev,
            .late: bold | rev, .dueSoon: bold | ul,
        ]
        guard tier != .mono else {
            for (r, a) in mono { out[r] = (a, 0) }
            return out
        }
        let colours = palette(tier: tier, highContrast: highContrast)
        var n: Int16 = 1
        for role in Role.allCases {
            guard let (fg, bg, a) = colours[role] else { continue }
            if Int(n) < Int(agc_color_pairs()) {
                init_pair(n, fg, bg)
                out[role] = (a, n)
                n += 1
            } else {
                out[role] = (mono[role] ?? none, 0)
            }
        }
        return out
    }

    /// (foreground, background, attributes) of each role in a colour tier; -1 is the terminal's
    /// own colour. High contrast (`client.colors: "alto-contraste"`, issue 32) names both colours
    /// of every role — white or yellow on black, black on yellow or white — so no pair depends on
    /// the terminal's theme, each at a contrast of 7:1 or more (WCAG AAA; `RoleStylesTests`
    /// computes it from the xterm palette), and bold where plain text would be thin.
    static func palette(tier: ColorTier, highContrast: Bool) -> [Role: (Int16, Int16, attr_t)] {
        let bold = agc_a_bold()
        let ul = agc_a_underline()
        let dim = agc_a_dim()
        let none = agc_a_normal()
        let c256 = tier == .c256
        if highContrast {
            let (black, white, yellow) = c256 ? (Int16(16), Int16(231), Int16(226)) : (Int16(COLOR_BLACK), Int16(COLOR_WHITE), Int16(COLOR_YELLOW))
            let text = (white, black, none)
            let loud = (yellow, black, bold)
            let onYellow = (black, yellow, bold)
            let onWhite = (black, white, bold)
            return [
                .normal: text, .title: loud, .header: (white, black, bold | ul), .muted: text, .selected: onYellow, .focused: loud,
                .input: (white, black, ul), .inputFocused: onWhite, .error: onYellow, .warning: loud, .success: (white, black, bold),
                .paid: text, .underReview: (yellow, black, bold | ul), .overdue: loud, .banner: onWhite, .functionKey: onYellow,
                .functionLabel: text, .border: text, .hint: text, .qrCode: (black, white, none), .late: onYellow,
                .dueSoon: (yellow, black, bold | ul),
            ]
        }
        // (foreground, background) for 8 colours; 256-colour variants where they read better.
        return [
            .normal: (-1, -1, none),
            .title: (c256 ? 33 : Int16(COLOR_CYAN), -1, bold),
            .header: (c256 ? 250 : Int16(COLOR_WHITE), c256 ? 236 : Int16(COLOR_BLUE), bold),
            .muted: (c256 ? 244 : Int16(COLOR_WHITE), -1, c256 ? none : dim),
            .selected: (Int16(COLOR_BLACK), c256 ? 117 : Int16(COLOR_CYAN), none),
            .focused: (c256 ? 33 : Int16(COLOR_CYAN), -1, bold),
            // Underlined too: a field reads as a field even where its background is close to the
            // terminal's.
            .input: (-1, c256 ? 237 : Int16(COLOR_BLUE), ul),
            .inputFocused: (Int16(COLOR_BLACK), c256 ? 153 : Int16(COLOR_WHITE), none),
            .error: (Int16(COLOR_WHITE), Int16(COLOR_RED), bold),
            .warning: (c256 ? 214 : Int16(COLOR_YELLOW), -1, bold),
            .success: (Int16(COLOR_GREEN), -1, bold),
            // Green, not blue: dark blue on a black background cannot be read in 8 colours.
            .paid: (c256 ? 71 : Int16(COLOR_GREEN), -1, none),
            .underReview: (c256 ? 196 : Int16(COLOR_RED), -1, bold),
            .overdue: (c256 ? 208 : Int16(COLOR_YELLOW), -1, bold),
            .banner: (Int16(COLOR_BLACK), c256 ? 222 : Int16(COLOR_YELLOW), none),
            .functionKey: (Int16(COLOR_BLACK), Int16(COLOR_CYAN), none),
            .functionLabel: (c256 ? 252 : Int16(COLOR_WHITE), c256 ? 238 : Int16(COLOR_BLUE), none),
            .border: (c256 ? 67 : Int16(COLOR_BLUE), -1, none),
            .hint: (c256 ? 244 : Int16(COLOR_GREEN), -1, none),
            .qrCode: (Int16(COLOR_BLACK), c256 ? 231 : Int16(COLOR_WHITE), none),
            .late: (c256 ? 196 : Int16(COLOR_RED), -1, bold),
            .dueSoon: (c256 ? 214 : Int16(COLOR_YELLOW), -1, bold),
        ]
    }
}
