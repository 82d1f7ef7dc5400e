import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// Connections per client address, shared by every connection's guard; refusals and timeouts
/// are logged at most once per `logEverySeconds` with how many there were (an attack must not
/// also flood the log).
final class ConnectionRegistry: Sendable {
    let maxPerAddress: Int
    let trusted: [CIDR]
    let readTimeout: TimeAmount
    let logger: Logger
    static let logEverySeconds = 10.0

    private struct State {
        var open: [String: Int] = [:]
        var refused = 0
        var timedOut = 0
        var lastLog: ContinuousClock.Instant?
    }
    private let state = NIOLockedValueBox(State())

    init(maxPerAddress: Int, trusted: [CIDR], readTimeoutSeconds: Int, logger: Logger) {
        self.maxPerAddress = maxPerAddress
        self.trusted = trusted
        self.readTimeout = .seconds(Int64(readTimeoutSeconds))
        self.logger = logger
    }

    /// Counts a new connection from `address`; false (and nothing counted) when it is over the
    /// limit. A trusted proxy carries many clients and is not limited.
    func open(_ address: String) -> Bool {
        if trusted.contains(where: { $0.contains(address) }) { return true }
        let (accepted, report) = state.withLockedValue { s -> (Bool, (Int, Int)?) in
            let n = s.open[address, default: 0]
            guard n < maxPerAddress else {
                Telemetry.connectionsClosed("over_limit").increment()
                s.refused += 1
                return (false, Self.due(&s))
            }
            s.open[address] = n + 1
            return (true, nil)
        }
        if let (refused, timedOut) = report { log(refused: refused, timedOut: timedOut, address: address) }
        return accepted
    }

    func close(_ address: String) {
        if trusted.contains(where: { $0.contains(address) }) { return }
        state.withLockedValue { s in
            let n = s.open[address, default: 1] - 1
            s.open[address] = n > 0 ? n : nil
        }
    }

    func timedOut(_ address: String) {
        Telemetry.connectionsClosed("no_request_in_time").increment()
        let report = state.withLockedValue { s -> (Int, Int)? in
            s.timedOut += 1
            return Self.due(&s)
        }
        if let (refused, timedOut) = report { log(refused: refused, timedOut: timedOut, address: address) }
    }

    /// The counts to log now, reset, if the last line is old enough.
    private static func due(_ s: inout State) -> (Int, Int)? {
        let now = ContinuousClock.now
        if let last = s.lastLog, now - last < .seconds(logEverySeconds) { return nil }
        s.lastLog = now
        defer { (s.refused, s.timedOut) = (0, 0) }
        return (s.refused, s.timedOut)
    }

    private func log(refused: Int, timedOut: Int, address: String) {
        logger.warning(
            "connections closed",
            metadata: [
                "over_limit": "\(refused)", "no_request_in_time": "\(timedOut)", "last_client": "\(address)",
                "limit_per_address": "\(maxPerAddress)", "read_timeout_s": "\(readTimeout.nanoseconds / 1_000_000_000)",
            ])
    }
}

/// One per connection, after HTTP decoding (DECISIONS 62): refuses a connection over its
/// address's limit, and closes one that has not delivered a whole request (headers and body)
/// within the read timeout of opening or of its previous response. A connection that had no
/// request yet is counted in the log; one idle after a response is a normal keep-alive end.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private var address: String?
    private var deadline: Scheduled<Void>?
    private var served = false

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        let a = context.channel.remoteAddress?.ipAddress ?? "desconhecido"
        guard registry.open(a) else {
            context.close(promise: nil)
            return
        }
        address = a
        arm(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    private func release() {
        deadline?.cancel()
        deadline = nil
        if let a = address { registry.close(a) }
        address = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            served = true
            arm(context)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        let registry = registry
        let (address, first) = (address ?? "desconhecido", !served)
        deadline = context.eventLoop.scheduleTask(in: registry.readTimeout) {
            if first { registry.timedOut(address) }
            channel.close(promise: nil)
        }
    }
}
