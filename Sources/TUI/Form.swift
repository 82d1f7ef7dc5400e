/// A vertical form (simulations, due date, later requests): text fields and choices, one
/// focused at a time. ↑/↓ or Tab move between fields; a choice cycles with ←/→ or Space; a
/// click focuses a field. The screen reads the values and decides what Enter does.
public struct Form: Sendable, Equatable {
    public enum Input: Sendable, Equatable {
        case text(TextField)
        case choice(options: [String], selected: Int)
    }

    public struct Field: Sendable, Equatable {
        public var label: String
        public var input: Input
        /// Shown after the field (a unit, an example).
        public var hint: String
        public init(_ label: String, _ input: Input, hint: String = "") {
            self.label = label
            self.input = input
            self.hint = hint
        }
    }

    public var fields: [Field]
    public var focus: Int = 0
    /// A problem to show beside a field (by index), set by the screen after validating.
    public var problems: [Int: String] = [:]
    public private(set) var rows: [Int] = []
    /// A person typed or chose something here (the screen's own prefilling does not count):
    /// leaving would lose it, so F10 asks first (issue 28.17).
    public private(set) var edited = false

    public init(_ fields: [Field]) { self.fields = fields }

    /// The text of a text field, or the selected option of a choice.
    public func value(_ i: Int) -> String {
        switch fields[i].input {
        case .text(let t): return t.text
        case .choice(let options, let selected): return options[selected]
        }
    }

    public func selectedIndex(_ i: Int) -> Int {
        if case .choice(_, let selected) = fields[i].input { return selected }
        return 0
    }

    public mutating func setText(_ i: Int, _ text: String) {
        guard case .text(var t) = fields[i].input else { return }
        t.text = text
        t.cursor = text.count
        fields[i].input = .text(t)
    }

    public mutating func select(_ i: Int, _ option: Int) {
        guard case .choice(let options, _) = fields[i].input, options.indices.contains(option) else { return }
        fields[i].input = .choice(options: options, selected: option)
    }

    /// Applies a key: navigation, editing, cycling. Returns whether it was used.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .down, .tab:
            focus = (focus + 1) % fields.count
            return true
        case .up, .backTab:
            focus = (focus + fields.count - 1) % fields.count
            return true
        default: break
        }
        switch fields[focus].input {
        case .text(var t):
            let before = t.text
            guard t.handle(key) else { return false }
            edited = edited || t.text != before
            fields[focus].input = .text(t)
            problems[focus] = nil
            return true
        case .choice(let options, let selected):
            let next: Int
            switch key {
            case .right, .char(" "): next = (selected + 1) % options.count
            case .left: next = (selected + options.count - 1) % options.count
            default: return false
            }
            fields[focus].input = .choice(options: options, selected: next)
            problems[focus] = nil
            edited = true
            return true
        }
    }

    /// Focuses the field drawn on row `y` (a click); returns whether there was one.
    public mutating func click(row y: Int) -> Bool {
        guard let i = rows.firstIndex(of: y) else { return false }
        if focus == i, case .choice = fields[i].input { _ = handle(.right) }
        focus = i
        return true
    }

    /// Draws one field per row from (x, y): the label, the input `width` cells wide, the hint or
    /// the field's problem. Returns the row after the form.
    @discardableResult
    /// Draws the fields from row `y`; returns the row after them. `active` false: no field has
    /// the focus (the screen's focus is elsewhere). A hint or problem that does not fit beside its
    /// field wraps onto the next rows.
    public mutating func render(into s: inout Surface, x: Int, y: Int, labelWidth: Int, width: Int, active: Bool = true) -> Int {
        rows = []
        var row = y
        for (i, f) in fields.enumerated() {
            rows.append(row)
            let focused = active && i == focus
            switch f.input {
            case .text(let t):
                var field = t
                field.label = f.label
                field.render(into: &s, x: x, y: row, labelWidth: labelWidth, width: width, focused: focused)
            case .choice(let options, let selected):
                s.put(f.label, x: x, y: row, role: focused ? .focused : .normal)
                let text = "< \(options[selected]) >"
                s.put(TextLayout.pad(text, width: width), x: x + labelWidth, y: row, role: focused ? .inputFocused : .input)
            }
            let after = x + labelWidth + width + 2
            let note = problems[i] ?? f.hint
            if focused {
                if case .choice(let options, let selected) = f.input {
                    s.announce("\(TextLayout.fieldName(f.label)), \(options[selected])")
                }
                if !note.isEmpty { s.announce(note) }
            }
            if !note.isEmpty {
                let lines = TextLayout.wrap(note, width: max(10, s.width - after - 1))
                for (k, line) in lines.enumerated() { s.put(line, x: after, y: row + k, role: problems[i] == nil ? .muted : .error) }
                row += lines.count - 1
            }
            row += 1
        }
        return row
    }
}
