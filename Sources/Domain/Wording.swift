/// "1 dia", "2 dias", "0 contas": a count and its noun in Portuguese (plural adds `s` unless
/// given: "1 mês", "3 meses").
public func counted(_ n: Int, _ singular: String, plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}

/// "19 m³", "999.999 m³": a volume with the thousands separated as in Brazil.
public func cubicMeters(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(".") }
        out.append(c)
    }
    return "\(n < 0 ? "-" : "")\(out) m³"
}

/// Word-wraps `text` into lines that `fits` accepts, keeping its paragraphs (`\n`); a word too
/// long for a line is broken between characters. The one wrap of the product: the terminal
/// measures in cells, the PDF in points.
public func wordWrap(_ text: String, fits: (String) -> Bool) -> [String] {
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = ""
        for word in paragraph.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if fits(candidate) {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            line = ""
            for ch in word {
                if !line.isEmpty, !fits(line + String(ch)) {
                    lines.append(line)
                    line = ""
                }
                line.append(ch)
            }
        }
        lines.append(line)
    }
    return lines
}

/// Text that reaches terminals, PDFs and spreadsheets from imported files (issue 27): why a
/// value cannot be shown as it is, or nil. Refused: control characters (NUL, ESC and the escape
/// sequences they start, line breaks), Unicode's direction and invisible formatting characters
/// (U+202E turns a line around on screen), and a spreadsheet formula's first character.
public enum DisplayText {
    public static func problem(_ value: String) -> String? {
        for s in value.unicodeScalars {
            if s.properties.generalCategory == .control {
                return "caractere de controle (U+\(hex(s))): só texto visível"
            }
            if s.properties.generalCategory == .format || s.properties.isBidiControl {
                return "caractere invisível de formatação ou de direção do texto (U+\(hex(s)))"
            }
        }
        if let first = value.first, "=+@".contains(first) || (first == "-" && Double(value) == nil) {
            return "começa com \"\(first)\", que uma planilha leria como fórmula"
        }
        return nil
    }

    private static func hex(_ s: Unicode.Scalar) -> String {
        let h = String(s.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
