import Foundation

/// LGPD masking of personal data on kiosk screens and in logs.
public enum Masking {
    /// A person's name as first name and initials: `MARIA APARECIDA SILVA` → `MARIA A. S.`.
    /// Connectives (da, de, do, das, dos, e) carry no initial.
    public static func name(_ full: String) -> String {
        let parts = full.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = parts.first else { return "" }
        let connectives: Set<String> = ["DA", "DE", "DO", "DAS", "DOS", "E", "D'"]
        let initials = parts.dropFirst()
            .filter { !connectives.contains($0.uppercased()) }
            .compactMap { $0.first.map { "\(String($0).uppercased())." } }
        return ([first.uppercased()] + initials).joined(separator: " ")
    }

    /// Masks every CPF-shaped run (11 digits, with or without punctuation) in free text, for logs.
    /// Whether `s` looks like one e-mail address (one `@`, a dotted domain, no spaces or list
    /// separators): a typing check, not a delivery guarantee.
    public static func isPlausibleEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return s.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !s.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
    }

    /// `maria.silva@example.com` → `m***@example.com`.
    public static func email(_ address: String) -> String {
        guard let at = address.firstIndex(of: "@"), at > address.startIndex else { return "***" }
        return "\(address[address.startIndex])***\(address[at...])"
    }

    public static func cpfsInText(_ text: String) -> String {
        var out = ""
        var digits: [Character] = []
        var pending = ""
        func flush() {
            if digits.count == 11, let id = TaxID(String(digits)), id.isCPF {
                out += id.masked
            } else {
                out += pending
            }
            digits = []
            pending = ""
        }
        for ch in text {
            if ch.isASCIIDigit {
                digits.append(ch)
                pending.append(ch)
            } else if (ch == "." || ch == "-") && !digits.isEmpty {
                pending.append(ch)
            } else {
                flush()
                out.append(ch)
            }
        }
        flush()
        return out
    }
}

/// A Brazilian phone number as people type it (issue 28: "abc" was accepted as a phone): digits
/// with the usual punctuation, the DDD and the number — 10 digits (landline) or 11 (mobile), a
/// leading country code 55 or trunk 0 aside.
public enum PhoneNumber {
    public static let problem = "Telefone inválido: informe DDD e número, só com algarismos (ex.: (79) 99876-5432)."

    /// The digits with their DDD, or nil when it is not a phone number.
    public static func normalized(_ typed: String) -> String? {
        let text = typed.trimmingCharacters(in: .whitespaces)
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || " ()-+.".contains($0)) }) else { return nil }
        var digits = text.filter(\.isNumber)
        if digits.count > 11, digits.hasPrefix("55") { digits.removeFirst(2) }
        if digits.count == 12 || digits.count == 11 && digits.hasPrefix("0") { digits.removeFirst() }
        guard digits.count == 10 || digits.count == 11, digits.first != "0" else { return nil }
        return digits
    }

    /// `79998761234` → `(79) 99876-1234`, as the agência keeps and shows a phone.
    public static func formatted(_ digits: String) -> String {
        guard let d = normalized(digits) else { return digits }
        let number = d.dropFirst(2)
        return "(\(d.prefix(2))) \(number.dropLast(4))-\(number.suffix(4))"
    }
}
