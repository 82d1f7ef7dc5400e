import Foundation
import Server

/// The demo backend inside `agencia`: a real `agencia-server` on loopback (random port) over a
/// fresh SQLite file filled with the demo data, reached over HTTP like any other backend.
final class EmbeddedBackend: @unchecked Sendable {
    let baseURL: URL
    private let task: Task<Void, Error>

    private init(baseURL: URL, task: Task<Void, Error>) {
        self.baseURL = baseURL
        self.task = task
    }

    static func start(database: String?, idleSeconds: Int?) throws -> EmbeddedBackend {
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-demo-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        config.database = database ?? "sqlite:\(dir.appendingPathComponent("demo.sqlite").path)"
        config.seed = "demo"
        config.demoHints = true
        config.logLevel = "error"
        if let idleSeconds { config.kioskIdleSeconds = idleSeconds }
        let ready = DispatchSemaphore(value: 0)
        let port = PortBox()
        let failure = PortBox()
        let task = Task.detached {
            do {
                let server = try await buildApplication(config, onServerRunning: { p in
                    port.value = p
                    ready.signal()
                })
                try await server.application.runService(gracefulShutdownSignals: [])
            } catch {
                failure.message = String(describing: error)
                ready.signal()
                throw error
            }
        }
        if ready.wait(timeout: .now() + 60) == .timedOut { throw EmbeddedError.timeout }
        if let m = failure.message { throw EmbeddedError.failed(m) }
        guard let url = URL(string: "http://127.0.0.1:\(port.value)/v1") else { throw EmbeddedError.timeout }
        return EmbeddedBackend(baseURL: url, task: task)
    }

    func stop() { task.cancel() }
}

enum EmbeddedError: Error, CustomStringConvertible {
    case timeout
    case failed(String)
    var description: String {
        switch self {
        case .timeout: return "o servidor de demonstração não iniciou a tempo"
        case .failed(let m): return "o servidor de demonstração falhou: \(m)"
        }
    }
}

final class PortBox: @unchecked Sendable {
    var value = 0
    var message: String?
}
