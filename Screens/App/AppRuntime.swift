import API
import Foundation
import HTTPTypes
import OpenAPIRuntime
import TUI

/// Performs the model's effects: calls run as detached tasks (never on the UI thread) and their
/// results come back through an inbox the event loop drains. It counts the calls in flight, so
/// tests and end-to-end scripts wait for "idle" instead of sleeping (lazygit).
public final class AppRuntime {
    public let model: AppModel
    private let client: Client
    private let inbox = Inbox()
    /// Calls in flight per screen, removed as their results are delivered.
    private var tasks: [ObjectIdentifier: [UUID: Task<Void, Never>]] = [:]
    public private(set) var pending = 0
    /// `follow` calls in flight: not counted in `pending`.
    private var background: Set<UUID> = []
    /// Task handles still held (each is dropped when its result is delivered).
    var trackedCalls: Int { tasks.values.reduce(0) { $0 + $1.count } }
    public private(set) var quitRequested = false

    public init(model: AppModel, client: Client) {
        self.model = model
        self.client = client
    }

    /// Feeds one event to the app and performs what it asks.
    public func send(_ event: Event) {
        let screen = model.top
        perform(model.handle(event), from: screen)
    }

    /// Starts the first screen's work (loading the policy, …).
    public func start() {
        perform(model.top.appear(app: model.state), from: model.top)
    }

    func perform(_ effects: [Effect], from screen: any Screen) {
        for effect in effects {
            switch effect {
            case .call(let operation):
                pending += 1
                start(operation, from: screen)
            case .follow(let seconds, let operation):
                let id = start(
                    { client in
                        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                        return await operation(client)
                    }, from: screen)
                background.insert(id)
            case .push(let s):
                model.apply(effect)
                perform(s.appear(app: model.state), from: s)
            case .reset(let s):
                cancelAll()
                model.apply(effect)
                perform(s.appear(app: model.state), from: s)
            case .pop:
                tasks.removeValue(forKey: ObjectIdentifier(model.top))?.values.forEach { $0.cancel() }
                let closing = model.top
                model.apply(effect)
                if model.top !== closing { perform(model.top.reappear(app: model.state), from: model.top) }
            case .setSession(let token, let who):
                model.state.token.token = token
                model.state.session = who
            case .logout(let message):
                logout(message: message)
            case .cancelCalls:
                tasks[ObjectIdentifier(model.top)]?.values.forEach { $0.cancel() }
            case .quit:
                quitRequested = true
            }
        }
    }

    @discardableResult
    private func start(_ operation: @escaping @Sendable (Client) async -> Any, from screen: any Screen) -> UUID {
        let box = WeakScreen(screen)
        let client = client
        let inbox = inbox
        let id = UUID()
        let task = Task.detached {
            let result = await operation(client)
            inbox.post(box, id, result)
        }
        tasks[ObjectIdentifier(screen), default: [:]][id] = task
        return id
    }

    /// Ends the session on the server (best effort: it also expires by itself) and wipes the
    /// client's state.
    private func logout(message: String?) {
        if let token = model.state.token.token {
            let client = client
            Task.detached {
                _ = try? await TokenBox.$override.withValue(token) { try await client.logout() }
            }
        }
        cancelAll()
        model.resetToLogin(message: message)
        let login = model.top
        perform(login.appear(app: model.state), from: login)
    }

    /// Ends the server session and waits for the answer (at most `timeout` seconds): used when
    /// the process is about to exit.
    public func endSessionNow(timeout: Double) {
        guard let token = model.state.token.token else { return }
        let client = client
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            _ = try? await TokenBox.$override.withValue(token) { try await client.logout() }
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
        cancelAll()
        model.resetToLogin(message: nil)
    }

    private func cancelAll() {
        for list in tasks.values { list.values.forEach { $0.cancel() } }
        tasks = [:]
    }

    /// Delivers finished calls to their screens (if still open). Returns whether anything came.
    @discardableResult
    public func drain() -> Bool {
        let done = inbox.take()
        for (box, id, message) in done {
            if background.remove(id) == nil { pending -= 1 }
            // The header's counters belong to the app, whichever screen was on top.
            if let alert = message as? OuvidoriaAlert {
                if case .success(let summary) = alert.result { model.state.ouvidoria = summary }
                continue
            }
            if let kept = message as? SessionKeepAlive {
                if let f = kept.failure, f.code == "session_expired" { logout(message: f.message) }
                continue
            }
            guard let screen = box.screen else { continue }
            tasks[ObjectIdentifier(screen)]?[id] = nil
            guard model.stack.contains(where: { $0 === screen }) else { continue }
            if let f = (message as? CallResultMessage)?.failure, f.code == "session_expired" {
                logout(message: f.message)
                continue
            }
            perform(screen.receive(message, app: model.state), from: screen)
        }
        return !done.isEmpty
    }

    /// Waits until no call is in flight (tests; the end-to-end driver reads the screen instead).
    public func settle(timeout: Double = 10) async {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while pending > 0 && ContinuousClock.now < deadline {
            if !drain() { try? await Task.sleep(nanoseconds: 1_000_000) }
        }
        drain()
    }
}

final class WeakScreen: @unchecked Sendable {
    weak var screen: (any Screen)?
    init(_ s: any Screen) { screen = s }
}

final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(WeakScreen, UUID, Any)] = []

    func post(_ s: WeakScreen, _ id: UUID, _ m: Any) {
        lock.lock()
        items.append((s, id, m))
        lock.unlock()
    }

    func take() -> [(WeakScreen, UUID, Any)] {
        lock.lock()
        defer { lock.unlock() }
        let i = items
        items = []
        return i
    }
}

extension TokenBox {
    /// A token for one task (logout after the box was cleared).
    @TaskLocal public static var override: String?
}

/// Adds `Authorization: Bearer` to every request that has a session.
public struct BearerMiddleware: ClientMiddleware {
    let box: TokenBox

    public init(box: TokenBox) { self.box = box }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if let t = TokenBox.override ?? box.token { request.headerFields[.authorization] = "Bearer \(t)" }
        return try await next(request, body, baseURL)
    }
}

/// Presents the terminal's credential (`terminalId:terminalSecret` of its configuration) on
/// every request: the server then counts limits and audits per terminal (DECISIONS 62).
public struct TerminalCredentialMiddleware: ClientMiddleware {
    let credential: String

    public init(id: String, secret: String) { credential = "\(id):\(secret)" }

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[HTTPField.Name("Agencia-Terminal")!] = credential
        return try await next(request, body, baseURL)
    }
}

extension ClientError: ClientErrorDescribing {
    public var underlying: any Error { underlyingError }
}
