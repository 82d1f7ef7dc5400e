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
    /// Open connections past which the oldest waiting for a request are shed.
    let maxOpen: Int
    let logger: Logger
    static let logEverySeconds = 10.0

    private struct State {
        var open: [String: Int] = [:]
        var total = 0
        /// Connections waiting for a whole request, oldest first (entries whose connection has
        /// since received its request or closed are skipped when met: `waiting` says which).
        var queue: [(id: ObjectIdentifier, turn: Int)] = []
        var head = 0
        var waiting: [ObjectIdentifier: (channel: any Channel, turn: Int)] = [:]
        var turns = 0
        var refused = 0
        var timedOut = 0
        var shed = 0
        var lastLog: ContinuousClock.Instant?
    }
    private let state = NIOLockedValueBox(State())

    init(maxPerAddress: Int, trusted: [CIDR], readTimeoutSeconds: Int, maxOpen: Int = 1 << 30, logger: Logger) {
        self.maxPerAddress = maxPerAddress
        self.trusted = trusted
        self.readTimeout = .seconds(Int64(readTimeoutSeconds))
        self.maxOpen = maxOpen
        self.logger = logger
    }

    /// Four fifths of the process's descriptor limit: the rest is for the database, files and
    /// the connections that make room.
    static func defaultMaxOpen() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur > 0 else { return 4096 * 4 / 5 }
        return Int(min(limit.rlim_cur, 1 << 30)) * 4 / 5
    }

    /// A connection now waits for a whole request (just opened, or answered and kept alive).
    func waiting(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLockedValue { s in
            s.turns += 1
            s.waiting[id] = (channel, s.turns)
            s.queue.append((id, s.turns))
            Self.compact(&s)
        }
    }

    /// A connection received its request, or closed: it is not to be shed.
    func notWaiting(_ channel: any Channel) {
        _ = state.withLockedValue { s in s.waiting.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Past `maxOpen`, the oldest connection still waiting for a request: to close (counted).
    private static func toShed(_ s: inout State, maxOpen: Int) -> (any Channel)? {
        guard s.total > maxOpen else { return nil }
        while s.head < s.queue.count {
            let (id, turn) = s.queue[s.head]
            s.head += 1
            if let w = s.waiting[id], w.turn == turn {
                s.waiting[id] = nil
                s.shed += 1
                Telemetry.connectionsClosed("shed").increment()
                return w.channel
            }
        }
        return nil
    }

    /// Keeps the queue from growing without end (every keep-alive request adds an entry): when
    /// most of it is stale, it is rebuilt from the connections still waiting, oldest first.
    private static func compact(_ s: inout State) {
        guard s.queue.count - s.head > 2 * s.waiting.count + 1024 else { return }
        s.queue = s.waiting.map { ($0.key, $0.value.turn) }.sorted { $0.turn < $1.turn }
        s.head = 0
    }

    /// Counts a new connection from `address`; false (and nothing counted) when it is over the
    /// limit. A trusted proxy carries many clients and is not limited.
    /// Past `maxOpen` open connections, the oldest one still waiting for a request is closed to
    /// make room (a trusted proxy's included: the descriptors are the same).
    func open(_ address: String) -> Bool {
        let trustedPeer = trusted.contains(where: { $0.contains(address) })
        let (accepted, report, shed) = state.withLockedValue { s -> (Bool, (Int, Int, Int)?, (any Channel)?) in
            let n = s.open[address, default: 0]
            guard trustedPeer || n < maxPerAddress else {
                Telemetry.connectionsClosed("over_limit").increment()
                s.refused += 1
                return (false, Self.due(&s), nil)
            }
            if !trustedPeer { s.open[address] = n + 1 }
            s.total += 1
            let shed = Self.toShed(&s, maxOpen: maxOpen)
            Self.compact(&s)
            return (true, shed == nil ? nil : Self.due(&s), shed)
        }
        shed?.close(promise: nil)
        if let (refused, timedOut, shedCount) = report {
            log(refused: refused, timedOut: timedOut, shed: shedCount, address: address)
        }
        return accepted
    }

    func close(_ address: String) {
        let trustedPeer = trusted.contains(where: { $0.contains(address) })
        state.withLockedValue { s in
            s.total -= 1
            guard !trustedPeer else { return }
            let n = s.open[address, default: 1] - 1
            s.open[address] = n > 0 ? n : nil
        }
    }

    func timedOut(_ address: String) {
        Telemetry.connectionsClosed("no_request_in_time").increment()
        let report = state.withLockedValue { s -> (Int, Int, Int)? in
            s.timedOut += 1
            return Self.due(&s)
        }
        if let (refused, timedOut, shed) = report { log(refused: refused, timedOut: timedOut, shed: shed, address: address) }
    }

    /// The counts to log now, reset, if the last line is old enough.
    private static func due(_ s: inout State) -> (Int, Int, Int)? {
        let now = ContinuousClock.now
        if let last = s.lastLog, now - last < .seconds(logEverySeconds) { return nil }
        s.lastLog = now
        defer { (s.refused, s.timedOut, s.shed) = (0, 0, 0) }
        return (s.refused, s.timedOut, s.shed)
    }

    private func log(refused: Int, timedOut: Int, shed: Int, address: String) {
        logger.warning(
            "connections closed",
            metadata: [
                "over_limit": "\(refused)", "no_request_in_time": "\(timedOut)", "shed_waiting": "\(shed)", "last_client": "\(address)",
                "limit_per_address": "\(maxPerAddress)", "read_timeout_s": "\(readTimeout.nanoseconds / 1_000_000_000)",
                "max_open": "\(maxOpen)",
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
    private var channel: (any Channel)?

    init(registry: ConnectionRegistry) { self.registry = registry }

    func handlerAdded(context: ChannelHandlerContext) {
        let a = context.channel.remoteAddress?.ipAddress ?? "desconhecido"
        guard registry.open(a) else {
            context.close(promise: nil)
            return
        }
        address = a
        channel = context.channel
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
        if let c = channel { registry.notWaiting(c) }
        channel = nil
        if let a = address { registry.close(a) }
        address = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            deadline?.cancel()
            deadline = nil
            registry.notWaiting(context.channel)
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
        // A response written after the connection closed (the decoder answers a request cut by
        // the close) waits for nothing.
        guard address != nil, context.channel.isActive || !served else { return }
        registry.waiting(context.channel)
        let channel = context.channel
        let registry = registry
        let (address, first) = (address ?? "desconhecido", !served)
        deadline = context.eventLoop.scheduleTask(in: registry.readTimeout) {
            if first { registry.timedOut(address) }
            channel.close(promise: nil)
        }
    }
}
