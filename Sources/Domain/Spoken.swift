/// What the kiosk says aloud (issue 32): numbers, money, dates and codes in words, as a Brazilian
/// listener expects them. Numbers follow the rules of Portuguese as `num2words` (pt_BR) writes
/// them — "cem", "cento e um", "mil e cem", "mil, cento e um", "um milhão de reais" — and are
/// checked against its output (`scripts/vectors/spoken_vectors.py`); where the kiosk should say
/// it otherwise (cents alone: "cinquenta centavos", not "zero reais e cinquenta centavos") the
/// table of cases says so.
public enum Spoken {
    static let units = [
        "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze", "doze", "treze", "catorze",
        "quinze", "dezesseis", "dezessete", "dezoito", "dezenove",
    ]
    static let tens = ["", "", "vinte", "trinta", "quarenta", "cinquenta", "sessenta", "setenta", "oitenta", "noventa"]
    static let hundreds = [
        "", "cento", "duzentos", "trezentos", "quatrocentos", "quinhentos", "seiscentos", "setecentos", "oitocentos", "novecentos",
    ]
    /// Each scale above a thousand: singular and plural.
    static let scales: [(String, String)] = [("milhão", "milhões"), ("bilhão", "bilhões"), ("trilhão", "trilhões")]

    /// 1–999 in words.
    static func group(_ n: Int) -> String {
        precondition((1...999).contains(n))
        if n == 100 { return "cem" }
        var parts: [String] = []
        if n >= 100 { parts.append(hundreds[n / 100]) }
        let rest = n % 100
        if rest >= 20 {
            parts.append(tens[rest / 10])
            if rest % 10 > 0 { parts.append(units[rest % 10]) }
        } else if rest > 0 {
            parts.append(units[rest])
        }
        return parts.joined(separator: " e ")
    }

    /// A whole number in words: "zero", "vinte e um", "mil, duzentos e trinta e quatro",
    /// "um milhão e duzentos mil", "menos três". Up to the trilhões.
    public static func number(_ value: Int64) -> String {
        if value == 0 { return "zero" }
        if value < 0 { return "menos " + number(value == .min ? .max : -value) }
        // Groups of three digits, the units' group first.
        var groups: [Int] = []
        var v = value
        while v > 0 {
            groups.append(Int(v % 1000))
            v /= 1000
        }
        var parts: [(words: String, value: Int)] = []
        for (i, g) in groups.enumerated().reversed() where g > 0 {
            switch i {
            case 0: parts.append((group(g), g))
            case 1: parts.append((g == 1 ? "mil" : group(g) + " mil", g))
            default:
                let (one, many) = scales[min(i - 2, scales.count - 1)]
                parts.append((group(g) + " " + (g == 1 ? one : many), g))
            }
        }
        var out = parts[0].words
        for p in parts.dropFirst() {
            // A class joins with "e" when it is under a hundred or of round hundreds ("mil e
            // cem", "um milhão e sessenta mil"); otherwise after a pause ("mil, cento e um").
            out += (p.value < 100 || p.value % 100 == 0 ? " e " : ", ") + p.words
        }
        return out
    }

    /// An amount in reais: "um real", "cento e dezoito reais e quarenta e dois centavos",
    /// "um milhão de reais e um centavo", "cinquenta centavos", "zero reais".
    public static func money(cents: Int64) -> String {
        if cents < 0 { return "menos " + money(cents: -cents) }
        let reais = cents / 100
        let c = cents % 100
        let centavos = c == 1 ? "um centavo" : "\(number(c)) centavos"
        if reais == 0 { return c == 0 ? "zero reais" : centavos }
        var out: String
        if reais == 1 {
            out = "um real"
        } else {
            out = number(reais) + (reais % 1_000_000 == 0 ? " de reais" : " reais")
        }
        if c > 0 { out += " e " + centavos }
        return out
    }

    public static func money(_ m: Money) -> String { money(cents: m.cents) }

    static let months = [
        "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
    ]

    /// "primeiro de dezembro de dois mil e vinte e seis", "dez de novembro de …".
    public static func date(_ d: CivilDate) -> String {
        "\(d.day == 1 ? "primeiro" : number(Int64(d.day))) de \(months[d.month - 1]) de \(number(Int64(d.year)))"
    }

    /// A month: "outubro de dois mil e vinte e seis".
    public static func month(year: Int, month: Int) -> String { "\(months[month - 1]) de \(number(Int64(year)))" }

    /// Digits one by one, as a code is read to be typed or checked: "um, zero, zero, zero, um,
    /// traço, três". Punctuation is named; spaces and anything else are pauses.
    public static func digits(_ text: String) -> String {
        var words: [String] = []
        for ch in text {
            if let d = ch.wholeNumberValue, ch.isASCII {
                words.append(units[d])
            } else if let name = [Character("-"): "traço", "/": "barra", ".": "ponto"][ch] {
                words.append(name)
            } else if ch.isLetter {
                words.append(String(ch).uppercased())
            }
        }
        return words.joined(separator: ", ")
    }

    /// A protocol's number as said on the phone: "dois mil e vinte e seis barra cento e vinte e três".
    public static func protocolNumber(_ p: ProtocolNumber) -> String {
        "\(number(Int64(p.year))) barra \(number(Int64(p.sequence)))"
    }

    /// A linha digitável: each block of digits read digit by digit, the blocks apart.
    public static func linhaDigitavel(_ line: String) -> String {
        line.split(whereSeparator: { $0 == " " }).map { digits(String($0)) }.joined(separator: "; ")
    }
}
