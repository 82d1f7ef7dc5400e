import Foundation
import Domain

/// The bottom function bar, mc-style (issue 28.16): F1–F5 on the first of its two rows, F6–F10
/// on the second, each key always in the same slot whatever the screen; a slot the screen does
/// not use stays empty, a command that cannot act now is shown dimmed (its key says why). Every
/// label fits its slot at 80 columns (`KeyMap.problems`), so no key is ever hidden. Remembers
/// where each command was drawn so a click or touch on it sends that key (htop).
public struct FunctionBar: Sendable {
    public private(set) var regions: [(y: Int, range: Range<Int>, key: Key)] = []

    public init() {}

    public static let slotsPerRow = 5
    /// Rows the bar takes at the bottom of the screen.
    public static let height = 2

    /// Draws the bar on the rows `y` and `y + 1`.
    public mutating func render(_ commands: [Command], into s: inout Surface, y: Int) {
        regions = []
        let slot = KeyMap.slotWidth(s.width)
        for row in 0..<Self.height {
            s.fill(Rect(x: 0, y: y + row, width: s.width, height: 1), role: .functionLabel)
        }
        for n in 1...10 {
            let row = (n - 1) / Self.slotsPerRow
            let x0 = ((n - 1) % Self.slotsPerRow) * slot
            let key = Key.function(n)
            let c = commands.first { $0.key == key && $0.inBar && $0.enabled } ?? commands.first { $0.key == key && $0.inBar }
            // Only a key that acts now is highlighted: on a monochrome terminal without dim, a
            // disabled key still reads apart (its key not in reverse).
            var x = s.put(key.label, x: x0, y: y + row, role: c?.enabled == true ? .functionKey : .functionLabel)
            guard let c else { continue }
            let label = TextLayout.fit(c.label, width: max(1, slot - CharWidth.of(key.label) - 2))
            x = s.put(" " + label, x: x, y: y + row, role: c.enabled ? .functionLabel : .muted)
            regions.append((y + row, x0..<(x0 + slot), key))
        }
    }

    /// The key whose slot is under (`x`, `y`).
    public func key(atColumn x: Int, row y: Int) -> Key? { regions.first { $0.y == y && $0.range.contains(x) }?.key }
}

/// A single-line text field with a cursor, a character filter and a length limit.
public struct TextField: Sendable, Equatable {
    public var label: String
    public var text: String = ""
    public var cursor: Int = 0
    public var maxLength: Int
    /// Characters accepted while typing (the rest are ignored).
    public var accepts: @Sendable (Character) -> Bool
    /// Shown instead of the text (passwords).
    public var secret: Bool
    /// The whole text is selected (shown highlighted), as after a search: a typed character
    /// replaces it, Backspace or Delete clears it, moving the cursor keeps it for editing.
    public var selected = false

    public init(label: String, maxLength: Int = 40, secret: Bool = false, accepts: @escaping @Sendable (Character) -> Bool = { _ in true })
    {
        self.label = label
        self.maxLength = maxLength
        self.secret = secret
        self.accepts = accepts
    }

    public static func == (a: TextField, b: TextField) -> Bool {
        a.label == b.label && a.text == b.text && a.cursor == b.cursor
    }

    /// Applies an editing key; returns whether the text or cursor changed.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        // The text may have been replaced by the screen (a wrong code cleared): the cursor stays inside it.
        cursor = min(max(0, cursor), text.count)
        if selected {
            selected = false
            switch key {
            case .char(let c) where accepts(c): clear()
            case .backspace, .delete:
                clear()
                return true
            default: break
            }
        }
        switch key {
        case .char(let c):
            guard accepts(c), text.count < maxLength else { return false }
            let i = text.index(text.startIndex, offsetBy: cursor)
            text.insert(c, at: i)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return false }
            let i = text.index(text.startIndex, offsetBy: cursor - 1)
            text.remove(at: i)
            cursor -= 1
        case .delete:
            guard cursor < text.count else { return false }
            text.remove(at: text.index(text.startIndex, offsetBy: cursor))
        case .left:
            guard cursor > 0 else { return false }
            cursor -= 1
        case .right:
            guard cursor < text.count else { return false }
            cursor += 1
        case .home: cursor = 0
        case .end: cursor = text.count
        case .ctrl("u"):
            text = ""
            cursor = 0
        default: return false
        }
        return true
    }

    public mutating func clear() {
        text = ""
        cursor = 0
        selected = false
    }

    /// Selects the whole text, the cursor at its end.
    public mutating func selectAll() {
        cursor = text.count
        selected = !text.isEmpty
    }

    /// Draws `label: [text____]` at (x, y) with the field `width` cells wide. Returns the rect of
    /// the input area (for clicks).
    @discardableResult
    public func render(into s: inout Surface, x: Int, y: Int, labelWidth: Int, width: Int, focused: Bool) -> Rect {
        s.put(label, x: x, y: y, role: focused ? .focused : .normal)
        let fx = x + labelWidth
        let area = Rect(x: fx, y: y, width: width, height: 1)
        s.fill(area, s.glyphs.unicodeText ? " " : "_", role: focused ? .inputFocused : .input)
        let shown = secret ? String(repeating: "*", count: text.count) : text
        let cursor = min(max(0, self.cursor), text.count)
        let visibleStart = max(0, cursor - (width - 1))
        let visible = String(shown.dropFirst(visibleStart).prefix(width))
        s.put(visible, x: fx, y: y, role: focused ? (selected ? .selected : .inputFocused) : .input, clip: area)
        if focused {
            s.cursor = (fx + cursor - visibleStart, y)
            // Said when it takes the focus: its label and whether it holds something — never
            // what (a CPF is typed here; the customer asks for the digits with a key).
            let name = TextLayout.fieldName(label)
            if !name.isEmpty { s.announce("\(name), \(text.isEmpty ? "vazio" : "preenchido")") }
            s.focusedText = (name, secret ? "" : text)
        }
        return area
    }
}

/// A vertical list with a highlighted row and scrolling; rows are rendered by the caller.
public struct ListState: Sendable, Equatable {
    public var count: Int
    public var selected: Int = 0
    public var top: Int = 0

    public init(count: Int) { self.count = count }

    public mutating func handle(_ key: Key, pageSize: Int) -> Bool {
        guard count > 0 else { return false }
        let old = selected
        switch key {
        case .up: selected = max(0, selected - 1)
        case .down: selected = min(count - 1, selected + 1)
        case .pageUp: selected = max(0, selected - max(1, pageSize))
        case .pageDown: selected = min(count - 1, selected + max(1, pageSize))
        case .home: selected = 0
        case .end: selected = count - 1
        default: return false
        }
        return old != selected
    }

    /// A tap on row `index` (htop): selects it, or says it was already selected, which means
    /// "open it" (true).
    public mutating func tap(_ index: Int) -> Bool {
        guard index != selected else { return true }
        selected = index
        return false
    }

    /// Keeps the selection visible in a window of `height` rows.
    public mutating func scroll(height: Int) {
        selected = min(max(0, selected), max(0, count - 1))
        if selected < top { top = selected }
        if selected >= top + height { top = selected - height + 1 }
        top = max(0, min(top, max(0, count - height)))
    }

    /// The list drawn in `area`, one row each from its top (issue 32: the list's plumbing in one
    /// place): scrolled to keep the selection in view, the selected row as a bar the width of the
    /// area, the terminal's cursor at its start (a screen reader follows it), and the selected
    /// row said in words (`spoken`) when speech is on; `role` colours the others; `active` false:
    /// the focus is elsewhere on the screen (no bar, no cursor). Returns the
    /// rows drawn (a tap finds its row there). `columns` > 1: the rows fill that many columns
    /// top to bottom, `columnWidth(area.width)` cells each two apart, without scrolling (the
    /// screen chose it because they fit; ←/→ are its to move between columns).
    @discardableResult
    public mutating func render(
        into s: inout Surface, area: Rect, row: (Int) -> String, role: (Int) -> Role = { _ in .normal }, active: Bool = true,
        secondLine: ((Int) -> String)? = nil, columns: Int = 1, spoken: (Int) -> String
    ) -> [(y: Int, index: Int)] {
        let perItem = secondLine == nil ? 1 : 2
        let height = max(1, area.height / perItem)
        let perColumn = columns > 1 ? (count + columns - 1) / columns : height
        let width = columns > 1 ? Self.columnWidth(area.width, columns: columns) : area.width
        if columns > 1 {
            selected = min(max(0, selected), max(0, count - 1))
            top = 0
        } else {
            scroll(height: height)
        }
        var drawn: [(y: Int, index: Int)] = []
        for i in top..<min(count, top + (columns > 1 ? count : height)) {
            let (line, column) = ((i - top) % perColumn, (i - top) / perColumn)
            let (x, y) = (area.x + column * (width + 2), area.y + line * perItem)
            let on = active && i == selected
            s.put(TextLayout.pad(TextLayout.fit(row(i), width: width), width: width), x: x, y: y, role: on ? .selected : role(i))
            if on {
                s.cursor = (x, y)
                s.announce(spoken(i))
            }
            drawn.append((y, i))
            if let secondLine {
                s.put(TextLayout.pad(TextLayout.fit(secondLine(i), width: width), width: width), x: x, y: y + 1, role: on ? .selected : .muted)
                drawn.append((y + 1, i))
            }
        }
        return drawn
    }

    /// The width of each of `columns` columns in `width` cells (two between them).
    public static func columnWidth(_ width: Int, columns: Int) -> Int { (width - 2 * (columns - 1)) / columns }
}

/// Word wrapping for messages and help text.
public enum TextLayout {
    /// A field's label as said: without its colon, the mark of a required field and spaces.
    public static func fieldName(_ label: String) -> String {
        let trim: Set<Character> = [":", "*", " "]
        return String(label.drop(while: { trim.contains($0) }).reversed().drop(while: { trim.contains($0) }).reversed())
    }

    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        return wordWrap(text) { CharWidth.of($0) <= width }
    }

    /// Items packed into lines of `width`, whole items per line (`separator` between them); an
    /// item wider than a line is word-wrapped. Nothing is cut.
    public static func flow(_ items: [String], width: Int, separator: String = "   ") -> [String] {
        flowPlaced(items, width: width, separator: separator).map { $0.map(\.text).joined(separator: separator) }
    }

    /// `flow`, saying where each piece went: per line, the item's index, its column and text (a
    /// wrapped item gives several pieces with one index). For lines whose items can be touched.
    public static func flowPlaced(_ items: [String], width: Int, separator: String = "   ")
        -> [[(index: Int, column: Int, text: String)]]
    {
        var lines: [[(index: Int, column: Int, text: String)]] = []
        var line: [(index: Int, column: Int, text: String)] = []
        var used = 0
        for (index, item) in items.enumerated() where !item.isEmpty {
            let column = line.isEmpty ? 0 : used + CharWidth.of(separator)
            if column + CharWidth.of(item) <= width {
                line.append((index, column, item))
                used = column + CharWidth.of(item)
                continue
            }
            if !line.isEmpty { lines.append(line) }
            let parts = wrap(item, width: width)
            for part in parts.dropLast() { lines.append([(index, 0, part)]) }
            line = [(index, 0, parts.last ?? "")]
            used = CharWidth.of(parts.last ?? "")
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` cut to `width` cells with an ellipsis when it does not fit.
    public static func fit(_ text: String, width: Int) -> String {
        guard CharWidth.of(text) > width else { return text }
        guard width > 1 else { return String(text.prefix(max(0, width))) }
        var out = ""
        for ch in text {
            if CharWidth.of(out) + CharWidth.of(ch) > width - 1 { break }
            out.append(ch)
        }
        return out + "…"
    }

    /// Pads or cuts `text` to exactly `width` cells.
    public static func pad(_ text: String, width: Int) -> String {
        let t = fit(text, width: width)
        return t + String(repeating: " ", count: max(0, width - CharWidth.of(t)))
    }
}

/// A multi-line text field (a dispatch, a protocol's text): word-wrapped to its width, Enter
/// breaks the line, arrows move the cursor (up and down by displayed line), accents and pasted
/// text go in as typed.
public struct TextArea: Sendable, Equatable {
    public private(set) var text: String = ""
    /// The cursor as a character offset in `text`.
    public private(set) var cursor: Int = 0
    public var maxLength: Int
    /// First displayed line (scrolls to keep the cursor visible).
    public private(set) var top = 0

    public init(maxLength: Int = 20_000) { self.maxLength = maxLength }

    /// The displayed lines for `width`: each with the offset of its first character.
    public func lines(width: Int) -> [(start: Int, text: String)] {
        let chars = Array(text)
        var out: [(Int, String)] = []
        var i = 0
        var lineStart = 0
        var line = ""
        var lastSpace: Int? = nil  // index in chars of the last space on the line
        while i <= chars.count {
            if i == chars.count || chars[i] == "\n" {
                out.append((lineStart, line))
                i += 1
                lineStart = i
                line = ""
                lastSpace = nil
                continue
            }
            let c = chars[i]
            if CharWidth.of(line) + CharWidth.of(c) > max(1, width) {
                if let sp = lastSpace, sp >= lineStart, c != " " {
                    // Break after the last space: the word moves down whole.
                    out.append((lineStart, String(chars[lineStart..<sp])))
                    lineStart = sp + 1
                    line = String(chars[lineStart..<i])
                } else {
                    out.append((lineStart, line))
                    lineStart = i
                    line = ""
                }
                lastSpace = nil
            }
            if c == " " { lastSpace = i }
            line.append(c)
            i += 1
        }
        return out
    }

    /// The cursor's displayed line and column.
    public func position(width: Int) -> (line: Int, column: Int) {
        let ls = lines(width: width)
        let index = ls.lastIndex { $0.start <= cursor } ?? 0
        let col = CharWidth.of(String(Array(text)[ls[index].start..<min(cursor, ls[index].start + ls[index].text.count)]))
        return (index, col)
    }

    /// Handles editing keys; false for keys it does not use.
    public mutating func handle(_ key: Key, width: Int) -> Bool {
        var chars = Array(text)
        switch key {
        case .char(let c):
            guard chars.count < maxLength, !c.isNewline || c == "\n" else { return true }
            chars.insert(c, at: cursor)
            cursor += 1
        case .enter:
            guard chars.count < maxLength else { return true }
            chars.insert("\n", at: cursor)
            cursor += 1
        case .backspace:
            guard cursor > 0 else { return true }
            chars.remove(at: cursor - 1)
            cursor -= 1
        case .delete:
            guard cursor < chars.count else { return true }
            chars.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .up, .down:
            let ls = lines(width: width)
            let (line, col) = position(width: width)
            let target = key == .up ? line - 1 : line + 1
            guard ls.indices.contains(target) else { return true }
            cursor = ls[target].start + min(col, ls[target].text.count)
        case .home:
            cursor = lines(width: width)[position(width: width).line].start
        case .end:
            let l = lines(width: width)[position(width: width).line]
            cursor = l.start + l.text.count
        default:
            return false
        }
        text = String(chars)
        return true
    }

    /// Draws the visible lines in `r` (with the input roles) and places the cursor when focused;
    /// focused, it says its `name` and whether it holds something (like a `TextField`), and
    /// Ctrl-L reads it back.
    public mutating func render(into s: inout Surface, rect r: Rect, name: String, focused: Bool) {
        let ls = lines(width: r.width)
        let (line, col) = position(width: r.width)
        if line < top { top = line }
        if line >= top + r.height { top = line - r.height + 1 }
        s.fill(r, role: focused ? .inputFocused : .input)
        for (k, l) in ls.dropFirst(top).prefix(r.height).enumerated() {
            s.put(l.text, x: r.x, y: r.y + k, role: focused ? .inputFocused : .input, clip: r)
        }
        if focused {
            s.cursor = (r.x + min(col, r.width - 1), r.y + line - top)
            s.announce("\(name), \(text.isEmpty ? "vazio" : "preenchido")")
            s.focusedText = (name, text)
        }
    }
}

/// Scrolling a text taller than its room: ↑/↓ a line, PgUp/PgDn ten, the wheel three.
public enum Scrolling {
    /// `offset` after `event` (never below 0; the screen clamps the top end when it draws), or
    /// nil when the event does not scroll.
    public static func moved(_ offset: Int, by event: Event) -> Int? {
        let step: Int
        switch event {
        case .key(.down): step = 1
        case .key(.up): step = -1
        case .key(.pageDown): step = 10
        case .key(.pageUp): step = -10
        case .wheel(let up): step = up ? -3 : 3
        default: return nil
        }
        return max(0, offset + step)
    }
}

/// A text taller than its room, read by scrolling (issue 32: a protocol's history, an
/// agreement, a declaração, the record of a customer): ↑/↓ a line, PgUp/PgDn ten, the wheel
/// three (`Scrolling`); where it stands on its last row when it does not fit; the terminal's
/// cursor at the start of the first line shown (a screen reader reads from there) and the lines
/// shown said, each once, when speech is on.
public struct DocumentView: Sendable, Equatable {
    /// The first line shown.
    public var offset = 0

    public init() {}

    /// Scrolls by `event`; false when it does not scroll.
    public mutating func handle(_ event: Event) -> Bool {
        guard let moved = Scrolling.moved(offset, by: event) else { return false }
        offset = moved
        return true
    }

    /// Draws `lines` in `area`; `name` says what is scrolled ("histórico") on the position line.
    /// `active` false: the focus is elsewhere (a form above it), the cursor stays there. Returns
    /// the row after the last line drawn.
    @discardableResult
    public mutating func render(
        _ lines: [(text: String, role: Role)], into s: inout Surface, area: Rect, name: String, active: Bool = true
    ) -> Int {
        let fits = lines.count <= area.height
        let room = fits ? area.height : max(1, area.height - 1)
        offset = min(offset, max(0, lines.count - room))
        var y = area.y
        var placed = !active
        for line in lines.dropFirst(offset).prefix(room) {
            s.put(line.text, x: area.x, y: y, role: line.role, clip: area)
            if !placed, let first = line.text.firstIndex(where: { !$0.isWhitespace }) {
                s.cursor = (area.x + CharWidth.of(String(line.text[..<first])), y)
                placed = true
            }
            s.announce(line.text)
            y += 1
        }
        if !fits {
            s.put(
                "↑↓ PgUp PgDn: \(name) (\(offset + 1)–\(min(lines.count, offset + room)) de \(lines.count))", x: area.x,
                y: area.y + area.height - 1, role: .muted, clip: area)
        }
        return y
    }
}

/// Type-to-find over a list (issue 32: a list's filter in one place): what was typed, matched
/// against a row's words with accents, case and hyphens aside ("ligacao" finds "Ligação",
/// "email" finds "E-mail"), every typed word somewhere in them. A screen that reads digits as
/// numbers (a service's) takes them before handing keys here.
public struct ListFilter: Sendable, Equatable {
    public private(set) var text = ""

    public init() {}

    public var isEmpty: Bool { text.isEmpty }

    /// A typed character goes in, Backspace takes the last one off; false for other keys (and
    /// for Backspace on an empty filter, which is then the screen's).
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let c) where !c.isNewline:
            text.append(c)
            return true
        case .backspace where !text.isEmpty:
            text.removeLast()
            return true
        default:
            return false
        }
    }

    /// Every typed word is in `candidate`.
    public func matches(_ candidate: String) -> Bool {
        let hay = Self.fold(candidate)
        return Self.fold(text).split(separator: " ").allSatisfy { hay.contains($0) }
    }

    /// "E-mail" and "email", "Ligação" and "ligacao" alike.
    public static func fold(_ s: String) -> String {
        s.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).replacingOccurrences(of: "-", with: "")
    }

    /// `Filtrar: texto` on row `y`, the terminal's cursor where the next letter goes (a list
    /// below moves it to its selected row, which is what Enter opens).
    public func render(into s: inout Surface, x: Int, y: Int, width: Int) {
        s.put("Filtrar: ", x: x, y: y, role: .muted)
        let field = max(1, min(30, width - 9))
        s.put(TextLayout.pad(String(text.suffix(field - 1)), width: field), x: x + 9, y: y, role: .inputFocused)
        s.cursor = (x + 9 + min(CharWidth.of(text), field - 1), y)
    }
}
