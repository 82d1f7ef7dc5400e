/// A certidão's verification code (DOMAIN.md): random, typed by a person, checked for typos.
///
/// 19 random symbols and a check symbol, in five groups of four: `7KQ3-M2XD-9PRA-4HT1-G6WC`. The
/// alphabet is Crockford's base 32 without `Z` (too like `2`), so 31 symbols: 19 of them carry
/// 94 bits. The check symbol is Σ i·vᵢ mod 31 over the data symbols (weights 1…19): with a prime
/// modulus larger than every weight and every difference of values, any single wrong symbol —
/// and any swap of two neighbours — changes it. Typing is forgiving as Crockford's is: case,
/// spaces and dashes do not matter, `O` reads as `0`, `I` and `L` as `1`.
public enum VerificationCode {
    public static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXY")
    public static let dataLength = 19

    static let values: [Character: Int] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })

    /// A new code from `rng` (the system's CSPRNG in the server).
    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> String {
        let data = (0..<dataLength).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] }
        return grouped(String(data) + String(check(data)))
    }

    /// The check symbol of the data symbols.
    static func check(_ data: [Character]) -> Character {
        let sum = data.enumerated().reduce(0) { $0 + ($1.offset + 1) * (values[$1.element] ?? 0) }
        return alphabet[sum % alphabet.count]
    }

    /// `XXXX-XXXX-XXXX-XXXX-XXXX`.
    static func grouped(_ s: String) -> String {
        let chars = Array(s)
        return stride(from: 0, to: chars.count, by: 4).map { String(chars[$0..<min($0 + 4, chars.count)]) }.joined(separator: "-")
    }

    /// What was typed, in the stored form (grouped, upper case), or nil when it cannot be a code:
    /// a wrong length, a symbol outside the alphabet, or a check symbol that does not match.
    public static func normalized(_ typed: String) -> String? {
        var kept: [Character] = []
        for c in typed.uppercased() where c != "-" && c != " " && c != "." {
            switch c {
            case "O": kept.append("0")
            case "I", "L": kept.append("1")
            default: kept.append(c)
            }
        }
        guard kept.count == dataLength + 1, kept.allSatisfy({ values[$0] != nil }) else { return nil }
        guard check(Array(kept.prefix(dataLength))) == kept[dataLength] else { return nil }
        return grouped(String(kept))
    }
}
