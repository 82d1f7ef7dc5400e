import XCTest

@testable import TUI

final class SurfaceTests: XCTestCase {
    func testPutClipsAndHandlesWideCharacters() {
        var s = Surface(width: 10, height: 2)
        s.put("Olá 日本語!", x: 0, y: 0, role: .title)
        XCTAssertEqual(s.row(0), "Olá 日本語")  // the wide chars take two cells; "!" does not fit
        XCTAssertTrue(s[5, 0].continuation)
        XCTAssertEqual(s[0, 0].role, .title)
        s.put("abc", x: 8, y: 1)
        XCTAssertEqual(s.row(1), "        ab")
    }

    func testASCIIGlyphsFoldAccentsAndBoxes() {
        var s = Surface(width: 12, height: 3, glyphs: .ascii)
        s.box(Rect(x: 0, y: 0, width: 12, height: 3))
        s.put("Ação", x: 1, y: 1)
        XCTAssertEqual(s.text, "+----------+\n|Acao      |\n+----------+")
    }

    /// mc-style slots: each F-key always in its place, an unused slot empty, a disabled command
    /// dimmed but where it always is; a click in a slot sends its key.
    func testFunctionBarKeepsEachKeyInItsSlot() {
        var s = Surface(width: 80, height: 2)
        var bar = FunctionBar()
        bar.render(
            [Command(.function(1), "Ajuda"), Command(.enter, "Entrar"), Command(.function(5), "Atualizar", enabled: false),
             Command(.function(7), "Prorrogar")], into: &s, y: 0)
        XCTAssertEqual(s.row(0), "F1 Ajuda        F2              F3              F4              F5 Atualizar    ")
        XCTAssertEqual(s.row(1), "F6              F7 Prorrogar    F8              F9              F10             ")
        let roles = s.roleMap.split(separator: "\n").map(String.init)
        XCTAssertEqual(String(roles[0].prefix(18)), "KKkkkkkkkkkkkkkkkk", "F1 Ajuda offered, F2 empty (its key not highlighted)")
        XCTAssertEqual(String(roles[0].suffix(16)), "kkmmmmmmmmmmkkkk", "F5 dimmed, its key not highlighted: it cannot act now")
        XCTAssertEqual(bar.key(atColumn: 1, row: 0), .function(1))
        XCTAssertEqual(bar.key(atColumn: 20, row: 1), .function(7))
        XCTAssertEqual(bar.key(atColumn: 70, row: 0), .function(5))
        XCTAssertNil(bar.key(atColumn: 20, row: 0), "F2 is empty on this screen")
        // The same key in the same place whatever else the screen offers, and at any width.
        var wide = Surface(width: 132, height: 2)
        bar.render([Command(.function(7), "Prorrogar")], into: &wide, y: 0)
        XCTAssertEqual(wide.row(1).range(of: "F7")?.lowerBound.utf16Offset(in: wide.row(1)), 26)
    }

    func testKeyMapFindsASharedVerbOnAnotherKey() {
        XCTAssertEqual(KeyMap.problems([Command(.function(3), "Imprimir"), Command(.function(4), "E-mail")]), [])
        XCTAssertEqual(
            KeyMap.problems([Command(.function(2), "Imprimir")]), ["F2 Imprimir: \"Imprimir\" fica sempre em F3"])
        XCTAssertEqual(
            KeyMap.problems([Command(.function(3), "Imprimir"), Command(.function(4), "Extrato"), Command(.function(4), "E-mail", enabled: false)]),
            ["F4 Extrato: a tecla de E-mail não faz outra coisa na mesma tela"])
        XCTAssertEqual(KeyMap.problems([Command(.function(2), "Abrir"), Command(.function(2), "Enviar")]), ["F2: duas ações na mesma tecla"])
        XCTAssertEqual(KeyMap.problems([Command(.function(7), "Simular a conta")]), ["F7 Simular a conta: o rótulo não cabe na barra a 80 colunas"])
    }

    func testTextFieldEditing() {
        var f = TextField(label: "x", maxLength: 5, accepts: { $0.isNumber })
        for c in "12a345678" { f.handle(.char(c)) }
        XCTAssertEqual(f.text, "12345")
        f.handle(.left)
        f.handle(.backspace)
        XCTAssertEqual(f.text, "1235")
        f.handle(.home)
        f.handle(.delete)
        XCTAssertEqual(f.text, "235")
        XCTAssertEqual(f.cursor, 0)
    }

    /// Issue 28.1: a selected query (after a search) is replaced by what is typed next, cleared
    /// by Backspace, and kept for editing when the cursor moves; a refused character keeps it.
    func testSelectedTextIsReplacedByTyping() {
        var f = TextField(label: "Buscar:", maxLength: 20, accepts: { $0 != "x" })
        for c in "10005-6" { f.handle(.char(c)) }
        f.selectAll()
        f.handle(.char("1"))
        XCTAssertEqual(f.text, "1")
        XCTAssertFalse(f.selected)
        f.handle(.char("1"))
        f.selectAll()
        f.handle(.backspace)
        XCTAssertEqual(f.text, "")
        for c in "maria" { f.handle(.char(c)) }
        f.selectAll()
        f.handle(.left)
        f.handle(.char("s"))
        XCTAssertEqual(f.text, "marisa", "editing the old query")
        f.selectAll()
        f.handle(.char("x"))
        XCTAssertEqual(f.text, "marisa", "a refused character replaces nothing")
        var empty = TextField(label: "x")
        empty.selectAll()
        XCTAssertFalse(empty.selected)
    }

    func testListScrollKeepsSelectionVisible() {
        var l = ListState(count: 20)
        for _ in 0..<7 { _ = l.handle(.down, pageSize: 5) }
        l.scroll(height: 5)
        XCTAssertEqual(l.selected, 7)
        XCTAssertEqual(l.top, 3)
        _ = l.handle(.end, pageSize: 5)
        l.scroll(height: 5)
        XCTAssertEqual(l.top, 15)
    }

    func testWrapAndFit() {
        XCTAssertEqual(TextLayout.wrap("uma frase com várias palavras", width: 10), ["uma frase", "com várias", "palavras"])
        XCTAssertEqual(TextLayout.fit("Conceição", width: 6), "Conce…")
        XCTAssertEqual(TextLayout.pad("ab", width: 4), "ab  ")
        // Issue 28.22: an amount, a percentage and a volume never split across lines.
        XCTAssertEqual(TextLayout.wrap("entrada de R$ 154,81 e juros de 20 % sobre 13 m³", width: 14), [
            "entrada de", "R$ 154,81 e", "juros de 20 %", "sobre 13 m³",
        ])
    }

    func testATapSelectsThenOpens() {
        var list = ListState(count: 5)
        XCTAssertFalse(list.tap(3), "the first tap selects")
        XCTAssertEqual(list.selected, 3)
        XCTAssertTrue(list.tap(3), "a tap on the selected row opens it")
        XCTAssertFalse(list.tap(1))
        XCTAssertEqual(list.selected, 1)
    }

    func testFlowKeepsItemsWholeAndNeverCuts() {
        XCTAssertEqual(
            TextLayout.flow(["F2 Débitos", "F3 2ª via", "F4 Pagamentos"], width: 24, separator: "  "),
            ["F2 Débitos  F3 2ª via", "F4 Pagamentos"])
        // An item wider than the line is wrapped by words, not cut.
        let long = TextLayout.flow(["Titular: Maria Aparecida da Silva Albuquerque", "CPF 111.444.777-35"], width: 20)
        XCTAssertEqual(long, ["Titular: Maria", "Aparecida da Silva", "Albuquerque", "CPF 111.444.777-35"])
        let placed = TextLayout.flowPlaced(["a", "bb", "cc"], width: 6, separator: "  ")
        XCTAssertEqual(placed.map { $0.map(\.column) }, [[0, 3], [0]])
        XCTAssertEqual(placed[1][0].index, 2)
    }

    func testCutsAreRecorded() {
        var s = Surface(width: 10, height: 2)
        s.put("cabe", x: 0, y: 0)
        s.put("abc       ", x: 5, y: 1)  // only trailing spaces fall off: not a cut
        XCTAssertEqual(s.cuts, [])
        s.put("não cabe aqui", x: 0, y: 0)
        s.put("abaixo", x: 0, y: 2)
        XCTAssertEqual(s.cuts, ["não cabe aqui", "abaixo"])
        var p = Surface(width: 10, height: 3)
        XCTAssertEqual(p.paragraph("uma frase que quebra", x: 0, y: 0, width: 10), 2)
        XCTAssertEqual(p.cuts, [])
    }

    func testASCIICheckMarkReadsOk() {
        var s = Surface(width: 20, height: 1, glyphs: .ascii)
        s.put("✓ CPF válido", x: 0, y: 0)
        XCTAssertEqual(s.text.trimmingCharacters(in: .whitespaces), "ok CPF valido")
    }

    func testTextAreaWrapsWordsAndMovesByLine() {
        var a = TextArea()
        for c in "uma frase longa que quebra" { _ = a.handle(.char(c), width: 10) }
        XCTAssertEqual(a.lines(width: 10).map(\.text), ["uma frase", "longa que", "quebra"])
        XCTAssertEqual(a.position(width: 10).line, 2)
        _ = a.handle(.up, width: 10)
        XCTAssertEqual(a.position(width: 10).line, 1)
        _ = a.handle(.enter, width: 10)
        for c in "ção" { _ = a.handle(.char(c), width: 10) }
        XCTAssertTrue(a.text.contains("\nção"), a.text)
        _ = a.handle(.backspace, width: 10)
        XCTAssertTrue(a.text.contains("\nçã"), a.text)
        var s = Surface(width: 12, height: 3)
        a.render(into: &s, rect: Rect(x: 0, y: 0, width: 12, height: 2), name: "Texto", focused: true)
        XCTAssertEqual(s.cuts, [], "lines wrap inside the area")
        XCTAssertNotNil(s.cursor)
        // Said by its name, never its text unasked; Ctrl-L reads the text back.
        XCTAssertEqual(s.spoken, ["Texto, preenchido"])
        XCTAssertEqual(s.focusedText?.text, a.text)
    }

    /// A message is said as it appears, however it is drawn; a hint is not (issue 32).
    func testMessagesAreSaidHintsAreNot() {
        var s = Surface(width: 30, height: 6)
        s.paragraph("Dica de uso que não se diz.", x: 0, y: 0, width: 30, role: .muted)
        s.paragraph("Não foi possível enviar: o servidor não respondeu.", x: 0, y: 1, width: 30, role: .error)
        s.footer("Enviado.", x: 0, bottom: 5, width: 30, role: .success)
        XCTAssertEqual(s.spoken, ["Não foi possível enviar: o servidor não respondeu.", "Enviado."], "whole, not line by line")
    }
}
