import NIOConcurrencyHelpers

/// Live sessions this instance has read lately, so that a request does not read its session
/// from the database (a third of a PostgreSQL read's round trips, issue 15). Answers only while
/// the change feed is live; a session that ends anywhere (logout, revocation, expiry, a staff
/// account changed) is forgotten when its notification arrives, before the writer's client has
/// its answer back. An entry also expires after `maxAgeSeconds` whatever the feed says.
final class SessionCache: Sendable {
    struct Entry: Sendable {
        var principal: Principal
        var lastSeen: Int64
        var expiresAt: Int64
        var idleSeconds: Int64
        var cachedAt: Int64
        /// The terminal whose credential opened the session: only it may use the session.
        var terminal: String? = nil
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Logouts waiting to hear their own notification (`expectChange`).
        var expected: [String: [Expectation]] = [:]
        /// Moves on every change heard: an entry read from the database before a change and
        /// stored after it would bring back what the change removed.
        var generation: UInt64 = 0
    }
    private let state = NIOLockedValueBox(State())
    private let feed: ChangeFeed?
    let maxAgeSeconds: Int64
    let capacity: Int

    /// `feed` nil: never answers.
    init(feed: ChangeFeed?, maxAgeSeconds: Int64 = 300, capacity: Int = 100_000) {
        self.feed = feed
        self.maxAgeSeconds = maxAgeSeconds
        self.capacity = capacity
        feed?.subscribe { [state] payload in
            state.withLockedValue { s in
                s.generation &+= 1
                switch payload {
                case let p? where p.hasPrefix("s:"):
                    let hash = String(p.dropFirst(2))
                    s.entries[hash] = nil
                    for e in s.expected.removeValue(forKey: hash) ?? [] { e.heard() }
                case "correction_index"?: break
                default:
                    s.entries.removeAll()
                    if payload == nil {
                        for e in s.expected.values.joined() { e.heard() }
                        s.expected.removeAll()
                    }
                }
            }
        }
    }

    /// Called before a write that ends a session; `wait` after it returns once this instance
    /// has heard the change (so have the others: PostgreSQL signals every listener at commit),
    /// or after `limit`. The logout's answer leaves only then (DECISIONS 68).
    func expectChange(_ tokenHash: String) -> Expectation {
        let e = Expectation()
        guard let feed, feed.isLive else {
            e.heard()
            return e
        }
        state.withLockedValue { $0.expected[tokenHash, default: []].append(e) }
        return e
    }

    final class Expectation: Sendable {
        private struct Waiting {
            var done = false
            var continuation: CheckedContinuation<Void, Never>?
        }
        private let box = NIOLockedValueBox(Waiting())

        fileprivate func heard() {
            box.withLockedValue { w in
                w.done = true
                w.continuation?.resume()
                w.continuation = nil
            }
        }

        func wait(limit: Duration = .seconds(1)) async {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await withCheckedContinuation { c in
                        let resumeNow = self.box.withLockedValue { w in
                            if w.done { return true }
                            w.continuation = c
                            return false
                        }
                        if resumeNow { c.resume() }
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    self.heard()
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// The generation to hand back to `store` with what a database read returns.
    var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// The entry if the session is live at `now` by what this instance knows; nil sends the
    /// caller to the database (which may know of a later request on another instance).
    func live(_ tokenHash: String, now: Int64, touchSeconds: Int64) -> Entry? {
        guard let feed, feed.isLive else { return nil }
        return state.withLockedValue { s in
            guard let e = s.entries[tokenHash] else { return nil }
            guard now - e.cachedAt < maxAgeSeconds, e.expiresAt > now, e.lastSeen + e.idleSeconds + touchSeconds > now else {
                s.entries[tokenHash] = nil
                return nil
            }
            return e
        }
    }

    func store(_ tokenHash: String, _ entry: Entry, readAt generation: UInt64) {
        guard let feed, feed.isLive else { return }
        state.withLockedValue { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[tokenHash] = entry
        }
    }

    func touched(_ tokenHash: String, at now: Int64) {
        state.withLockedValue { $0.entries[tokenHash]?.lastSeen = now }
    }
}
