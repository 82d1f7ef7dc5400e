import API
import Documents
import Domain
import Foundation
import NIOPosix
import OpenAPIRuntime

/// Installment agreements (PRODUCT.md C1, issue 13): signed from the simulation's terms by the
/// holder at a kiosk or with an attendant, each within their limits (beyond the attendant's, a
/// supervisor or the back office, up to the utility's policy); the bills become `parcelada`.
struct AgreementHandlers: Sendable {
    let config: ServerConfiguration
    let agreements: AgreementRepository
    let properties: PropertyRepository
    let bills: BillRepository
    let documents: DocumentService
    let authorization: Authorization

    func createAgreement(_ input: Operations.CreateAgreement.Input) async throws -> Operations.CreateAgreement.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard body.accept else { throw APIError.invalid("Leia os termos do acordo e confirme que os aceita.") }
        let documento: String
        switch TaxID.parse(body.documento) {
        case .success(let id): documento = id.normalized
        case .failure(let p): throw APIError.invalid(p.message)
        }
        let kind = AgreementKind(rawValue: (body.kind ?? .comum).rawValue) ?? .comum
        let claim = IdempotencyClaim(
            grant.principal, operation: "agreement", key: input.headers.idempotencyKey,
            path: [grant.matricula], body: body)
        if let first = try await Idempotency.completed(claim, store: agreements.store, now: grant.now),
            let a = try await agreements.agreement(grant.matricula, id: first.id)
        {
            return .created(.init(headers: .init(idempotencyReplayed: "true"), body: .json(try await view(a))))
        }
        guard let property = try await properties.property(grant.matricula) else { throw APIError.notFound }
        guard property.titular.documento == documento else {
            throw APIError(
                status: .unprocessableContent, code: "not_responsible",
                message: "O CPF/CNPJ informado não é o do titular deste imóvel: o acordo é assinado pelo titular.")
        }
        let policy = property.categoria == .residencialSocial ? config.lowIncomeInstallments : config.installments
        let today = grant.today
        let negotiable = try await NegotiableDebt.of(
            try await bills.owed(grant.matricula), kind: kind, today: today, calendar: grant.calendar, repository: bills)
        let debt = negotiable.debt
        let downPayment = Money(cents: body.downPaymentCents)
        let plan: InstallmentPlan
        do {
            plan = try policy.plan(
                debt: debt, downPayment: downPayment, count: body.count,
                hasActiveAgreement: try await agreements.hasActive(grant.matricula, kind: kind))
        } catch let p as InstallmentPolicy.Problem {
            throw APIError(status: .unprocessableContent, code: "policy", message: p.description)
        }
        // The signer's own limits: a kiosk's, an attendant's; beyond, a supervisor (up to the policy).
        let channel = grant.staff == nil ? "kiosk" : grant.staff?.role == .atendente ? "counter" : "staff"
        if let s = config.agreements.signer(grant.staff?.role),
            let refusal = s.limits.refusal(count: body.count, downPayment: downPayment, debt: debt, who: s.who, ask: s.ask)
        {
            throw APIError(status: .unprocessableContent, code: "limit", message: refusal)
        }
        let dueDay = try await agreements.dueDay(grant.matricula)
        var schedule: [(seq: Int, due: CivilDate, amount: Money)] = []
        if downPayment > .zero { schedule.append((0, today.adding(days: config.utility.statementValidDays), downPayment)) }
        let dates = AgreementSchedule.dueDates(signedOn: today, count: plan.installments.count, day: dueDay)
        schedule += zip(dates, plan.installments).enumerated().map { ($0.offset + 1, $0.element.0, $0.element.1) }
        let factory = documents.factory
        let draft = AgreementRepository.Draft(
            kind: kind.rawValue, debt: debt, downPayment: downPayment, rateBasisPoints: policy.monthlyRateBasisPoints, signedOn: today,
            signerDocument: documento, channel: channel, staff: grant.staff?.usuario, bills: negotiable.lines,
            schedule: schedule
        ) { id, seq, amount, due in
            let (barcode, pix) = try factory.installmentCodes(agreement: id, seq: seq, amount: amount, due: due, kind: kind)
            return (barcode.digits, pix.payload)
        }
        let (id, replayed) = try await agreements.sign(grant.matricula, draft, claim: claim, now: grant.now)
        if !replayed { try await grant.record("assinar_acordo", detail: "acordo \(id), \(body.count)x") }
        guard let a = try await agreements.agreement(grant.matricula, id: id) else { throw StorageError.corrupt("agreement \(id)") }
        return .created(.init(headers: .init(idempotencyReplayed: replayed ? "true" : nil), body: .json(try await view(a))))
    }

    func listAgreements(_ input: Operations.ListAgreements.Input) async throws -> Operations.ListAgreements.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        var items: [S.Agreement] = []
        for a in try await agreements.agreements(grant.matricula) { items.append(try await view(a)) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getAgreement(_ input: Operations.GetAgreement.Input) async throws -> Operations.GetAgreement.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let a = try await agreements.agreement(grant.matricula, id: input.path.agreementId) else {
            throw APIError(status: .notFound, code: "agreement_not_found", message: "Acordo não encontrado.")
        }
        return .ok(.init(body: .json(try await view(a))))
    }

    /// The carnê: every open installment, or one (`seq`) again.
    func getCarne(_ input: Operations.GetCarne.Input) async throws -> Operations.GetCarne.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let (carne, a) = try await documents.carne(agreementId: input.path.agreementId, seq: input.query.seq, matricula: grant.matricula)
        let whole = input.query.seq == nil
        let pdf = try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(carne, termsPage: whole) }
        try await grant.record("carne_pdf", detail: "acordo \(a.id)\(whole ? "" : " parcela \(input.query.seq ?? 0)")")
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    /// The agreement as the API shows it: open installments with their payment codes, a late one
    /// also brought up to date.
    private func view(_ a: Agreement) async throws -> S.Agreement {
        var updated: [Int: (S.Charges, S.PaymentCode)] = [:]
        for (seq, u) in try await documents.updated(a) {
            updated[seq] = (
                BillViews.charges(u.charges, asOf: u.validUntil),
                BillViews.paymentCode(u.barcode, u.pix, due: u.validUntil, total: u.charges.total)
            )
        }
        return try view(a, updated: updated)
    }

    private func view(_ a: Agreement, updated: [Int: (S.Charges, S.PaymentCode)]) throws -> S.Agreement {
        S.Agreement(
            id: a.id, kind: .init(rawValue: a.kind) ?? .comum, status: .init(rawValue: a.status.rawValue) ?? .ativo,
            debtCents: a.debt.cents, downPaymentCents: a.downPayment.cents, count: a.count, monthlyRateBasisPoints: a.rateBasisPoints,
            signedOn: a.signedOn.iso, channel: .init(rawValue: a.channel) ?? .staff, endReason: a.endReason,
            bills: a.bills.map { .init(billId: $0.billId, competencia: $0.competencia.iso, amountCents: $0.amount.cents) },
            installments: try a.installments.map { i in
                var payment: S.PaymentCode?
                if i.paidOn == nil, a.status == .ativo {
                    guard let barcode = ArrecadacaoBarcode(reading: i.barcode) else {
                        throw StorageError.corrupt("agreement \(a.id) barcode")
                    }
                    payment = BillViews.paymentCode(barcode, try PixBRCode(storedPayload: i.pix), due: i.due, total: i.amount)
                }
                return .init(
                    seq: i.seq, dueOn: i.due.iso, amountCents: i.amount.cents, paidOn: i.paidOn?.iso, payment: payment,
                    updated: updated[i.seq]?.0, updatedPayment: updated[i.seq]?.1)
            })
    }
}
