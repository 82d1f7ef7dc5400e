/// Installment agreements (parcelamentos, PRODUCT.md C1, issue 13): when each installment falls
/// due, who may sign which terms, and when an agreement is broken.
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

    /// Why `who` may not sign `count` installments with `downPayment` on `debt` (nil: they may).
    public func refusal(count: Int, downPayment: Money, debt: Money, who: String, ask: String) -> String? {
        let minimum = Money(cents: (debt.cents * Int64(minDownPaymentPercent) + 99) / 100)
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
        let late = installments.filter { !$0.paid && today > calendar.payableUntil(due: $0.due) }
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
