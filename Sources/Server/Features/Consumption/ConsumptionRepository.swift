import Domain
import SQLKit

/// One month of the consumption history.
struct ConsumptionMonth: Sendable {
    var competencia: Competencia
    var m3: Int
    var estimated: Bool
}

/// The consumption history (PRODUCT.md D1), read from the bills. Served by
/// `bills_matricula_competencia`.
struct ConsumptionRepository: Sendable {
    let store: any Store

    /// The last `months` billed months, newest first: once each — a month the utility
    /// rectified has its bill in force and the one it replaced (`baixada`), and shows the first.
    func consumption(_ matricula: String, months: Int) async throws -> [ConsumptionMonth] {
        try await store.read { db in
            var seen: Set<String> = []
            return try await db.raw(
                """
                SELECT competencia, consumo_m3, leitura_estimada FROM bills WHERE matricula = \(bind: matricula)
                ORDER BY competencia DESC, CASE WHEN situacao = 'baixada' THEN 1 ELSE 0 END LIMIT \(bind: months * 2)
                """
            ).all().filter { seen.insert((try? $0.decode(column: "competencia", as: String.self)) ?? "").inserted }.prefix(months).map { row in
                let comp = try row.decode(column: "competencia", as: String.self)
                guard let competencia = Competencia(iso: comp) else { throw StorageError.corrupt("bills.competencia \(comp)") }
                return try ConsumptionMonth(
                    competencia: competencia, m3: row.decode(column: "consumo_m3", as: Int.self),
                    estimated: row.decode(column: "leitura_estimada", as: Int.self) != 0)
            }
        }
    }
}
