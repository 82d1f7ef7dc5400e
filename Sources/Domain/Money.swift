import Foundation

/// An amount of money in integer centavos: never floating point.
extension Decimal {
    /// `6.10`, `4.149`: a decimal point whatever the locale (the API and the database write
    /// prices this way).
    public init?(plain text: String) {
        guard let d = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        self = d
    }
}

public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let cents: Int64

    public init(cents: Int64) { self.cents = cents }
    public static let zero = Money(cents: 0)

    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static func - (a: Money, b: Money) -> Money { Money(cents: a.cents - b.cents) }
    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }

    /// `R$ 1.234,56` (pt-BR: dot for thousands, comma for cents; `-R$ 1,00` for negatives).
    public var formatted: String {
        let sign = cents < 0 ? "-" : ""
        let abs = cents.magnitude
        let reais = String(abs / 100)
        var grouped = ""
        for (i, ch) in reais.enumerated() {
            if i > 0 && (reais.count - i) % 3 == 0 { grouped.append(".") }
            grouped.append(ch)
        }
        let c = abs % 100
        return "\(sign)R$ \(grouped),\(c < 10 ? "0" : "")\(c)"
    }

    public var description: String { formatted }

    /// Parses `1.234,56`, `R$ 1234,5`, `10`: the pt-BR way people type amounts.
    public init?(parsing input: String) {
        var s = input.replacingAll("R$", with: "").filter { !$0.isWhitespace }
        var negative = false
        if s.hasPrefix("-") {
            negative = true
            s.removeFirst()
        }
        let parts = s.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= 2, let intPart = parts.first else { return nil }
        let groups = intPart.split(separator: ".", omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard groups.dropFirst().allSatisfy({ $0.count == 3 }), let f = groups.first, !f.isEmpty, f.count <= 3
            else { return nil }
        }
        let reaisText = groups.joined()
        guard !reaisText.isEmpty, reaisText.count <= 13, reaisText.allSatisfy(\.isASCIIDigit),
            let reais = Int64(reaisText)
        else { return nil }
        var centavos: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy(\.isASCIIDigit), let v = Int64(f) else { return nil }
            centavos = f.count == 1 ? v * 10 : v
        }
        let total = reais * 100 + centavos
        cents = negative ? -total : total
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            result += rest[rest.startIndex..<r.lowerBound]
            result += replacement
            rest = rest[r.upperBound...]
        }
        return result + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Index>? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(target) {
                return i..<index(i, offsetBy: target.count)
            }
            i = index(after: i)
        }
        return nil
    }
}

extension Money {
    /// `basisPoints` of this amount (350 = 3,5 %), rounded half-up to the cent.
    public func share(basisPoints: Int64) -> Money { Money(cents: Money.divideHalfUp(cents * basisPoints, 10_000)) }

    /// `n / d` rounded half-up (n, d ≥ 0).
    static func divideHalfUp(_ n: Int64, _ d: Int64) -> Int64 { (2 * n + d) / (2 * d) }

    /// A non-negative amount of centavos given as a Decimal, rounded half-up to a whole centavo.
    public static func roundHalfUp(_ x: Decimal) -> Int64 {
        var v = x
        var r = Decimal()
        NSDecimalRound(&r, &v, 0, .plain)
        return NSDecimalNumber(decimal: r).int64Value
    }
}

/// Rates kept as basis points (1/100 of a percent: 350 = 3,5 %), the way fees and interest are
/// stored, written the pt-BR way.
public enum BasisPoints {
    /// `1 %`, `2,99 %`, `3,50 %`: whole percentages without decimals, otherwise two.
    public static func formatted(_ bp: Int) -> String {
        let sign = bp < 0 ? "-" : ""
        let v = abs(bp)
        return v % 100 == 0 ? "\(sign)\(v / 100) %" : "\(sign)\(v / 100),\(v % 100 < 10 ? "0" : "")\(v % 100) %"
    }
}
