/// A key press, decoded from the terminal by `Terminal` (or scripted by a test).
public enum Key: Equatable, Hashable, Sendable {
    case char(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
    /// Control + letter (raw mode: Ctrl-C and Ctrl-Z are keys, never signals).
    case ctrl(Character)

    /// How the key is written in the function bar and the help.
    public var label: String {
        switch self {
        case .char(" "): return "Espaço"
        case .char(let c): return String(c).uppercased()
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Del"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .function(let n): return "F\(n)"
        case .ctrl(let c): return "Ctrl-\(String(c).uppercased())"
        }
    }
}

/// Everything the application reacts to, on one stream.
public enum Event: Sendable, Equatable {
    case key(Key)
    /// A click or a touch (kiosk touch screens send mouse events).
    case click(x: Int, y: Int)
    case wheel(up: Bool)
    case resize(width: Int, height: Int)
    /// The clock moved (idle timers, spinners); `now` in seconds.
    case tick(now: Double)
}

/// One command a screen offers: its key, its label, and whether it works now. The function bar
/// and the F1 help are generated from these, so they are always true (gitui, tig).
public struct Command: Equatable, Sendable {
    public var key: Key
    public var label: String
    public var help: String
    public var enabled: Bool
    /// Shown in the function bar (otherwise only in the help).
    public var inBar: Bool
    /// Why it is disabled, said when its key is pressed anyway (never silence; issue 28.19).
    public var whyNot: String?

    public init(_ key: Key, _ label: String, help: String = "", enabled: Bool = true, inBar: Bool = true, whyNot: String? = nil) {
        self.key = key
        self.label = label
        self.help = help.isEmpty ? label : help
        self.enabled = enabled
        self.inBar = inBar
        self.whyNot = whyNot
    }
}
