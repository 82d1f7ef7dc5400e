import API

/// The consumption history as a chart: 12, 18 or 24 months, average, real or estimated reading
/// (PRODUCT.md D1).
struct ConsumptionHandlers: Sendable {
    let consumption: ConsumptionRepository
    let authorization: Authorization

    /// Monthly consumption of the last 12, 18 or 24 billed months, real and estimated readings.
    func getConsumption(_ input: Operations.GetConsumption.Input) async throws -> Operations.GetConsumption.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let months = input.query.months ?? 12
        guard [12, 18, 24].contains(months) else { throw APIError.invalid("Escolha 12, 18 ou 24 meses de histórico.") }
        let rows = try await consumption.consumption(grant.matricula, months: months).reversed()
        let total = rows.reduce(0) { $0 + $1.m3 }
        let average = rows.isEmpty ? 0 : (Double(total) / Double(rows.count) * 10).rounded() / 10
        try await grant.record("consultar_consumo")
        return .ok(
            .init(
                body: .json(
                    .init(
                        months: months,
                        items: rows.map {
                            S.ConsumptionMonth(competencia: $0.competencia.iso, consumptionM3: $0.m3, estimated: $0.estimated)
                        },
                        averageM3: average))))
    }
}
