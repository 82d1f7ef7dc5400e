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

    public init(
        id: Int64, matricula: String, competencia: Competencia, due: CivilDate, value: Money, situacao: SituacaoConta,
        consumptionM3: Int, estimated: Bool, paidOn: CivilDate?, dividaAtivaSince: CivilDate? = nil
    ) {
        self.dividaAtivaSince = dividaAtivaSince
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

    /// Open and past its due date on `today` (`SituacaoConta.isOverdue`).
    public func isOverdue(on today: CivilDate, calendar: BusinessCalendar) -> Bool {
        situacao.isOverdue(due: due, today: today, calendar: calendar)
    }
}

/// The open-debt summary of a property on a day (PRODUCT.md A4): what the home screen shows.
public struct DebtSummary: Sendable, Equatable {
    public var openCount = 0
    public var openTotal = Money.zero
    public var overdueCount = 0
    public var oldestDue: CivilDate?
    public var underReviewCount = 0
    public var inAgreementCount = 0

    /// Summarises a property's bills (any order) on `today`.
    public init(bills: [Bill], today: CivilDate, calendar: BusinessCalendar) {
        for b in bills {
            switch b.situacao {
            case .aberta:
                openCount += 1
                openTotal = openTotal + b.value
                if b.isOverdue(on: today, calendar: calendar) { overdueCount += 1 }
                oldestDue = min(oldestDue ?? b.due, b.due)
            case .emRevisao: underReviewCount += 1
            case .parcelada: inAgreementCount += 1
            case .paga: break
            }
        }
    }
}
