/// A property registration number ("matrícula"): a sequence number followed by one check digit.
///
/// Utilities differ in how they compute the check digit, so the rule is a value the configuration
/// picks (`MatriculaRule`), not code baked into the type.
public struct Matricula: Hashable, Sendable, CustomStringConvertible {
    /// The sequence part, without the check digit (digits only, no leading zeros removed).
    public let sequence: String
    /// The check digit computed by the rule in force.
    public let checkDigit: Character

    /// Digits of the sequence followed by the check digit, as stored and sent over the API.
    public var normalized: String { sequence + String(checkDigit) }
    /// `12345-5`, as printed on the bill.
    public var formatted: String { "\(sequence)-\(checkDigit)" }
    public var description: String { formatted }

    /// Builds the matrícula of a sequence number, computing its check digit.
    public init?(sequence: String, rule: MatriculaRule = .mod11) {
        guard (1...12).contains(sequence.count), sequence.allSatisfy(\.isASCIIDigit),
            let dv = rule.checkDigit(sequence)
        else { return nil }
        self.sequence = sequence
        self.checkDigit = dv
    }

    /// Parses user input holding sequence and check digit (`12345-5`, `123455`, `12345 5`).
    /// Returns nil when it is malformed or the check digit does not match.
    public init?(parsing input: String, rule: MatriculaRule = .mod11) {
        // ASCII input, the usual case (a load reads millions): by bytes.
        var values: [Int] = []
        var ascii = true
        for b in input.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(Int(b) - 48)
            case 9...13, 32, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"): continue
            case 128...: ascii = false
            default: return nil
            }
            if !ascii { break }
        }
        if ascii {
            guard values.count >= 2, values.count <= 13, let dv = values.last, rule.checkDigit(of: Array(values.dropLast())) == dv
            else { return nil }
            sequence = String(decoding: values.dropLast().map { UInt8($0 + 48) }, as: UTF8.self)
            checkDigit = Character(String(dv))
            return
        }
        let digits = input.filter { !$0.isWhitespace && $0 != "-" && $0 != "." && $0 != "/" }
        guard digits.count >= 2, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        let seq = String(digits.dropLast())
        guard let m = Matricula(sequence: seq, rule: rule), m.checkDigit == digits.last else { return nil }
        self = m
    }
}

/// How a utility computes the matrícula check digit. New rules are new cases.
public enum MatriculaRule: String, Sendable, CaseIterable, Codable {
    /// Weights 2,3,…,9,2,3,… from the rightmost digit; r = sum mod 11; 0 when r < 2, else 11 − r.
    case mod11
    /// Weights 2,1,2,1… from the right, digits of each product summed; (10 − sum mod 10) mod 10.
    case mod10

    /// The check digit of `sequence` (digits only), or nil for anything else.
    public func checkDigit(_ sequence: String) -> Character? {
        guard !sequence.isEmpty, sequence.allSatisfy(\.isASCIIDigit) else { return nil }
        return Character(String(checkDigit(of: sequence.compactMap(\.wholeNumberValue))))
    }

    /// The check digit of a sequence's digits.
    public func checkDigit(of digits: [Int]) -> Int {
        switch self {
        case .mod11: return Modulus.mod11(digits, zeroWhen: [0, 1])
        case .mod10: return Modulus.mod10(digits)
        }
    }
}

/// The two check-digit moduli used by Brazilian documents and barcodes.
public enum Modulus {
    /// Mod 10 with weights 2,1,2,1… from the right, summing the digits of each product.
    public static func mod10(_ digits: [Int]) -> Int {
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            let p = d * (i % 2 == 0 ? 2 : 1)
            sum += p / 10 + p % 10
        }
        return (10 - sum % 10) % 10
    }

    /// Mod 11 with weights 2…9 repeating from the right. `zeroWhen` lists the remainders that
    /// give digit 0; a remainder of 10 (11 − r = 1 … ) follows the caller's rule via `tenGives`.
    public static func mod11(_ digits: [Int], zeroWhen: Set<Int>, tenGives: Int? = nil) -> Int {
        var sum = 0
        for (i, d) in digits.reversed().enumerated() { sum += d * (2 + i % 8) }
        let r = sum % 11
        if zeroWhen.contains(r) { return 0 }
        if r == 10, let t = tenGives { return t }
        return 11 - r
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Matricula {
    /// `100013` → `10001-3` (a stored, normalised matrícula as people read it).
    public static func display(_ normalized: String) -> String {
        guard normalized.count > 1 else { return normalized }
        return "\(normalized.dropLast())-\(normalized.suffix(1))"
    }
}
