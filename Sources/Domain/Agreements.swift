import Foundation

/// Installment agreements (parcelamentos, PRODUCT.md C1, issue 13): when each installment falls
/// due, who may sign which terms, and when an agreement is broken.
/// What an agreement negotiates: the ordinary overdue bills, or those inscribed in dívida ativa,
/// which go in an agreement of their own (with the collection agreement's own barcodes). A
/// property may have one active agreement of each kind.
public enum AgreementKind: String, Sendable, CaseIterable {
    case comum
    case dividaAtiva = "divida_ativa"

    public func includes(_ bill: Bill) -> Bool { (bill.dividaAtivaSince != nil) == (self == .dividaAtiva) }

    public static func of(_ bill: Bill) -> AgreementKind { bill.dividaAtivaSince == nil ? .comum : .dividaAtiva }
}

public enum AgreementSchedule {
    /// Installment k (1…count) falls due on `day` of the k-th month after `signedOn` — the
    /// property's due day, so installments and bills arrive alike — or on the month's last day
    /// when it is shorter. (The down payment is due like a statement, a few days after signing.)
    public static func dueDates(signedOn: CivilDate, count: Int, day: Int) -> [CivilDate] {
        guard count > 0 else { return [] }
        let start = signedOn.year * 12 + signedOn.month - 1
        return (1...count).map { k in
            let index = start + k
            let (year, month) = (index / 12, index % 12 + 1)
            let last = CivilDate.daysIn(month: month, year: year)
            return CivilDate(year: year, month: month, day: min(max(1, day), last)) ?? signedOn
        }
    }
}

/// How far a signer may go without someone above them (configuration `agreementLimits`): the
/// kiosk's limits are the customer's; an attendant's beyond them need a supervisor.
public struct AgreementLimits: Hashable, Sendable, Codable {
    public var maxCount: Int
    /// The smallest down payment, percent of the debt.
    public var minDownPaymentPercent: Int

    public init(maxCount: Int, minDownPaymentPercent: Int) {
        self.maxCount = maxCount
        self.minDownPaymentPercent = minDownPaymentPercent
    }

    /// The smallest down payment on `debt` within these limits.
    public func minimumDownPayment(_ debt: Money) -> Money { Money(cents: (debt.cents * Int64(minDownPaymentPercent) + 99) / 100) }

    /// Why `who` may not sign `count` installments with `downPayment` on `debt` (nil: they may).
    public func refusal(count: Int, downPayment: Money, debt: Money, who: String, ask: String) -> String? {
        let minimum = minimumDownPayment(debt)
        if count > maxCount || downPayment < minimum {
            return "Acima do limite \(who) (até \(maxCount) parcelas, entrada de ao menos \(minDownPaymentPercent) % = "
                + "\(minimum.formatted)): \(ask)."
        }
        return nil
    }
}

/// Whether an agreement holds: its unpaid installments past their payable date (the next
/// business day after a weekend or holiday due date) against the utility's breaking rule.
public enum AgreementStanding: Equatable, Sendable {
    case emDia
    /// Some installments late, not yet enough to break it.
    case atrasado(installments: Int, days: Int)
    /// Broken: the remaining balance returns as open debt; the reason says which rule.
    case rompido(reason: String)
    /// Every installment paid.
    case quitado

    public struct Installment: Sendable {
        public var due: CivilDate
        public var paid: Bool
        public init(due: CivilDate, paid: Bool) {
            self.due = due
            self.paid = paid
        }
    }

    /// Broken at `maxOverdueInstallments` late installments, or when the oldest one is
    /// `maxOverdueDays` days late (whichever comes first).
    public static func evaluate(
        _ installments: [Installment], today: CivilDate, calendar: BusinessCalendar, maxOverdueInstallments: Int, maxOverdueDays: Int
    ) -> AgreementStanding {
        if installments.allSatisfy(\.paid) { return .quitado }
        let late = installments.filter { !$0.paid && calendar.isLate(due: $0.due, on: today) }
        guard let oldest = late.map({ calendar.payableUntil(due: $0.due) }).min() else { return .emDia }
        let days = today.daysSinceEpoch - oldest.daysSinceEpoch
        if late.count >= maxOverdueInstallments {
            return .rompido(reason: "\(late.count) parcelas vencidas e não pagas (o limite é \(maxOverdueInstallments)).")
        }
        if days >= maxOverdueDays {
            return .rompido(reason: "Parcela vencida há \(days) dias sem pagamento (o limite é \(maxOverdueDays) dias).")
        }
        return .atrasado(installments: late.count, days: days)
    }
}

/// What a broken agreement gives back (issue 13): the debt it amortised — the down payment and
/// the principal part of each installment paid, by the agreement's own Price table, whatever
/// order they were paid in — settles its bills oldest first at the value each entered with; a
/// bill fully covered is paid, the others return open for what remains of their original value
/// (the covered share taken proportionally), and charge again from their own due dates.
public enum AgreementBreak {
    public struct Bill: Sendable, Equatable {
        public var id: Int64
        /// As it entered the agreement (updated to the signing date).
        public var amount: Money
        /// The bill's own value.
        public var original: Money
        public init(id: Int64, amount: Money, original: Money) {
            self.id = id
            self.amount = amount
            self.original = original
        }
    }

    public struct Outcome: Sendable, Equatable {
        /// The principal the payments made covered.
        public var covered: Money
        public var paid: [Int64]
        /// Bills open again and what of their original value remains to pay.
        public var reopened: [Reopened]
        public struct Reopened: Sendable, Equatable {
            public var id: Int64
            public var remaining: Money
        }
    }

    /// `installments` in order (1…n) with whether each was paid; `bills` oldest first.
    public static func settle(
        bills: [Bill], downPayment: Money, downPaymentPaid: Bool, installments: [(amount: Money, paid: Bool)], rateBasisPoints: Int
    ) -> Outcome {
        let debt = bills.reduce(Money.zero) { $0 + $1.amount }
        var balance = (debt - downPayment).cents
        var covered = downPaymentPaid ? downPayment.cents : 0
        let rate = Decimal(rateBasisPoints) / 10_000
        for (k, i) in installments.enumerated() {
            let interest = Money.roundHalfUp(Decimal(balance) * rate)
            // The last installment pays whatever remains (the plan's rounding).
            let amortised = k == installments.count - 1 ? balance : i.amount.cents - interest
            balance -= amortised
            if i.paid { covered += amortised }
        }
        var left = covered
        var outcome = Outcome(covered: Money(cents: covered), paid: [], reopened: [])
        for b in bills {
            let share = min(left, b.amount.cents)
            left -= share
            if share == b.amount.cents {
                outcome.paid.append(b.id)
            } else {
                let coveredOriginal =
                    b.amount.cents == 0 ? 0 : Money.roundHalfUp(Decimal(share) * Decimal(b.original.cents) / Decimal(b.amount.cents))
                outcome.reopened.append(.init(id: b.id, remaining: Money(cents: b.original.cents - coveredOriginal)))
            }
        }
        return outcome
    }
}
