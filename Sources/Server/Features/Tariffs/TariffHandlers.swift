import API
import Domain
import Foundation

/// The tariff tables in force and the bill simulation, both public (PRODUCT.md D2, D3).
struct TariffHandlers: Sendable {
    let tariffs: TariffRepository
    let clock: AppClock

    /// The tariff tables in force, one per category (public).
    func listTariffs(_ input: Operations.ListTariffs.Input) async throws -> Operations.ListTariffs.Output {
        let today = clock.today
        let tables = try await tariffs.tariffs(inForceOn: today)
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

    /// A bill simulated with the table in force (public; reveals nothing private).
    func simulateBill(_ input: Operations.SimulateBill.Input) async throws -> Operations.SimulateBill.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let categoria = Categoria(rawValue: body.categoria.rawValue) else {
            throw APIError.invalid("Categoria desconhecida: escolha residencial social, residencial, comercial, industrial ou pública.")
        }
        // Signs and sizes: the contract (openapi.yaml) refuses them before this runs.
        guard let stored = try await tariffs.tariffs(inForceOn: clock.today, categoria: categoria).first else {
            throw APIError(
                status: .unprocessableContent, code: "no_tariff", message: "Não há tabela de tarifas em vigor para esta categoria.")
        }
        let sim: TariffTable.Simulation
        do {
            sim = try stored.table.simulate(consumptionM3: body.consumptionM3, economias: body.economias, sewage: body.esgoto)
        } catch let p as TariffTable.Problem {
            throw APIError.invalid(p.description)
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        categoria: categoria.rawValue, validFrom: stored.table.validFrom.iso, consumptionM3: body.consumptionM3,
                        economias: body.economias,
                        lines: sim.lines.map {
                            S.SimulationLine(
                                description: $0.description, volumeM3: $0.volumeM3.map { NSDecimalNumber(decimal: $0).stringValue },
                                amountCents: $0.amount.cents)
                        }, waterCents: sim.water.cents, sewageCents: sim.sewage.cents,
                        sewagePercent: body.esgoto ? stored.table.sewagePercent : nil, totalCents: sim.total.cents))))
    }
}
