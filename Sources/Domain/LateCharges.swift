import Foundation

/// Charges on a bill paid after its due date (DOMAIN.md, "Late charges"): a 2 % fine (CDC art. 52
/// §1º), 1 % interest a month pro rata die, and monetary correction by a monthly index the utility
/// loads. Days count from the last day it could be paid without charges (`BusinessCalendar`:
/// a due date on a weekend or holiday moves to the next business day). Fine and interest are computed on the original value; each part is rounded half-up to
/// the cent and the total is the sum of the rounded parts (docs/DECISIONS.md).
public struct LateCharges: Hashable, Sendable {
    public let original: Money
    public let daysLate: Int
    public let fine: Money
    public let interest: Money
    public let correction: Money

    public var total: Money { original + fine + interest + correction }
    public var charges: Money { fine + interest + correction }

    /// A monthly index, as parts per million of the value (IPCA 0,44 % = 4 400).
    public typealias Index = @Sendable (Competencia) -> Int64?

    /// `fineBasisPoints` 200 = 2 %; `interestBasisPointsPerMonth` 100 = 1 % a month, of 30 days.
    public init(
        original: Money, due: CivilDate, paidOn: CivilDate, calendar: BusinessCalendar, index: Index = { _ in nil },
        fineBasisPoints: Int64 = 200, interestBasisPointsPerMonth: Int64 = 100
    ) {
        self.original = original
        let due = calendar.payableUntil(due: due)
        let days = max(0, paidOn.daysSinceEpoch - due.daysSinceEpoch)
        daysLate = days
        guard days > 0 else {
            fine = .zero
            interest = .zero
            correction = .zero
            return
        }
        let c = original.cents
        fine = original.share(basisPoints: fineBasisPoints)
        interest = Money(cents: Money.divideHalfUp(c * interestBasisPointsPerMonth * Int64(days), 10_000 * 30))
        // Correction: the index of every whole month of delay, compounded.
        var factor = Decimal(1)
        let start = Competencia(year: due.year, month: due.month)!
        for k in 0..<Self.wholeMonths(from: due, to: paidOn) {
            if let ppm = index(start.adding(months: k)) {
                factor *= (Decimal(1_000_000) + Decimal(ppm)) / Decimal(1_000_000)
            }
        }
        correction = Money(cents: Money.roundHalfUp((factor - 1) * Decimal(c)))
    }

    /// Charges computed earlier and stored with a document.
    public init(stored original: Money, days: Int, fine: Int64, interest: Int64, correction: Int64) {
        self.original = original
        daysLate = days
        self.fine = Money(cents: fine)
        self.interest = Money(cents: interest)
        self.correction = Money(cents: correction)
    }

    /// Whole calendar months from `a` to `b` (10/03 → 15/05 is 2; 10/03 → 09/05 is 1).
    public static func wholeMonths(from a: CivilDate, to b: CivilDate) -> Int {
        guard b > a else { return 0 }
        var n = (b.year - a.year) * 12 + (b.month - a.month)
        if b.day < min(a.day, CivilDate.daysIn(month: b.month, year: b.year)) { n -= 1 }
        return max(0, n)
    }
}
