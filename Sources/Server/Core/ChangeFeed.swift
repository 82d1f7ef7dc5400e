import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// What changed among the rows this instance keeps in memory. On PostgreSQL, triggers on
/// `sessions`, `staff` and `correction_index` notify the channel `agencia_changes` in the
/// writing transaction (migration 18), delivered to every instance at commit, whoever wrote
/// (another instance, `agencia-server staff`, SQL by hand). On SQLite the same triggers,
/// temporary, on the one writer connection announce this process's writes after commit, and a
/// poll of `data_version` notices another process's (`SQLiteStore.watchChanges`, DECISIONS 71).
///
/// A cache may answer from memory only while the feed is live: from the moment LISTEN is
/// confirmed until its connection is lost, when everything is forgotten and read from the
/// database again until LISTEN is confirmed anew. The feed is not live from the moment its
/// connection is closed, whether or not the notification stream has ended yet: PostgresNIO once
/// left a query unanswered on a connection PostgreSQL had closed (DECISIONS 74), and a stream
/// left open that way would keep a logged-out session in memory.
final class ChangeFeed: Sendable {
    static let channel = "agencia_changes"

    /// A notification's payload: `s:<token hash>` (a session changed or ended), `staff` (a
    /// staff account changed: every staff session may be affected), `correction_index`.
    typealias Payload = String

    private struct State {
        var live = false
        /// While live on a connection: whether that connection is closed.
        var connectionClosed: (@Sendable () -> Bool)?
        var subscribers: [@Sendable (Payload?) -> Void] = []
    }
    private let state = NIOLockedValueBox(State())

    var isLive: Bool {
        let (live, closed) = state.withLockedValue { ($0.live, $0.connectionClosed) }
        return live && !(closed?() ?? false)
    }

    /// `onChange` gets each payload, and nil when everything must be forgotten (the feed went
    /// live or was lost).
    func subscribe(_ onChange: @escaping @Sendable (Payload?) -> Void) {
        state.withLockedValue { $0.subscribers.append(onChange) }
    }

    func deliver(_ payload: Payload) {
        for s in state.withLockedValue({ $0.subscribers }) { s(payload) }
    }

    /// `connectionClosed`: the connection the feed listens on, when it has one (PostgreSQL).
    func setLive(_ live: Bool, connectionClosed: (@Sendable () -> Bool)? = nil) {
        let subscribers = state.withLockedValue { s in
            s.live = live
            s.connectionClosed = live ? connectionClosed : nil
            return s.subscribers
        }
        for s in subscribers { s(nil) }
    }
}

/// Keeps one pooled PostgreSQL connection listening to `ChangeFeed.channel` for the
/// application's lifetime, reconnecting every second after a loss.
struct ChangeFeedService: Service {
    let client: PostgresClient
    let feed: ChangeFeed
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { conn in
                        try await conn.listen(on: ChangeFeed.channel) { notifications in
                            feed.setLive(true, connectionClosed: { conn.isClosed })
                            for try await n in notifications { feed.deliver(n.payload) }
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("change feed lost; caches bypassed until it is back", metadata: ["error": "\(error)"])
                    }
                }
                feed.setLive(false)
                try await Task.sleep(for: .seconds(1))
            }
        }
        feed.setLive(false)
    }
}

/// One value read from the database and kept while the change feed is live, forgotten when
/// the feed announces `payload` (or goes down). Without a feed every call reads.
final class FeedCachedValue<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var generation: UInt64 = 0
    }
    private let state = NIOLockedValueBox(State())
    private let feed: ChangeFeed?

    init(feed: ChangeFeed?, payload: ChangeFeed.Payload) {
        self.feed = feed
        feed?.subscribe { [state] p in
            guard p == nil || p == payload else { return }
            state.withLockedValue { s in
                s.value = nil
                s.generation &+= 1
            }
        }
    }

    func value(load: () async throws -> Value) async throws -> Value {
        guard let feed, feed.isLive else { return try await load() }
        let (cached, generation) = state.withLockedValue { ($0.value, $0.generation) }
        if let cached { return cached }
        let loaded = try await load()
        state.withLockedValue { s in
            if s.generation == generation { s.value = loaded }
        }
        return loaded
    }
}
