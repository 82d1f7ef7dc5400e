import Foundation

/// What the running server knows only once it listens (its port), shared with the handlers.
final class ServerRuntime: @unchecked Sendable {
    private let lock = NSLock()
    private var _port = 0
    private var _chores = 0
    /// Rounds of the shared chores this instance ran (it held the lease): for tests and the log.
    var chores: Int {
        get { lock.withLock { _chores } }
        set { lock.withLock { _chores = newValue } }
    }
    var port: Int {
        get { lock.withLock { _port } }
        set { lock.withLock { _port = newValue } }
    }
}
