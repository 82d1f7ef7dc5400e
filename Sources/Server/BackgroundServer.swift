import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// An `agencia-server` running inside another process (the embedded demo backend, tests):
/// started on a free loopback port, stopped with a graceful shutdown that lets in-flight
/// requests finish and then closes the database.
public final class BackgroundServer: @unchecked Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(port: Int, group: ServiceGroup, task: Task<Void, Never>) {
        self.port = port
        self.group = group
        self.task = task
    }

    public static func start(_ config: ServerConfiguration, clock: (@Sendable () -> Date)? = nil) async throws
        -> BackgroundServer
    {
        let ready = AsyncStream<Int>.makeStream()
        let server = try await buildApplication(
            config, clock: clock,
            onServerRunning: { port in
                ready.continuation.yield(port)
                ready.continuation.finish()
            })
        let group = ServiceGroup(
            configuration: .init(services: [server.application], gracefulShutdownSignals: [], logger: Logger(label: "agencia-server")))
        let task = Task {
            do { try await group.run() } catch {
                ready.continuation.finish()
            }
            await server.store.shutdown()
        }
        var iterator = ready.stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await task.value
            throw BackgroundServerError.didNotStart
        }
        return BackgroundServer(port: port, group: group, task: task)
    }

    /// Stops accepting, finishes what is in flight, closes the database.
    public func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}

public enum BackgroundServerError: Error, CustomStringConvertible {
    case didNotStart
    public var description: String { "o servidor não iniciou (veja o log)" }
}
