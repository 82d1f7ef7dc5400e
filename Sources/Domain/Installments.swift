import Foundation

/// An installment plan (parcelamento, DOMAIN.md): the Price system on the debt minus the down
/// payment. Each month's interest is rounded half-up to the cent on the balance, the installment
/// is the PMT rounded half-up, and the last installment pays whatever balance remains (so the
/// rounding difference falls on it). R$ 1.000,00 at 1 % in 6 → 5 × R$ 172,55 + R$ 172,53.
public struct InstallmentPlan: Hashable, Sendable {
    public let total: Money
    public let downPayment: Money
    /// Monthly rate as a decimal fraction (0.01 = 1 % a.m.).
    public let monthlyRate: Decimal
    public let installments: [Money]

    public var financed: Money { total - downPayment }
    public var totalPaid: Money { installments.reduce(downPayment, +) }

    public enum Problem: Error, Equatable, Sendable {
        case nothingToFinance, downPaymentAboveDebt, invalidCount, invalidRate
    }

    public init(total: Money, downPayment: Money, count n: Int, monthlyRate i: Decimal) throws {
        guard downPayment.cents >= 0, downPayment <= total else { throw Problem.downPaymentAboveDebt }
        guard total - downPayment > .zero else { throw Problem.nothingToFinance }
        guard n >= 1, n <= 360 else { throw Problem.invalidCount }
        guard i >= 0, i < 1 else { throw Problem.invalidRate }
        self.total = total
        self.downPayment = downPayment
        monthlyRate = i
        let pv = Decimal((total - downPayment).cents)
        // PMT = PV · i / (1 − (1 + i)^−n); with i = 0, PV / n.
        let exact: Decimal = i == 0 ? pv / Decimal(n) : pv * i / (1 - 1 / Self.power(1 + i, n))
        let p = Money.roundHalfUp(exact)
        var balance = (total - downPayment).cents
        var parts: [Money] = []
        for k in 1...n {
            let interest = Money.roundHalfUp(Decimal(balance) * i)
            if k == n {
                parts.append(Money(cents: balance + interest))
            } else {
                parts.append(Money(cents: p))
                balance -= p - interest
            }
        }
        installments = parts
    }

    static func power(_ x: Decimal, _ n: Int) -> Decimal {
        var r = Decimal(1)
        for _ in 0..<n { r *= x }
        return r
    }
}
