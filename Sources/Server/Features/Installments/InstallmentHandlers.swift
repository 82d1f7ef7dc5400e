import API
import Domain
import Foundation

/// The installment simulation (PRODUCT.md C3, DECISIONS 27): the property's overdue bills
/// updated to today under the utility's policy; records nothing but the attendant's audit entry.
struct InstallmentHandlers: Sendable {
    static let simulationNotice = "Simulação — não vale como contrato."

    let config: ServerConfiguration
    let properties: PropertyRepository
    let bills: BillRepository
    let agreements: AgreementRepository
    let authorization: Authorization

    /// An installment simulation of the property's overdue debts under the utility's policy; not a contract.
    func simulateInstallments(_ input: Operations.SimulateInstallments.Input) async throws -> Operations.SimulateInstallments.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let matricula = grant.matricula
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let documento: String
        switch TaxID.parse(body.documento) {
        case .success(let id): documento = id.normalized
        case .failure(let p): throw APIError.invalid(p.message)
        }
        guard let property = try await properties.property(matricula) else { throw APIError.notFound }
        guard property.titular.documento == documento else {
            throw APIError(
                status: .unprocessableContent, code: "not_responsible",
                message: "O CPF/CNPJ informado não é o do responsável por este imóvel: a simulação é feita pelo titular.")
        }
        let policy = property.categoria == .residencialSocial ? config.lowIncomeInstallments : config.installments
        let today = grant.today
        let kind = AgreementKind(rawValue: (body.kind ?? .comum).rawValue) ?? .comum
        let negotiable = try await NegotiableDebt.of(
            try await bills.owed(matricula), kind: kind, today: today, calendar: grant.calendar, repository: bills)
        let debt = negotiable.debt
        let plan: InstallmentPlan
        do {
            plan = try policy.plan(
                debt: debt, downPayment: Money(cents: body.downPaymentCents), count: body.count,
                hasActiveAgreement: try await agreements.hasActive(matricula, kind: kind))
        } catch let p as InstallmentPolicy.Problem {
            throw APIError(status: .unprocessableContent, code: "policy", message: p.description)
        }
        // What this signer may sign alone, and what someone above could do more (issue 28.9).
        var maxCount = policy.maxCount
        var minDown = policy.minimumDownPayment(debt)
        var beyond: String?
        if let s = config.agreements.signer(grant.staff?.role) {
            if let refusal = s.limits.refusal(
                count: body.count, downPayment: Money(cents: body.downPaymentCents), debt: debt, who: s.who, ask: s.ask)
            {
                throw APIError(status: .unprocessableContent, code: "limit", message: refusal)
            }
            maxCount = min(maxCount, s.limits.maxCount)
            minDown = max(minDown, s.limits.minimumDownPayment(debt))
            if maxCount < policy.maxCount || minDown > policy.minimumDownPayment(debt) {
                beyond =
                    "\(grant.staff == nil ? "Numa agência" : "Com um supervisor"), o parcelamento pode ir até \(policy.maxCount) parcelas "
                    + "com entrada de ao menos \(policy.minimumDownPayment(debt).formatted)."
            }
        }
        try await grant.record("simular_parcelamento", detail: "\(body.count)x")
        return .ok(
            .init(
                body: .json(
                    .init(
                        notice: Self.simulationNotice, kind: body.kind ?? .comum,
                        bills: negotiable.bills.map { BillViews.bill($0, today: today, calendar: grant.calendar, index: negotiable.index) },
                        debtCents: debt.cents,
                        downPaymentCents: plan.downPayment.cents, minDownPaymentCents: minDown.cents,
                        financedCents: plan.financed.cents, count: plan.installments.count, maxCount: maxCount, beyond: beyond,
                        monthlyRateBasisPoints: policy.monthlyRateBasisPoints, installments: plan.installments.map(\.cents),
                        totalCents: plan.totalPaid.cents, asOf: today.iso))))
    }
}
