import XCTest

@testable import TUI

/// The bar chart and the form widgets on their own.
final class ChartAndFormTests: XCTestCase {
    func testScaleIsRound() {
        XCTAssertEqual(BarChart.scaleTop(0), 4)
        XCTAssertEqual(BarChart.scaleTop(4), 4)
        XCTAssertEqual(BarChart.scaleTop(14), 15)
        XCTAssertEqual(BarChart.scaleTop(23), 25)
        XCTAssertEqual(BarChart.scaleTop(51), 60)
        XCTAssertEqual(BarChart.scaleTop(180), 200)
        XCTAssertEqual(BarChart.scaleTop(1234), 1500)
    }

    func testBarsHeightsCursorAndClicks() {
        var chart = BarChart(bars: (0..<24).map { BarChart.Bar(label: String(format: "%02d", $0 % 12 + 1), value: $0, secondary: $0 == 5) })
        XCTAssertEqual(chart.selected, 23, "the cursor starts on the newest bar")
        var s = Surface(width: 80, height: 12)
        chart.render(into: &s, area: Rect(x: 0, y: 0, width: 80, height: 12))
        XCTAssertEqual(chart.columns.count, 24)
        XCTAssertLessThanOrEqual(chart.columns.last?.upperBound ?? 99, 80, "24 bars fit in 80 columns")
        // The tallest bar (23 of a 25 scale, 10 rows) is 9 cells high; zero draws nothing.
        let column = chart.columns[23].lowerBound
        XCTAssertEqual((0..<10).filter { s[column, $0].character == "█" }.count, 9)
        XCTAssertEqual((0..<10).filter { s[chart.columns[0].lowerBound, $0].character == "█" }.count, 0)
        // The estimated bar is shaded, not full.
        XCTAssertEqual(s[chart.columns[5].lowerBound, 9].character, "░")
        XCTAssertEqual(s[column, 9].role, .selected)
        XCTAssertTrue(chart.handle(.left))
        XCTAssertEqual(chart.selected, 22)
        XCTAssertTrue(chart.handle(.home))
        XCTAssertFalse(chart.handle(.left), "nothing before the first")
        XCTAssertEqual(chart.index(atColumn: chart.columns[7].lowerBound), 7)
    }

    func testFormNavigatesEditsAndCycles() {
        var form = Form([
            .init("Categoria", .choice(options: ["A", "B", "C"], selected: 0)),
            .init("Consumo", .text(TextField(label: "", maxLength: 3, accepts: { $0.isNumber }))),
        ])
        XCTAssertTrue(form.handle(.right))
        XCTAssertEqual(form.value(0), "B")
        XCTAssertTrue(form.handle(.left))
        XCTAssertTrue(form.handle(.left))
        XCTAssertEqual(form.value(0), "C", "cycles around")
        form.handle(.tab)
        for c in "1x2345" { form.handle(.char(c)) }
        XCTAssertEqual(form.value(1), "123", "filter and length limit")
        form.problems[1] = "Informe o consumo."
        form.handle(.backspace)
        XCTAssertNil(form.problems[1], "editing clears the field's problem")
        XCTAssertTrue(form.handle(.down))
        XCTAssertEqual(form.focus, 0, "wraps around")
        var s = Surface(width: 60, height: 5)
        form.render(into: &s, x: 0, y: 1, labelWidth: 12, width: 10)
        XCTAssertTrue(s.row(1).contains("< C >"))
        XCTAssertTrue(form.click(row: 2))
        XCTAssertEqual(form.focus, 1)
    }

    /// A field emptied by the screen (a wrong code cleared) takes typing again at its start.
    func testTextReplacedKeepsTheCursorInside() {
        var field = TextField(label: "Código:", maxLength: 6, accepts: { $0.isNumber })
        for c in "123456" { XCTAssertTrue(field.handle(.char(c))) }
        XCTAssertEqual(field.cursor, 6)
        field.text = "12"
        XCTAssertTrue(field.handle(.backspace), "the cursor was past the end of the new text")
        XCTAssertEqual(field.text, "1")
        field.text = ""
        XCTAssertTrue(field.handle(.char("7")))
        XCTAssertEqual(field.text, "7")
        XCTAssertEqual(field.cursor, 1)
    }
}

/// Issue 28.22: 24 months from December to November — "2024" over one bar, then "2025" and
/// "2026" — never run into each other at 80 columns.
final class ChartYearLabelTests: XCTestCase {
    func testYearsNeverCollide() {
        let months = (0..<24).map { k -> BarChart.Bar in
            let month = (11 + k) % 12 + 1
            let year = 2024 + (11 + k) / 12
            return BarChart.Bar(label: String(format: "%02d", month), group: String(year), value: k + 1)
        }
        var chart = BarChart(bars: months)
        var s = Surface(width: 80, height: 12)
        chart.render(into: &s, area: Rect(x: 0, y: 0, width: 80, height: 12))
        let line = (0..<80).map { String(s[$0, 11].character) }.joined()
        XCTAssertFalse(line.contains("2022025") || line.contains("242025") || line.contains("2025202"), line)
        XCTAssertTrue(line.contains("2025") && line.contains("2026"), line)
        XCTAssertTrue(line.contains("24"), "the year of one bar, written short: \(line)")
    }
}

/// Issue 32: a list says its selected row in words and puts the terminal's cursor at its start.
final class ListRenderTests: XCTestCase {
    func testTheSelectedRowIsSaidAndHoldsTheCursor() {
        var s = Surface(width: 40, height: 10, glyphs: .unicode)
        var list = ListState(count: 30)
        list.selected = 12
        let drawn = list.render(
            into: &s, area: Rect(x: 2, y: 1, width: 30, height: 5), row: { "linha \($0)" }, spoken: { "Linha número \($0)" })
        XCTAssertEqual(drawn.map(\.index), [8, 9, 10, 11, 12])
        XCTAssertEqual(drawn.map(\.y), [1, 2, 3, 4, 5])
        XCTAssertEqual(list.top, 8, "scrolled to keep the selection in view")
        XCTAssertEqual(s.cursor.map { [$0.x, $0.y] }, [2, 5])
        XCTAssertEqual(s.spoken, ["Linha número 12"])
        XCTAssertTrue(s.text.contains("linha 12"))
    }

    func testColumnsFillTopToBottomAndTheCursorFollowsAcross() {
        var s = Surface(width: 40, height: 10, glyphs: .unicode)
        var list = ListState(count: 7)
        list.selected = 5
        let drawn = list.render(
            into: &s, area: Rect(x: 0, y: 0, width: 40, height: 4), row: { "item \($0)" }, columns: 2, spoken: { "Item \($0)" })
        // 4 per column: 0–3 on the left, 4–6 on the right, each column 19 cells two apart.
        XCTAssertEqual(drawn.map(\.y), [0, 1, 2, 3, 0, 1, 2])
        XCTAssertEqual(s.cursor.map { [$0.x, $0.y] }, [21, 1])
        XCTAssertTrue(s.row(1).hasPrefix("item 1") && s.row(1).contains("item 5"), s.row(1))
        XCTAssertEqual(s.spoken, ["Item 5"])
    }
}

/// Issue 32: a scrolled text says where it stands, puts the cursor on its first line and says
/// the lines shown, each once.
final class DocumentViewTests: XCTestCase {
    func testScrollsSaysWhereItStandsAndHoldsTheCursor() {
        let lines = (1...30).map { (text: $0 == 11 ? "" : "  linha \($0)", role: Role.normal) }
        var view = DocumentView()
        var s = Surface(width: 40, height: 12)
        view.render(lines, into: &s, area: Rect(x: 1, y: 2, width: 38, height: 6), name: "histórico")
        XCTAssertEqual(s.row(7).trimmingCharacters(in: .whitespaces), "↑↓ PgUp PgDn: histórico (1–5 de 30)")
        XCTAssertEqual(s.cursor.map { [$0.x, $0.y] }, [3, 2], "at the first letter of the first line")
        XCTAssertEqual(s.spoken, ["linha 1", "linha 2", "linha 3", "linha 4", "linha 5"])
        XCTAssertTrue(view.handle(.key(.pageDown)))
        XCTAssertFalse(view.handle(.key(.enter)))
        s = Surface(width: 40, height: 12)
        view.render(lines, into: &s, area: Rect(x: 1, y: 2, width: 38, height: 6), name: "histórico")
        XCTAssertEqual(s.cursor.map { [$0.x, $0.y] }, [3, 3], "a blank first line is skipped")
        for _ in 0..<5 { _ = view.handle(.key(.pageDown)) }
        s = Surface(width: 40, height: 12)
        view.render(lines, into: &s, area: Rect(x: 1, y: 2, width: 38, height: 6), name: "histórico")
        XCTAssertEqual(view.offset, 25, "never past the end")
        XCTAssertTrue(s.text.contains("(26–30 de 30)"))
        s = Surface(width: 40, height: 12)
        view.render(Array(lines.prefix(6)), into: &s, area: Rect(x: 1, y: 2, width: 38, height: 6), name: "histórico", active: false)
        XCTAssertNil(s.cursor, "inactive: the focus is elsewhere")
        XCTAssertFalse(s.text.contains("PgUp"), "all of it fits: no position line")
    }
}

/// Issue 32: one type-to-find for the lists that have it (services, a property's requests, the queue).
final class ListFilterTests: XCTestCase {
    func testWordsAccentsCaseAndHyphensAside() {
        var f = ListFilter()
        XCTAssertTrue(f.matches("qualquer coisa"), "empty finds everything")
        for c in "LIGACAO  nov" { XCTAssertTrue(f.handle(.char(c))) }
        XCTAssertTrue(f.matches("Pedido de ligação nova"))
        XCTAssertTrue(f.matches("nova ligação"), "each word anywhere")
        XCTAssertFalse(f.matches("Ligação de esgoto"))
        XCTAssertTrue(f.handle(.backspace))
        XCTAssertEqual(f.text, "LIGACAO  no")
        XCTAssertFalse(f.handle(.enter))
        var e = ListFilter()
        for c in "email" { _ = e.handle(.char(c)) }
        XCTAssertTrue(e.matches("Atualizar E-mail"))
        var empty = ListFilter()
        XCTAssertFalse(empty.handle(.backspace), "Backspace on an empty filter is the screen's")
    }
}
