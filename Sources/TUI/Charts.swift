import Foundation

/// A vertical bar chart with a value axis, an average line and a cursor (consumption history,
/// and any later monthly series). Bars marked `secondary` are drawn with a shade instead of a
/// full block, so the difference reads without colour; the caller says what it means in a
/// legend. Wider areas get wider bars.
public struct BarChart: Sendable, Equatable {
    public struct Bar: Sendable, Equatable {
        /// Shown under the bar (two cells: `10`).
        public var label: String
        /// Shown under the label on the first bar and where it changes (`26` for a year).
        public var group: String
        public var value: Int
        public var secondary: Bool
        public init(label: String, group: String = "", value: Int, secondary: Bool = false) {
            self.label = label
            self.group = group
            self.value = value
            self.secondary = secondary
        }
    }

    public var bars: [Bar]
    public var selected: Int
    public var average: Double?
    /// Where each bar was drawn (for clicks), set by `render`.
    public private(set) var columns: [Range<Int>] = []

    public init(bars: [Bar], selected: Int? = nil, average: Double? = nil) {
        self.bars = bars
        self.selected = selected ?? max(0, bars.count - 1)
        self.average = average
    }

    /// ←/→ move the cursor, Home/End jump to the ends.
    public mutating func handle(_ key: Key) -> Bool {
        guard !bars.isEmpty else { return false }
        let old = selected
        switch key {
        case .left: selected = max(0, selected - 1)
        case .right: selected = min(bars.count - 1, selected + 1)
        case .home: selected = 0
        case .end: selected = bars.count - 1
        default: return false
        }
        return old != selected
    }

    public func index(atColumn x: Int) -> Int? { columns.firstIndex { $0.contains(x) } }

    /// A round top for the axis: the value axis counts in steps of 1, 2 or 5 × 10ⁿ, at most
    /// five of them (23 → 25, 14 → 15, 180 → 200).
    public static func scaleTop(_ maximum: Int) -> Int {
        guard maximum > 0 else { return 4 }
        var magnitude = 1
        while true {
            for step in [magnitude, 2 * magnitude, 5 * magnitude] where (maximum + step - 1) / step <= 5 {
                return (maximum + step - 1) / step * step
            }
            magnitude *= 10
        }
    }

    /// Draws the chart in `area`: value axis on the left, bars, labels on the last two rows.
    public mutating func render(into s: inout Surface, area: Rect) {
        columns = []
        guard !bars.isEmpty, area.height >= 4 else { return }
        let top = Self.scaleTop(bars.map(\.value).max() ?? 0)
        let axisWidth = String(top).count + 1
        let plotX = area.x + axisWidth + 1
        let plotWidth = area.x + area.width - plotX
        let slot = max(2, plotWidth / bars.count)
        let barWidth = max(1, min(6, slot - 1))
        let rows = area.height - 2
        let baseY = area.y + rows - 1
        func height(_ v: Double) -> Int { Int((v / Double(top) * Double(rows)).rounded()) }

        // Axis with the top, half and zero marks.
        for y in area.y..<area.y + rows { s.put(String(s.glyphs.vertical), x: plotX - 1, y: y, role: .border) }
        for mark in [top, top / 2, 0] {
            let y = baseY - height(Double(mark)) + (mark == 0 ? 0 : 1)
            let text = String(mark)
            s.put(text, x: plotX - 2 - text.count, y: min(max(area.y, y), baseY), role: .muted)
        }
        // Average: a dotted line behind the bars.
        if let average, average > 0 {
            let y = baseY - height(average) + 1
            if y >= area.y && y <= baseY {
                let used = min(plotWidth, slot * bars.count)
                s.put(String(repeating: String(s.glyphs.dotted), count: max(0, used)), x: plotX, y: y, role: .hint)
            }
        }
        // Bars, their labels, and the group (year) where it changes.
        var lastGroup = ""
        var groupEnd = 0
        for (i, bar) in bars.enumerated() {
            let x = plotX + i * slot
            columns.append(x..<x + slot)
            let h = bar.value > 0 ? max(1, height(Double(bar.value))) : 0
            let glyph = String(repeating: String(bar.secondary ? s.glyphs.blockShade : s.glyphs.blockFull), count: barWidth)
            let role: Role = i == selected ? .selected : (bar.secondary ? .muted : .header)
            for k in 0..<min(h, rows) { s.put(glyph, x: x, y: baseY - k, role: role) }
            if i == selected && h == 0 { s.put(String(repeating: "_", count: barWidth), x: x, y: baseY, role: .selected) }
            s.put(TextLayout.fit(bar.label, width: max(2, barWidth)), x: x, y: baseY + 1, role: i == selected ? .selected : .muted)
            // The selected bar's label: where a screen reader reads (issue 32).
            if i == selected { s.cursor = (x, baseY + 1) }
            if bar.group != lastGroup {
                // The room until the next group starts: a year that does not fit is written short
                // (`25`), and none runs into the next (issue 28.22: "2022025").
                let next = bars[(i + 1)...].firstIndex { $0.group != bar.group } ?? bars.count
                let room = (next - i) * slot - 1
                let label = CharWidth.of(bar.group) <= room ? bar.group : String(bar.group.suffix(2))
                if CharWidth.of(label) <= max(room, 2), x >= groupEnd {
                    s.put(label, x: x, y: baseY + 2, role: .muted)
                    groupEnd = x + CharWidth.of(label) + 1
                }
                lastGroup = bar.group
            }
        }
    }
}
