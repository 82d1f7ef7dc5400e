import Foundation

/// The utility's due-date policy (DOMAIN.md, Lei 8.987/1995 art. 7º-A): at least six days of
/// the month to choose from; a change applies from the next bill; a minimum interval between
/// changes.
public struct DueDatePolicy: Hashable, Sendable, Codable {
    /// The pre-approved days of the month (1–28, so every month has them).
    public var days: [Int]
    public var minIntervalMonths: Int

    public init(days: [Int] = [5, 10, 15, 20, 25, 28], minIntervalMonths: Int = 6) {
        self.days = days
        self.minIntervalMonths = minIntervalMonths
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notOffered(Int, [Int])
        case sameDay(Int)
        case tooSoon(lastChange: CivilDate, allowedFrom: CivilDate)

        public var description: String {
            switch self {
            case .notOffered(let d, let days):
                return "O dia \(d) não está entre as datas oferecidas: \(days.map(String.init).joined(separator: ", "))."
            case .sameDay(let d): return "O vencimento já é no dia \(d)."
            case .tooSoon(let last, let allowed):
                return "O vencimento foi alterado em \(last.formatted); uma nova alteração só é possível a partir de \(allowed.formatted)."
            }
        }
    }

    /// Whether the policy itself is lawful: six or more distinct days within 1–28.
    public var isValid: Bool {
        Set(days).count >= 6 && days.allSatisfy { (1...28).contains($0) } && minIntervalMonths >= 0
    }

    /// The first day a new change is allowed after one made on `lastChange`.
    public func nextChangeAllowed(after lastChange: CivilDate) -> CivilDate {
        let c = Competencia(year: lastChange.year, month: lastChange.month)!.adding(months: minIntervalMonths)
        return CivilDate(year: c.year, month: c.month, day: min(lastChange.day, CivilDate.daysIn(month: c.month, year: c.year)))!
    }

    /// Checks a request to move the due day from `current` to `requested` on `today`.
    public func check(current: Int, requested: Int, lastChange: CivilDate?, today: CivilDate) throws {
        guard days.contains(requested) else { throw Problem.notOffered(requested, days.sorted()) }
        guard requested != current else { throw Problem.sameDay(requested) }
        if let last = lastChange {
            let allowed = nextChangeAllowed(after: last)
            if today < allowed { throw Problem.tooSoon(lastChange: last, allowedFrom: allowed) }
        }
    }

    /// The due date of the first bill under the new day: the bill of `nextCompetencia` (the first
    /// one not issued yet) falls due in the following month.
    public static func firstDueDate(nextCompetencia: Competencia, day: Int) -> CivilDate {
        let m = nextCompetencia.adding(months: 1)
        return CivilDate(year: m.year, month: m.month, day: min(day, CivilDate.daysIn(month: m.month, year: m.year)))!
    }
}

/// The utility's installment policy (DOMAIN.md): a maximum number of installments, a minimum
/// down payment and a monthly rate; a low-income policy (residencial social) may allow more
/// installments at another rate.
public struct InstallmentPolicy: Hashable, Sendable, Codable {
    public var maxCount: Int
    /// Minimum down payment, percent of the debt.
    public var minDownPaymentPercent: Int
    /// Monthly rate in basis points (100 = 1 % a.m.).
    public var monthlyRateBasisPoints: Int

    public init(maxCount: Int, minDownPaymentPercent: Int, monthlyRateBasisPoints: Int) {
        self.maxCount = maxCount
        self.minDownPaymentPercent = minDownPaymentPercent
        self.monthlyRateBasisPoints = monthlyRateBasisPoints
    }

    public static let standard = InstallmentPolicy(maxCount: 24, minDownPaymentPercent: 10, monthlyRateBasisPoints: 100)
    public static let lowIncome = InstallmentPolicy(maxCount: 60, minDownPaymentPercent: 0, monthlyRateBasisPoints: 0)

    public var monthlyRate: Decimal { Decimal(monthlyRateBasisPoints) / 10_000 }

    public var isValid: Bool {
        (1...360).contains(maxCount) && (0...100).contains(minDownPaymentPercent) && (0..<10_000).contains(monthlyRateBasisPoints)
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case activeAgreement
        case nothingToNegotiate
        case downPaymentBelowMinimum(minimum: Money)
        case downPaymentAboveDebt(debt: Money)
        case countAboveMaximum(Int)
        case countBelowOne
        case nothingToFinance

        public var description: String {
            switch self {
            case .activeAgreement:
                return "Já existe um parcelamento em andamento para este imóvel: não é possível simular outro."
            case .nothingToNegotiate: return "Não há débitos vencidos a negociar neste imóvel."
            case .downPaymentBelowMinimum(let m): return "A entrada mínima é de \(m.formatted)."
            case .downPaymentAboveDebt(let d): return "A entrada não pode passar do total da dívida (\(d.formatted))."
            case .countAboveMaximum(let n): return "O número máximo de parcelas é \(n)."
            case .countBelowOne: return "Informe ao menos uma parcela."
            case .nothingToFinance:
                return "Com esta entrada não sobra saldo a parcelar: para pagar tudo de uma vez, emita o extrato de débitos."
            }
        }
    }

    /// The minimum down payment for `debt`, rounded up to the cent.
    public func minimumDownPayment(_ debt: Money) -> Money {
        Money(cents: (debt.cents * Int64(minDownPaymentPercent) + 99) / 100)
    }

    /// A plan for `debt` with this policy, or the reason it cannot be offered.
    public func plan(debt: Money, downPayment: Money, count: Int, hasActiveAgreement: Bool) throws -> InstallmentPlan {
        if hasActiveAgreement { throw Problem.activeAgreement }
        guard debt > .zero else { throw Problem.nothingToNegotiate }
        guard count >= 1 else { throw Problem.countBelowOne }
        guard count <= maxCount else { throw Problem.countAboveMaximum(maxCount) }
        guard downPayment <= debt, downPayment.cents >= 0 else { throw Problem.downPaymentAboveDebt(debt: debt) }
        let minimum = minimumDownPayment(debt)
        guard downPayment >= minimum else { throw Problem.downPaymentBelowMinimum(minimum: minimum) }
        guard downPayment < debt else { throw Problem.nothingToFinance }
        return try InstallmentPlan(total: debt, downPayment: downPayment, count: count, monthlyRate: monthlyRate)
    }
}
