/// A monthly bill of a property (conta), as every part of the system sees it.
public struct Bill: Sendable, Equatable {
    public var id: Int64
    public var matricula: String
    public var competencia: Competencia
    public var due: CivilDate
    public var value: Money
    public var situacao: SituacaoConta
    public var consumptionM3: Int
    public var estimated: Bool
    public var paidOn: CivilDate?
    /// When it was inscribed in dívida ativa (nil: it was not).
    public var dividaAtivaSince: CivilDate?
    /// The utility's commercial system's words for the situation it decided there (issue 30).
    public var sourceSituation: String?

    public init(
        id: Int64, matricula: String, competencia: Competencia, due: CivilDate, value: Money, situacao: SituacaoConta,
        consumptionM3: Int, estimated: Bool, paidOn: CivilDate?, dividaAtivaSince: CivilDate? = nil, sourceSituation: String? = nil
    ) {
        self.dividaAtivaSince = dividaAtivaSince
        self.sourceSituation = sourceSituation
        self.id = id
        self.matricula = matricula
        self.competencia = competencia
        self.due = due
        self.value = value
        self.situacao = situacao
        self.consumptionM3 = consumptionM3
        self.estimated = estimated
        self.paidOn = paidOn
    }

    /// Owed on its own and past its payable date on `today` (`SituacaoConta.isOverdue`).
    public func isOverdue(on today: CivilDate, calendar: BusinessCalendar) -> Bool {
        situacao.isOverdue(due: due, today: today, calendar: calendar)
    }
}

/// The debt summary of a property on a day (PRODUCT.md A4): what the home screen shows, by the
/// one definition of owed and overdue (`SituacaoConta.isOwed`, `isOverdue`).
public struct DebtSummary: Sendable, Equatable {
    /// Bills owed on their own (open or under review), overdue or not, and their total.
    public var openCount = 0
    public var openTotal = Money.zero
    /// Of those, past their payable date.
    public var overdueCount = 0
    public var oldestDue: CivilDate?
    /// Of those, under a pending card payment.
    public var underReviewCount = 0
    /// Owed through an agreement's installments.
    public var inAgreementCount = 0

    /// Summarises a property's bills (any order) on `today`.
    public init(bills: [Bill], today: CivilDate, calendar: BusinessCalendar) {
        for b in bills where b.situacao.isOwed {
            guard b.situacao.isOwedOnItsOwn else {
                inAgreementCount += 1
                continue
            }
            openCount += 1
            openTotal = openTotal + b.value
            if b.isOverdue(on: today, calendar: calendar) { overdueCount += 1 }
            if b.situacao == .emRevisao { underReviewCount += 1 }
            oldestDue = min(oldestDue ?? b.due, b.due)
        }
    }
}
