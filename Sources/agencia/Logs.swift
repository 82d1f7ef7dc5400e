import Foundation
import Logging

/// Curses owns the terminal: logs go to a file when one is configured (standard error is
/// redirected to it), nowhere otherwise.
enum Logs {
    static func bootstrap(file: String?) {
        guard let file else {
            LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
            return
        }
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0o640)
        if fd >= 0 {
            dup2(fd, STDERR_FILENO)
            close(fd)
        }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
    }
}
