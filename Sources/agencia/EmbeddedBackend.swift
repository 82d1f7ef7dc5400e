import Domain
import Foundation

/// The demo backend: a real `agencia-server` (the executable installed beside `agencia`) on a
/// random loopback port over a fresh SQLite file filled with the demo data, reached over HTTP
/// like any other backend. A child process, not code inside `agencia`: a kiosk talking to the
/// utility's server carries no server code (a third of the client's memory, issue 15).
final class EmbeddedBackend: @unchecked Sendable {
    let baseURL: URL
    private let process: Process
    /// The demo's temporary folder (database unless configured, settings, port, log), removed on stop.
    private let scratch: URL

    private init(baseURL: URL, process: Process, scratch: URL) {
        self.baseURL = baseURL
        self.process = process
        self.scratch = scratch
    }

    /// Starts it and waits until it listens (it seeds the demo data first).
    static func start(database: String?, idleSeconds: Int?, today: CivilDate? = nil) throws -> EmbeddedBackend {
        guard let server = executable() else {
            throw EmbeddedError.failed("agencia-server não encontrado junto a agencia nem no PATH")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-demo-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var settings: [String: Any] = [
            "logLevel": "error",
            // The sandbox card company decides by itself after 20 s (nothing is charged).
            "sandboxCardCompany": 20,
            // The demo shows an anonymous denúncia (a real utility decides this in its configuration).
            "ouvidoria": ["anonymousTypes": ["denuncia"]],
            // One person on one machine tries many properties in a row: the harvesting limit is
            // for a real backend's many clients.
            "maxLoginsPerAddress": 10_000,
            // The queues and "Meus protocolos" with a day's work in them (the tests' demo has none).
            "demoProtocols": true,
        ]
        if let idleSeconds { settings["kioskIdleSeconds"] = idleSeconds }
        let config = dir.appendingPathComponent("server.json")
        try JSONSerialization.data(withJSONObject: ["server": settings]).write(to: config)
        let portFile = dir.appendingPathComponent("port")
        let log = dir.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)

        let process = Process()
        process.executableURL = server
        process.arguments =
            [
                "serve", "--config", config.path, "--database", database ?? "sqlite:\(dir.appendingPathComponent("demo.sqlite").path)",
                "--host", "127.0.0.1", "--port", "0", "--port-file", portFile.path, "--seed", "demo", "--demo-hints",
                "--stop-with-parent",
            ] + (today.map { ["--demo-today", $0.iso] } ?? [])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()

        // Timeouts on the monotonic clock: no calendar time is read here.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text),
                let url = URL(string: "http://127.0.0.1:\(port)/v1")
            {
                return EmbeddedBackend(baseURL: url, process: process, scratch: dir)
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning { process.terminate() }
        let said = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").suffix(3).joined(separator: " / ") ?? ""
        try? FileManager.default.removeItem(at: dir)
        throw EmbeddedError.failed(said.isEmpty ? "tempo esgotado" : said)
    }

    /// `agencia-server` beside this executable (the build folder, the install folder), else
    /// on the PATH.
    private static func executable() -> URL? {
        let beside = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        return ([beside].compactMap { $0 } + path).map { $0.appendingPathComponent("agencia-server") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Stops the server gracefully (SIGTERM; it closes its database) and removes the demo's
    /// folder; at most a few seconds.
    func stop() {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: scratch)
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
