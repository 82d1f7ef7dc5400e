/// A Brazilian taxpayer identifier: a person's CPF or a company's CNPJ (numeric or, since July
/// 2026 under IN RFB 2.229/2024, alphanumeric). Stored normalised: digits and uppercase letters.
public enum TaxID: Hashable, Sendable, CustomStringConvertible {
    case cpf(String)
    case cnpj(String)

    /// Why an input is not a valid CPF/CNPJ, for a field-level message while the user types.
    public enum Problem: Error, Equatable, Sendable {
        case empty
        case incomplete
        /// More than a CNPJ's 14 characters (issue 28: a 15-digit CPF read "use apenas números").
        case tooLong
        case invalidCharacters
        case repeatedDigits
        case wrongCheckDigits

        /// The message shown under the field (pt-BR).
        public var message: String {
            switch self {
            case .empty: return "Informe o CPF ou CNPJ."
            case .incomplete: return "CPF tem 11 dígitos; CNPJ tem 14 caracteres."
            case .tooLong: return "Caracteres demais: CPF tem 11 dígitos; CNPJ tem 14 caracteres."
            case .invalidCharacters: return "Use apenas números (e letras no CNPJ alfanumérico)."
            case .repeatedDigits: return "CPF/CNPJ inválido: todos os dígitos iguais."
            case .wrongCheckDigits: return "CPF/CNPJ inválido: dígitos verificadores não conferem."
            }
        }
    }

    /// The normalised characters: digits (CPF) or digits and uppercase letters (CNPJ).
    public var normalized: String {
        switch self {
        case .cpf(let s), .cnpj(let s): return s
        }
    }

    public var isCPF: Bool { if case .cpf = self { return true } else { return false } }

    /// `123.456.789-09` or `12.ABC.345/01DE-35`.
    public var formatted: String {
        let c = Array(normalized)
        switch self {
        case .cpf:
            return "\(String(c[0..<3])).\(String(c[3..<6])).\(String(c[6..<9]))-\(String(c[9..<11]))"
        case .cnpj:
            return "\(String(c[0..<2])).\(String(c[2..<5])).\(String(c[5..<8]))/\(String(c[8..<12]))-\(String(c[12..<14]))"
        }
    }

    /// LGPD masking for kiosk screens and logs: a CPF keeps only its middle digits
    /// (`***.444.777-**`); a CNPJ identifies a company and is public, so it is shown whole.
    public var masked: String {
        switch self {
        case .cpf:
            let c = Array(normalized)
            return "***.\(String(c[3..<6])).\(String(c[6..<9]))-**"
        case .cnpj:
            return formatted
        }
    }

    public var description: String { masked }

    /// Parses user input: punctuation (`.`, `-`, `/`, spaces) and lowercase are accepted.
    /// 11 characters make a CPF, 14 a CNPJ.
    public static func parse(_ input: String) -> Result<TaxID, Problem> {
        let cleaned = input.filter { !" .-/".contains($0) }.uppercased()
        if cleaned.isEmpty { return .failure(.empty) }
        guard cleaned.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }) else {
            return .failure(.invalidCharacters)
        }
        if cleaned.count == 11 {
            guard cleaned.allSatisfy(\.isASCIIDigit) else { return .failure(.invalidCharacters) }
            return validateCPF(cleaned).map { .cpf(cleaned) }
        }
        if cleaned.count == 14 {
            // The two check digits are always numeric; letters only in the first 12.
            guard cleaned.suffix(2).allSatisfy(\.isASCIIDigit) else { return .failure(.invalidCharacters) }
            return validateCNPJ(cleaned).map { .cnpj(cleaned) }
        }
        return .failure(cleaned.count < 14 ? .incomplete : .tooLong)
    }

    /// Convenience: the parsed value or nil.
    public init?(_ input: String) {
        guard case .success(let id) = TaxID.parse(input) else { return nil }
        self = id
    }

    /// DV = 0 when r < 2, else 11 − r (Receita Federal, for both CPF and CNPJ).
    private static func dv(_ values: [Int], weights: [Int]) -> Int {
        let r = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11
        return r < 2 ? 0 : 11 - r
    }

    private static func validateCPF(_ s: String) -> Result<Void, Problem> {
        let d = s.compactMap(\.wholeNumberValue)
        if Set(d).count == 1 { return .failure(.repeatedDigits) }
        let dv1 = dv(Array(d[0..<9]), weights: Array((2...10).reversed()))
        let dv2 = dv(Array(d[0..<9]) + [dv1], weights: Array((2...11).reversed()))
        return d[9] == dv1 && d[10] == dv2 ? .success(()) : .failure(.wrongCheckDigits)
    }

    /// Each character's value is its ASCII code − 48 (`0`…`9` → 0…9, `A` → 17 … `Z` → 42).
    private static func validateCNPJ(_ s: String) -> Result<Void, Problem> {
        let v = s.unicodeScalars.map { Int($0.value) - 48 }
        if Set(s).count == 1 { return .failure(.repeatedDigits) }
        let w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
        let w2 = [6] + w1
        let dv1 = dv(Array(v[0..<12]), weights: w1)
        let dv2 = dv(Array(v[0..<12]) + [dv1], weights: w2)
        return v[12] == dv1 && v[13] == dv2 ? .success(()) : .failure(.wrongCheckDigits)
    }

    /// The check digits of a 9-digit CPF base or a 12-character CNPJ base; used by the demo
    /// data generator to make valid documents.
    public static func complete(base: String) -> TaxID? {
        let b = base.uppercased()
        if b.count == 9, b.allSatisfy(\.isASCIIDigit) {
            let d = b.compactMap(\.wholeNumberValue)
            let dv1 = dv(d, weights: Array((2...10).reversed()))
            let dv2 = dv(d + [dv1], weights: Array((2...11).reversed()))
            return TaxID("\(b)\(dv1)\(dv2)")
        }
        if b.count == 12 {
            let v = b.unicodeScalars.map { Int($0.value) - 48 }
            let w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
            let dv1 = dv(v, weights: w1)
            let dv2 = dv(v + [dv1], weights: [6] + w1)
            return TaxID("\(b)\(dv1)\(dv2)")
        }
        return nil
    }
}

/// How a customer is keyed: by CPF/CNPJ (normalised), or — a customer the utility's system has
/// without one (issue 30) — by `origem` and its code there. Such a key never parses as a CPF/CNPJ
/// when shown (`shown`), keeps only letters and digits (screens strip punctuation from a
/// document before they send it back), and cannot log in at a kiosk.
public enum CustomerKey {
    public static let prefix = "origem"
    /// What a screen shows for a customer without CPF/CNPJ.
    public static let noDocument = "sem CPF/CNPJ"

    public static func documentless(code: String) -> String { prefix + code.filter { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    public static func isDocumentless(_ key: String) -> Bool { key.hasPrefix(prefix) }
    /// The document as a screen shows it: formatted, or `noDocument`.
    public static func shown(_ key: String) -> String {
        isDocumentless(key) ? noDocument : TaxID(key)?.formatted ?? key
    }
}
