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
