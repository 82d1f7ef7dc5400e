import Domain
import Foundation
import Server

/// The demo backend inside `agencia`: a real `agencia-server` on loopback (random port) over a
/// fresh SQLite file filled with the demo data, reached over HTTP like any other backend.
final class EmbeddedBackend: @unchecked Sendable {
    let baseURL: URL
    private let server: BackgroundServer
    /// The temporary folder of the demo database, removed on stop (nil for a configured path).
    private let scratch: URL?

    private init(baseURL: URL, server: BackgroundServer, scratch: URL?) {
        self.baseURL = baseURL
        self.server = server
        self.scratch = scratch
    }

    /// Starts it and waits until it listens (the client runs on the main thread, outside Swift
    /// concurrency, hence the semaphore).
    static func start(database: String?, idleSeconds: Int?, today: CivilDate? = nil) throws -> EmbeddedBackend {
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-demo-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        config.database = database ?? "sqlite:\(dir.appendingPathComponent("demo.sqlite").path)"
        config.seed = "demo"
        config.demoHints = true
        // The sandbox card company decides by itself after 20 s (nothing is charged).
        config.sandboxCardCompany = 20
        config.logLevel = "error"
        // The demo shows an anonymous denúncia (a real utility decides this in its configuration).
        config.ouvidoria.anonymousTypes = ["denuncia"]
        if let idleSeconds { config.kioskIdleSeconds = idleSeconds }
        // One person on one machine tries many properties in a row: the harvesting limit is for
        // a real backend's many clients.
        config.maxLoginsPerAddress = 10_000
        config.demoToday = today
        let box = Box()
        let ready = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.server = try await BackgroundServer.start(config) } catch { box.error = error }
            ready.signal()
        }
        if ready.wait(timeout: .now() + 120) == .timedOut { throw EmbeddedError.failed("tempo esgotado") }
        guard let server = box.server, let url = URL(string: "http://127.0.0.1:\(server.port)/v1") else {
            throw EmbeddedError.failed(box.error.map { String(describing: $0) } ?? "desconhecido")
        }
        return EmbeddedBackend(baseURL: url, server: server, scratch: database == nil ? dir : nil)
    }

    /// Stops the server gracefully and closes its database (at most a few seconds).
    func stop() {
        let done = DispatchSemaphore(value: 0)
        let server = server
        Task.detached {
            await server.stop()
            done.signal()
        }
        _ = done.wait(timeout: .now() + 5)
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private final class Box: @unchecked Sendable {
        var server: BackgroundServer?
        var error: (any Error)?
    }
}

enum EmbeddedError: Error, CustomStringConvertible {
    case failed(String)
    var description: String {
        switch self {
        case .failed(let m): return "o servidor de demonstração não iniciou: \(m)"
        }
    }
}
