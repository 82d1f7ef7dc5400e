import Foundation

/// A category's tariff table in force from a date (DOMAIN.md, "Tariffs and bill calculation"):
/// a minimum charge covering the first band, then a price per m³ for each further band, charged
/// in cascade; sewage a percentage of water; for the social tariff a discount by band. Data, not
/// code: tables are loaded and versioned by `validFrom`.
public struct TariffTable: Hashable, Sendable {
    public struct Band: Hashable, Sendable {
        /// Upper bound of the band in m³ (inclusive); nil for the last, open band.
        public var upToM3: Int?
        /// Price of one m³ in reais; published tables often carry 3 or 4 decimal places
        /// (R$ 4,149/m³), so this is not in cents.
        public var pricePerM3: Decimal
        /// Discount on this band, percent (social tariff); 0 otherwise.
        public var discountPercent: Int
        public init(upToM3: Int?, pricePerM3: Decimal, discountPercent: Int = 0) {
            self.upToM3 = upToM3
            self.pricePerM3 = pricePerM3
            self.discountPercent = discountPercent
        }
    }

    public var categoria: Categoria
    public var validFrom: CivilDate
    /// The first band, covered by the minimum charge (0…minimumM3 m³ per economia).
    public var minimumM3: Int
    public var minimumCents: Int64
    /// Discount on the minimum, percent (social tariff).
    public var minimumDiscountPercent: Int
    public var bands: [Band]
    public var sewagePercent: Int

    public init(
        categoria: Categoria, validFrom: CivilDate, minimumM3: Int, minimumCents: Int64, minimumDiscountPercent: Int = 0,
        bands: [Band], sewagePercent: Int
    ) {
        self.categoria = categoria
        self.validFrom = validFrom
        self.minimumM3 = minimumM3
        self.minimumCents = minimumCents
        self.minimumDiscountPercent = minimumDiscountPercent
        self.bands = bands
        self.sewagePercent = sewagePercent
    }

    /// `R$ 6,10` or, for prices with more places, all of them: `R$ 4,149`.
    public static func formatPrice(_ price: Decimal) -> String {
        var cents = price * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .plain)
        if rounded == cents { return Money(cents: NSDecimalNumber(decimal: rounded).int64Value).formatted }
        let text = NSDecimalNumber(decimal: price).stringValue.replacingOccurrences(of: ".", with: ",")
        return "R$ " + text
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case negativeConsumption, noEconomias, bandsOutOfOrder, lastBandClosed, aboveLastBand, badPercent, badPrice
        public var description: String {
            switch self {
            case .negativeConsumption: return "O consumo não pode ser negativo."
            case .noEconomias: return "Informe ao menos uma economia."
            case .bandsOutOfOrder: return "As faixas devem vir em ordem crescente, acima do consumo mínimo."
            case .lastBandClosed: return "A última faixa deve ser aberta (sem limite superior)."
            case .aboveLastBand: return "O consumo passa da última faixa desta tabela."
            case .badPercent: return "Percentuais devem estar entre 0 e 100 (esgoto até 300)."
            case .badPrice: return "Valores e preços não podem ser negativos."
            }
        }
    }

    /// Checks a table before it is stored: bands ascending above the minimum, the last one open,
    /// percentages and prices in range.
    public func validate() throws {
        guard minimumM3 >= 0, minimumCents >= 0, bands.allSatisfy({ $0.pricePerM3 >= 0 }) else { throw Problem.badPrice }
        guard (0...100).contains(minimumDiscountPercent), bands.allSatisfy({ (0...100).contains($0.discountPercent) }),
            (0...300).contains(sewagePercent)
        else { throw Problem.badPercent }
        var lower = minimumM3
        for (k, band) in bands.enumerated() {
            guard let up = band.upToM3 else {
                guard k == bands.count - 1 else { throw Problem.bandsOutOfOrder }
                return
            }
            guard up > lower else { throw Problem.bandsOutOfOrder }
            lower = up
        }
        throw Problem.lastBandClosed
    }

    /// One line of a simulated bill, rounded half-up to the cent.
    public struct Line: Hashable, Sendable {
        public var description: String
        /// m³ charged on this line, for all economias (nil for the minimum and sewage).
        public var volumeM3: Decimal?
        public var amount: Money
    }

    public struct Simulation: Hashable, Sendable {
        public var lines: [Line]
        public var water: Money
        public var sewage: Money
        public var total: Money { water + sewage }
    }

    /// The bill for `consumptionM3` shared by `economias`, with sewage when connected. Each
    /// line is rounded half-up to the cent; water is the sum of its rounded lines, sewage is
    /// rounded on that sum, and the total is water plus sewage.
    public func simulate(consumptionM3: Int, economias: Int, sewage: Bool) throws -> Simulation {
        guard consumptionM3 >= 0 else { throw Problem.negativeConsumption }
        guard economias >= 1 else { throw Problem.noEconomias }
        let perEconomia = Decimal(consumptionM3) / Decimal(economias)
        var lines: [Line] = []
        let minimum = Money.roundHalfUp(Decimal(minimumCents * Int64(economias)) * Decimal(100 - minimumDiscountPercent) / 100)
        lines.append(
            Line(
                description: "Tarifa mínima (até \(minimumM3) m³)\(economias > 1 ? " × \(economias) economias" : "")"
                    + (minimumDiscountPercent > 0 ? " com \(minimumDiscountPercent) % de desconto" : ""),
                volumeM3: nil, amount: Money(cents: minimum)))
        var lower = minimumM3
        for band in bands {
            if let up = band.upToM3, up <= lower { throw Problem.bandsOutOfOrder }
            let upper = band.upToM3.map { Decimal($0) }
            var inBand = perEconomia - Decimal(lower)
            if let upper { inBand = min(inBand, upper - Decimal(lower)) }
            if inBand > 0 {
                let volume = inBand * Decimal(economias)
                let amount = Money.roundHalfUp(volume * band.pricePerM3 * Decimal(100 - band.discountPercent))
                let range = band.upToM3.map { "\(lower + 1) a \($0) m³" } ?? "acima de \(lower) m³"
                lines.append(
                    Line(
                        description: "\(range): \(Self.formatPrice(band.pricePerM3))/m³"
                            + (band.discountPercent > 0 ? " com \(band.discountPercent) % de desconto" : ""),
                        volumeM3: volume, amount: Money(cents: amount)))
            }
            guard let up = band.upToM3 else { break }
            lower = up
        }
        if bands.last?.upToM3 != nil, perEconomia > Decimal(lower) { throw Problem.aboveLastBand }
        let water = lines.reduce(Money.zero) { $0 + $1.amount }
        let sewageAmount = sewage ? Money(cents: Money.roundHalfUp(Decimal(water.cents) * Decimal(sewagePercent) / 100)) : .zero
        return Simulation(lines: lines, water: water, sewage: sewageAmount)
    }
}
