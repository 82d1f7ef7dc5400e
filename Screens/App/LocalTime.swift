import Foundation

/// Dates and times as the utility reads them (issue 28.7): in its zone, which the server states
/// in its login policy, whatever zone the terminal's host runs in (SSH servers usually run in
/// UTC). Every date a screen shows or reads from a form goes through these formatters.
public enum LocalTime {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var zone = TimeZone(identifier: "America/Sao_Paulo")!
    nonisolated(unsafe) private static var formatters: [String: DateFormatter] = [:]

    /// The utility's zone, as the server said (an unknown name is ignored).
    public static func use(zoneNamed name: String) {
        guard let z = TimeZone(identifier: name) else { return }
        lock.lock()
        defer { lock.unlock() }
        if z != zone {
            zone = z
            formatters = [:]
        }
    }

    public static var timeZone: TimeZone {
        lock.lock()
        defer { lock.unlock() }
        return zone
    }

    /// A Brazilian formatter for `pattern` at the utility's zone.
    public static func formatter(_ pattern: String) -> DateFormatter {
        lock.lock()
        defer { lock.unlock() }
        if let f = formatters[pattern] { return f }
        let f = DateFormatter()
        f.locale = Locale(identifier: "pt_BR")
        f.timeZone = zone
        f.dateFormat = pattern
        formatters[pattern] = f
        return f
    }
}
