import Foundation

/// An e-mail address in a syntax mail servers deliver to (RFC 5321 §4.1.2 dot-atom, RFC 5322
/// atext; RFC 6531 for a non-ASCII local part): the local part as typed, the domain in lower
/// case and in its ASCII form (IDNA, `bücher.example` → `xn--bcher-kva.example`, converted by
/// Foundation). Quoted local parts and address literals (`[192.0.2.1]`) are refused: a customer
/// never has them, and many servers do not take them.
public struct EmailAddress: Sendable, Equatable, CustomStringConvertible {
    public let local: String
    /// ASCII (punycode for an internationalised name), lower case.
    public let domain: String

    public var description: String { "\(local)@\(domain)" }

    /// A local part with letters outside ASCII (`joão@…`) needs a server that announces
    /// SMTPUTF8; the domain never does (it travels as punycode).
    public var needsSMTPUTF8: Bool { !local.unicodeScalars.allSatisfy(\.isASCII) }

    public enum Problem: Error, Equatable, Sendable {
        case missingAt, localPart, domain, tooLong

        public var message: String {
            switch self {
            case .missingAt: return "E-mail inválido: informe nome@provedor (por exemplo, maria.silva@provedor.com.br)."
            case .localPart:
                return
                    "E-mail inválido: a parte antes do @ só pode ter letras, números e . _ + - (sem espaço, sem ponto no início, no fim ou repetido)."
            case .domain: return "E-mail inválido: o que vem depois do @ não é um domínio de internet (por exemplo, provedor.com.br)."
            case .tooLong: return "E-mail inválido: longo demais (até 64 caracteres antes do @ e 254 no total)."
            }
        }
    }

    /// What may appear in a dot-atom besides letters and digits (RFC 5322 atext).
    private static let atextSymbols = Set("!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    public static func parse(_ text: String) -> Result<EmailAddress, Problem> {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard let at = s.lastIndex(of: "@"), at != s.startIndex, s.index(after: at) != s.endIndex else { return .failure(.missingAt) }
        let local = String(s[..<at])
        let rawDomain = String(s[s.index(after: at)...])
        guard local.utf8.count <= 64 else { return .failure(.tooLong) }
        // Dot-atom: atoms of atext joined by single dots; letters of any script count as atext
        // (RFC 6531), controls, spaces and specials never do.
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        guard
            atoms.allSatisfy({ atom in
                !atom.isEmpty
                    && atom.unicodeScalars.allSatisfy { c in
                        c.isASCII
                            ? (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || atextSymbols.contains(c))
                            : c.properties.isAlphabetic || c.properties.numericType != nil
                                || c.properties.generalCategory == .nonspacingMark
                    }
            })
        else { return .failure(.localPart) }
        guard let domain = asciiDomain(rawDomain) else { return .failure(.domain) }
        guard local.utf8.count + 1 + domain.count <= 254 else { return .failure(.tooLong) }
        return .success(EmailAddress(local: local, domain: domain))
    }

    /// The domain's ASCII form, or nil when it is not a host name of at least two labels: each
    /// label 1–63 letters, digits or hyphens, not starting or ending with a hyphen, the last not
    /// all digits.
    static func asciiDomain(_ raw: String) -> String? {
        guard !raw.isEmpty, !raw.hasSuffix("."), !raw.contains(where: { $0.isWhitespace }) else { return nil }
        var ascii = raw.lowercased()
        if !ascii.unicodeScalars.allSatisfy(\.isASCII) {
            var c = URLComponents()
            c.host = raw
            guard let encoded = c.encodedHost, encoded.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
            ascii = encoded.lowercased()
        }
        let labels = ascii.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, ascii.count <= 253, let tld = labels.last, !tld.allSatisfy(\.isNumber) else { return nil }
        for label in labels {
            guard (1...63).contains(label.count), label.first != "-", label.last != "-",
                label.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
            else { return nil }
        }
        return ascii
    }
}
