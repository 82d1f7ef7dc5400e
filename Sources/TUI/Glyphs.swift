/// The line-drawing and symbol characters a screen uses: Unicode in a UTF-8 locale, ASCII
/// otherwise (a kiosk or an SSH session with `LANG=C`), like htop.
public struct Glyphs: Sendable, Equatable {
    public var horizontal: Character, vertical: Character
    public var topLeft: Character, topRight: Character, bottomLeft: Character, bottomRight: Character
    public var bullet: Character, arrowRight: Character, check: Character, unchecked: Character
    public var blockFull: Character, blockUpper: Character, blockLower: Character
    /// A light shade, for bars that must read differently from full ones without colour.
    public var blockShade: Character
    /// A dotted rule (reference lines such as an average).
    public var dotted: Character
    /// Whether non-ASCII text can be shown; when not, accents are folded (`ç` → `c`).
    public var unicodeText: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        bullet: "•", arrowRight: "▶", check: "☑", unchecked: "☐", blockFull: "█", blockUpper: "▀", blockLower: "▄",
        blockShade: "░", dotted: "┄", unicodeText: true)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        bullet: "*", arrowRight: ">", check: "x", unchecked: " ", blockFull: "#", blockUpper: "\"", blockLower: "_",
        blockShade: ":", dotted: ".", unicodeText: false)

    /// Symbols whose ASCII form is a word, not one character.
    static let asciiWords: [(Character, String)] = [("✓", "ok"), ("✔", "ok"), ("✗", "x"), ("✘", "x")]

    /// The text as this glyph set can show it: on ASCII terminals "✓" reads "ok".
    public func displayable(_ text: String) -> String {
        guard !unicodeText, text.contains(where: { c in Self.asciiWords.contains { $0.0 == c } }) else { return text }
        var out = ""
        for c in text { out += Self.asciiWords.first { $0.0 == c }?.1 ?? String(c) }
        return out
    }

    /// The character as this glyph set can show it.
    public func displayable(_ ch: Character) -> Character {
        if unicodeText || ch.isASCII { return ch }
        return Glyphs.asciiFold[ch] ?? "?"
    }

    static let asciiFold: [Character: Character] = {
        var m: [Character: Character] = [:]
        let pairs: [(String, Character)] = [
            ("áàâãä", "a"), ("ÁÀÂÃÄ", "A"), ("éèêë", "e"), ("ÉÈÊË", "E"), ("íìîï", "i"), ("ÍÌÎÏ", "I"),
            ("óòôõö", "o"), ("ÓÒÔÕÖ", "O"), ("úùûü", "u"), ("ÚÙÛÜ", "U"), ("ç", "c"), ("Ç", "C"), ("ñ", "n"), ("Ñ", "N"),
            ("─━", "-"), ("│┃", "|"), ("┌┐└┘├┤┬┴┼", "+"), ("•·", "*"), ("▶►", ">"), ("◀", "<"), ("█▓", "#"),
            ("▀", "\""), ("▄", "_"), ("░▒", ":"), ("┄┈", "."), ("☑", "x"), ("☐", " "), ("º", "o"), ("ª", "a"), ("…", "."), ("–—", "-"),
            ("“”", "\""), ("‘’", "'"), ("³", "3"), ("²", "2"), ("↑", "^"), ("↓", "v"), ("←", "<"), ("→", ">"), ("×", "x"), ("§", "S"),
        ]
        for (chars, r) in pairs { for c in chars { m[c] = r } }
        return m
    }()
}
