import API
import Logging

/// Liveness for load balancers and monitors: answers 200 only when the database answers a
/// cheap query (the schema version) within a second, 503 otherwise.
struct HealthHandlers: Sendable {
    let store: any Store
    let logger: Logger

    static let timeout: Duration = .seconds(1)

    struct Timeout: Error {}

    /// Liveness and database reachability.
    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [store] in
                    _ = try await store.read { db in try await db.raw("SELECT MAX(version) AS v FROM schema_migrations").first() }
                }
                group.addTask {
                    try await Task.sleep(for: Self.timeout)
                    throw Timeout()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            logger.error("health: database unavailable", metadata: ["error": "\(error)"])
            throw APIError.unavailable("database_unavailable", "Banco de dados indisponível.")
        }
        return .ok(.init(body: .json(.init(status: .ok, database: store.engine.rawValue, version: AgenciaVersion.current))))
    }
}
