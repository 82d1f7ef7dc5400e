import Foundation

/// What the running server knows only once it listens (its port), shared with the handlers.
final class ServerRuntime: @unchecked Sendable {
    private let lock = NSLock()
    private var _port = 0
    var port: Int {
        get { lock.withLock { _port } }
        set { lock.withLock { _port = newValue } }
    }
}
