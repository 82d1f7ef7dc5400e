import Domain

/// What an agreement of one kind would negotiate (DECISIONS 27, 61): the property's overdue bills
/// that can be negotiated now (`isPayable`: not under a pending card payment) of that kind — not inscribed in dívida ativa, or inscribed — oldest first, each with its
/// charges to today. The simulation and the signature compute it alike, so the terms signed are
/// the terms simulated.
struct NegotiableDebt {
    let bills: [Bill]
    let charges: [LateCharges]
    let index: [String: Int64]

    var debt: Money { charges.reduce(.zero) { $0 + $1.total } }
    var lines: [(id: Int64, amount: Money)] { zip(bills, charges).map { ($0.id, $1.total) } }

    static func of(_ all: [Bill], kind: AgreementKind, today: CivilDate, calendar: BusinessCalendar, repository: BillRepository)
        async throws -> NegotiableDebt
    {
        let overdue = all.filter { $0.isOverdue(on: today, calendar: calendar) && $0.situacao.isPayable && kind.includes($0) }.sorted {
            $0.competencia < $1.competencia
        }
        let index = overdue.isEmpty ? [:] : try await repository.correctionIndex()
        return NegotiableDebt(
            bills: overdue, charges: overdue.map { $0.charges(asOf: today, calendar: calendar, index: index) }, index: index)
    }
}
