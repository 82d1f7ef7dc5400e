import API
import Domain
import Foundation

/// Consumption history, tariffs, bill and installment simulations, due-date change (issue 4).
extension Handlers {
    static let simulationNotice = "Simulação — não vale como contrato."

    // MARK: Consumption

    func getConsumption(_ input: Operations.GetConsumption.Input) async throws -> Operations.GetConsumption.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        let months = input.query.months ?? 12
        guard [12, 18, 24].contains(months) else { throw APIError.invalid("Escolha 12, 18 ou 24 meses de histórico.") }
        let rows = try await repository.consumption(matricula, months: months).reversed()
        let total = rows.reduce(0) { $0 + $1.m3 }
        let average = rows.isEmpty ? 0 : (Double(total) / Double(rows.count) * 10).rounded() / 10
        try await auditStaff(principal, "consultar_consumo", matricula)
        return .ok(
            .init(
                body: .json(
                    .init(
                        months: months,
                        items: rows.map { S.ConsumptionMonth(competencia: $0.competencia, consumoM3: $0.m3, estimada: $0.estimated) },
                        averageM3: average))))
    }

    // MARK: Tariffs and bill simulation

    func listTariffs(_ input: Operations.ListTariffs.Input) async throws -> Operations.ListTariffs.Output {
        let today = self.today
        let tables = try await repository.tariffs(inForceOn: today)
        return .ok(.init(body: .json(.init(items: tables.map(tariff), asOf: today.iso))))
    }

    func tariff(_ t: StoredTariff) -> S.TariffTable {
        var from = t.table.minimumM3 + 1
        let bands = t.table.bands.map { b -> S.TariffBand in
            defer { from = (b.upToM3 ?? from) + 1 }
            return S.TariffBand(
                fromM3: from, toM3: b.upToM3, pricePerM3: NSDecimalNumber(decimal: b.pricePerM3).stringValue,
                discountPercent: b.discountPercent)
        }
        return S.TariffTable(
            categoria: .init(rawValue: t.table.categoria.rawValue) ?? .residencial, validFrom: t.table.validFrom.iso,
            minimumM3: t.table.minimumM3, minimumCents: t.table.minimumCents, minimumDiscountPercent: t.table.minimumDiscountPercent,
            bands: bands, sewagePercent: t.table.sewagePercent, source: t.source)
    }

    func simulateBill(_ input: Operations.SimulateBill.Input) async throws -> Operations.SimulateBill.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let categoria = Categoria(rawValue: body.categoria) else {
            throw APIError.invalid("Categoria desconhecida: escolha residencial social, residencial, comercial, industrial ou pública.")
        }
        guard body.consumoM3 >= 0 else { throw APIError.invalid(TariffTable.Problem.negativeConsumption.description) }
        guard body.economias >= 1 else { throw APIError.invalid(TariffTable.Problem.noEconomias.description) }
        guard body.economias <= 9999, body.consumoM3 <= 10_000_000 else {
            throw APIError.invalid("Valores grandes demais para uma simulação.")
        }
        guard let stored = try await repository.tariffs(inForceOn: today, categoria: categoria).first else {
            throw APIError(
                status: .unprocessableContent, code: "no_tariff", message: "Não há tabela de tarifas em vigor para esta categoria.")
        }
        let sim: TariffTable.Simulation
        do {
            sim = try stored.table.simulate(consumptionM3: body.consumoM3, economias: body.economias, sewage: body.esgoto)
        } catch let p as TariffTable.Problem {
            throw APIError.invalid(p.description)
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        categoria: categoria.rawValue, validFrom: stored.table.validFrom.iso, consumoM3: body.consumoM3,
                        economias: body.economias,
                        lines: sim.lines.map {
                            S.SimulationLine(
                                description: $0.description, volumeM3: $0.volumeM3.map { NSDecimalNumber(decimal: $0).stringValue },
                                amountCents: $0.amount.cents)
                        }, waterCents: sim.water.cents, sewageCents: sim.sewage.cents,
                        sewagePercent: body.esgoto ? stored.table.sewagePercent : nil, totalCents: sim.total.cents))))
    }

    // MARK: Installments

    func simulateInstallments(_ input: Operations.SimulateInstallments.Input) async throws -> Operations.SimulateInstallments.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let documento: String
        switch TaxID.parse(body.documento) {
        case .success(let id): documento = id.normalized
        case .failure(let p): throw APIError.invalid(p.message)
        }
        guard let property = try await repository.property(matricula) else { throw APIError.notFound }
        guard property.titular.documento == documento else {
            throw APIError(
                status: .unprocessableContent, code: "not_responsible",
                message: "O CPF/CNPJ informado não é o do responsável por este imóvel: a simulação é feita pelo titular.")
        }
        let policy = property.categoria == Categoria.residencialSocial.rawValue ? config.lowIncomeInstallments : config.installments
        let today = self.today
        let bills = try await repository.bills(matricula)
        let overdue = bills.filter { $0.situacao == "aberta" && $0.due < today }.sorted { $0.competencia < $1.competencia }
        let index = overdue.isEmpty ? [:] : try await repository.correctionIndex()
        let debt = overdue.reduce(Money.zero) { $0 + DocumentFactory.charges($1, asOf: today, index: index).total }
        let plan: InstallmentPlan
        do {
            plan = try policy.plan(
                debt: debt, downPayment: Money(cents: body.downPaymentCents), count: body.count,
                hasActiveAgreement: bills.contains { $0.situacao == "parcelada" })
        } catch let p as InstallmentPolicy.Problem {
            throw APIError(status: .unprocessableContent, code: "policy", message: p.description)
        }
        try await auditStaff(principal, "simular_parcelamento", matricula, detail: "\(body.count)x")
        return .ok(
            .init(
                body: .json(
                    .init(
                        notice: Self.simulationNotice, bills: overdue.map { bill($0, today: today, index: index) }, debtCents: debt.cents,
                        downPaymentCents: plan.downPayment.cents, minDownPaymentCents: policy.minimumDownPayment(debt).cents,
                        financedCents: plan.financed.cents, count: plan.installments.count, maxCount: policy.maxCount,
                        monthlyRateBasisPoints: policy.monthlyRateBasisPoints, installments: plan.installments.map(\.cents),
                        totalCents: plan.totalPaid.cents, asOf: today.iso))))
    }

    // MARK: Due date

    func getDueDate(_ input: Operations.GetDueDate.Input) async throws -> Operations.GetDueDate.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        let d = try await repository.dueDate(matricula)
        let policy = config.dueDates
        var reason: String?
        var allowed: CivilDate?
        if let last = d.last, case let from = policy.nextChangeAllowed(after: last.changedOn), today < from {
            allowed = from
            reason = DueDatePolicy.Problem.tooSoon(lastChange: last.changedOn, allowedFrom: from).description
        }
        let blocked = reason != nil
        return .ok(
            .init(
                body: .json(
                    .init(
                        currentDay: d.day, options: policy.days.sorted(), minIntervalMonths: policy.minIntervalMonths,
                        lastChange: d.last.map { dueDateChange($0, principal) }, nextChangeAllowedFrom: allowed?.iso,
                        canChange: !blocked, reason: reason, nextBillCompetencia: (d.next ?? currentCompetencia).iso))))
    }

    func changeDueDate(_ input: Operations.ChangeDueDate.Input) async throws -> Operations.ChangeDueDate.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let policy = config.dueDates
        let today = self.today
        let claim = idempotencyClaim(
            principal, operation: "due_date", key: input.headers.idempotencyKey, request: "\(matricula)|\(body.day)")
        let staff: String? = if case .staff(let u, _) = principal { u } else { nil }
        let result: (change: DueDateChangeRecord, next: Competencia?, replayed: Bool)
        do {
            result = try await repository.changeDueDay(
                matricula, to: body.day, claim: claim, channel: staff == nil ? "autoatendimento" : "balcao", staff: staff, today: today,
                now: now
            ) { current, last in
                try policy.check(current: current, requested: body.day, lastChange: last?.changedOn, today: today)
            }
        } catch let p as DueDatePolicy.Problem {
            if case .tooSoon = p { throw APIError.conflict(p.description) }
            throw APIError(status: .unprocessableContent, code: "invalid_day", message: p.description)
        }
        if !result.replayed {
            try await auditStaff(principal, "alterar_vencimento", matricula, detail: "\(result.change.fromDay)→\(result.change.toDay)")
        }
        let next = result.next ?? currentCompetencia
        return .ok(
            .init(
                headers: .init(idempotencyReplayed: result.replayed ? "true" : nil),
                body: .json(
                    .init(
                        day: result.change.toDay, previousDay: result.change.fromDay, competencia: next.iso,
                        firstDueDate: DueDatePolicy.firstDueDate(nextCompetencia: next, day: result.change.toDay).iso,
                        changedOn: result.change.changedOn.iso))))
    }

    var currentCompetencia: Competencia { Competencia(year: today.year, month: today.month)! }

    func dueDateChange(_ c: DueDateChangeRecord, _ p: Principal) -> S.DueDateChangeRecord {
        let staffView: Bool = if case .staff = p { true } else { false }
        return S.DueDateChangeRecord(
            changedOn: c.changedOn.iso, fromDay: c.fromDay, toDay: c.toDay, channel: c.channel, staff: staffView ? c.staff : nil)
    }
}
