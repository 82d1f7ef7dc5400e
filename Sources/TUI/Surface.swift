/// What a cell means, not what colour it is: the presenter maps roles to 256 colours, 8 colours
/// or monochrome attributes, so status never depends on colour alone (the text says it too).
public enum Role: String, Sendable, CaseIterable {
    case normal, title, header, muted, selected, focused, input, inputFocused, error, warning, success
    case paid, underReview, overdue, banner, functionKey, functionLabel, border, hint
    /// A QR code's canvas: dark ink on a light background in every theme (explicit colours),
    /// so the code is never inverted on a light-background terminal.
    case qrCode
    /// A deadline passed, and one due within two days (work queues).
    case late, dueSoon

    /// A message to the user — an error, a warning, a success — said as it appears when the
    /// kiosk speaks.
    public var isMessage: Bool { self == .error || self == .warning || self == .success }
}

/// One screen position: a character, its role, and whether it continues the wide character on
/// its left (which then occupies two cells).
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var role: Role
    public var continuation: Bool

    public init(_ character: Character = " ", role: Role = .normal, continuation: Bool = false) {
        self.character = character
        self.role = role
        self.continuation = continuation
    }
}

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < x + width && py >= y && py < y + height }
    public func inset(_ dx: Int, _ dy: Int) -> Rect { Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy) }
}

/// A grid of cells that screens draw into; the presenter copies it to the terminal. Rendering to
/// a buffer keeps screens testable without a terminal and lets the presenter send only changes.
public struct Surface: Sendable {
    public let width: Int
    public let height: Int
    public let glyphs: Glyphs
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should sit (a focused text field), if anywhere.
    public var cursor: (x: Int, y: Int)?
    /// Text that did not fit where it was put (cut at the right or below): a screen's tests
    /// require there is none at 80×24.
    public private(set) var cuts: [String] = []
    /// What this frame says aloud when speech is on (issue 32): the screen's title, then its
    /// messages, in order. The kiosk speaks what is new since the frame before.
    public private(set) var spoken: [String] = []
    /// The focused field's label and text, for reading it back on request (Ctrl-L at a
    /// speaking kiosk); never said unasked.
    public var focusedText: (label: String, text: String)?

    /// Adds `text` to what the frame says.
    public mutating func announce(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty, !spoken.contains(t) { spoken.append(t) }
    }

    public init(width: Int, height: Int, glyphs: Glyphs = .unicode) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.glyphs = glyphs
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` from (x, y), clipped to `clip` (default: the whole surface). Characters the
    /// glyph set cannot show are replaced (ASCII mode). Returns the column after the text.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal, clip: Rect? = nil) -> Int {
        let area = clip ?? bounds
        guard y >= area.y, y < area.y + area.height, y >= 0, y < height else {
            if text.contains(where: { !$0.isWhitespace }) { cuts.append(text) }
            return x
        }
        var cx = x
        let shown = glyphs.displayable(text)
        for (i, ch0) in zip(shown.indices, shown) {
            let ch = glyphs.displayable(ch0)
            let w = CharWidth.of(ch)
            if w == 0 { continue }
            if cx + w > area.x + area.width || cx + w > width {
                if shown[i...].contains(where: { !$0.isWhitespace }) { cuts.append(text) }
                break
            }
            if cx >= area.x && cx >= 0 {
                self[cx, y] = Cell(ch, role: role)
                if w == 2 { self[cx + 1, y] = Cell(" ", role: role, continuation: true) }
            }
            cx += w
        }
        return cx
    }

    /// `text` word-wrapped to `width` from (x, y); returns the row after its last line. A
    /// message, a warning, an error or a success is said as it appears (like `footer`).
    @discardableResult
    public mutating func paragraph(_ text: String, x: Int, y: Int, width: Int, role: Role = .normal) -> Int {
        if role.isMessage { announce(text) }
        var y = y
        for line in TextLayout.wrap(text, width: width) {
            put(line, x: x, y: y, role: role)
            y += 1
        }
        return y
    }

    /// `text` word-wrapped to `width`, its last line on row `bottom` (a screen's status or error
    /// line): the rows it takes are cleared first, so it reads whole over whatever was there.
    public mutating func footer(_ text: String, x: Int, bottom: Int, width: Int, role: Role) {
        // A message, a warning, an error: said as it appears.
        if role.isMessage { announce(text) }
        let lines = TextLayout.wrap(text, width: width)
        let top = bottom - lines.count + 1
        for (i, line) in lines.enumerated() {
            fill(Rect(x: x, y: top + i, width: width, height: 1))
            put(line, x: x, y: top + i, role: role)
        }
    }

    /// Fills a rectangle with one character and role.
    public mutating func fill(_ r: Rect, _ ch: Character = " ", role: Role = .normal) {
        for y in max(0, r.y)..<min(height, r.y + r.height) {
            for x in max(0, r.x)..<min(width, r.x + r.width) { self[x, y] = Cell(ch, role: role) }
        }
    }

    /// Changes the role of the cells of a rectangle, keeping their characters (selection bars).
    public mutating func paint(_ r: Rect, role: Role) {
        for y in max(0, r.y)..<min(height, r.y + r.height) {
            for x in max(0, r.x)..<min(width, r.x + r.width) { cells[y * width + x].role = role }
        }
    }

    /// A box border with an optional title.
    public mutating func box(_ r: Rect, title: String? = nil, role: Role = .border) {
        guard r.width >= 2, r.height >= 2 else { return }
        let g = glyphs
        for x in r.x + 1..<r.x + r.width - 1 {
            put(String(g.horizontal), x: x, y: r.y, role: role)
            put(String(g.horizontal), x: x, y: r.y + r.height - 1, role: role)
        }
        for y in r.y + 1..<r.y + r.height - 1 {
            put(String(g.vertical), x: r.x, y: y, role: role)
            put(String(g.vertical), x: r.x + r.width - 1, y: y, role: role)
        }
        put(String(g.topLeft), x: r.x, y: r.y, role: role)
        put(String(g.topRight), x: r.x + r.width - 1, y: r.y, role: role)
        put(String(g.bottomLeft), x: r.x, y: r.y + r.height - 1, role: role)
        put(String(g.bottomRight), x: r.x + r.width - 1, y: r.y + r.height - 1, role: role)
        if let title, r.width > 6 {
            put(" \(title) ", x: r.x + 2, y: r.y, role: .title, clip: Rect(x: r.x + 1, y: r.y, width: r.width - 2, height: 1))
        }
    }

    /// The text of one row (continuation cells skipped), for snapshots and end-to-end checks.
    public func row(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].continuation { s.append(self[x, y].character) }
        return s
    }

    /// The whole surface as text, trailing spaces trimmed per line.
    public var text: String {
        (0..<height).map { y in
            var r = row(y)
            while r.last == " " { r.removeLast() }
            return r
        }.joined(separator: "\n")
    }

    /// One letter per cell naming its role, for style snapshots (`.` for normal).
    public var roleMap: String {
        (0..<height).map { y in
            String((0..<width).map { x in Role.letter(self[x, y].role) })
        }.joined(separator: "\n")
    }
}

extension Role {
    static func letter(_ r: Role) -> Character {
        switch r {
        case .normal: return "."
        case .title: return "T"
        case .header: return "H"
        case .muted: return "m"
        case .selected: return "S"
        case .focused: return "F"
        case .input: return "i"
        case .inputFocused: return "I"
        case .error: return "E"
        case .warning: return "W"
        case .success: return "s"
        case .paid: return "p"
        case .underReview: return "r"
        case .overdue: return "o"
        case .banner: return "B"
        case .functionKey: return "K"
        case .functionLabel: return "k"
        case .border: return "b"
        case .hint: return "h"
        case .qrCode: return "Q"
        case .late: return "L"
        case .dueSoon: return "D"
        }
    }
}

/// Display width of a character in a terminal: 0 for combining marks, 2 for wide (CJK, most
/// emoji), 1 otherwise. Portuguese text (precomposed) is always 1.
public enum CharWidth {
    public static func of(_ ch: Character) -> Int {
        guard let s = ch.unicodeScalars.first else { return 0 }
        let v = s.value
        if v == 0 { return 0 }
        if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) { return 0 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
        {
            return 2
        }
        return 1
    }

    public static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }
}
