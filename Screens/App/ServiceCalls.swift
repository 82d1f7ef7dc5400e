import API
import Foundation

/// The consumption, tariff, simulation and due-date calls (issue 4).
extension Calls {
    typealias ConsumptionHistory = Components.Schemas.ConsumptionHistory
    typealias ConsumptionMonth = Components.Schemas.ConsumptionMonth
    typealias TariffTable = Components.Schemas.TariffTable
    typealias BillSimulation = Components.Schemas.BillSimulation
    typealias InstallmentSimulation = Components.Schemas.InstallmentSimulation
    typealias DueDateInfo = Components.Schemas.DueDateInfo
    typealias DueDateChange = Components.Schemas.DueDateChange

    static func consumption(_ c: Client, _ m: String, months: Int) async -> Result<ConsumptionHistory, APIFailure> {
        await run {
            switch try await c.getConsumption(path: .init(matricula: m), query: .init(months: months)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func tariffs(_ c: Client) async -> Result<[TariffTable], APIFailure> {
        await run {
            switch try await c.listTariffs() {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func simulateBill(_ c: Client, categoria: String, economias: Int, consumo: Int, esgoto: Bool) async -> Result<
        BillSimulation, APIFailure
    > {
        await run {
            guard let categoria = Components.Schemas.BillSimulationRequest.CategoriaPayload(rawValue: categoria) else {
                return .failure(APIFailure(status: 0, code: "invalid_input", message: "Categoria desconhecida."))
            }
            switch try await c.simulateBill(
                body: .json(.init(categoria: categoria, economias: economias, consumptionM3: consumo, esgoto: esgoto)))
            {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func simulateInstallments(
        _ c: Client, _ m: String, documento: String, down: Int64, count: Int, kind: Components.Schemas.AgreementKind = .comum
    ) async -> Result<InstallmentSimulation, APIFailure> {
        await run {
            switch try await c.simulateInstallments(
                path: .init(matricula: m), body: .json(.init(documento: documento, downPaymentCents: down, count: count, kind: kind)))
            {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func dueDate(_ c: Client, _ m: String) async -> Result<DueDateInfo, APIFailure> {
        await run {
            switch try await c.getDueDate(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func changeDueDate(_ c: Client, _ m: String, day: Int, key: String) async -> Result<DueDateChange, APIFailure> {
        await run {
            switch try await c.changeDueDate(path: .init(matricula: m), headers: .init(idempotencyKey: key), body: .json(.init(day: day)))
            {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}
