import Domain
import Foundation

/// The server's one source of time. `buildApplication` receives a clock and everything below it
/// (handlers, background work, the demo generator) asks that clock; nothing else reads the wall
/// clock. Production runs on `system`; the demo and the tests pin the date.
public enum ServerClock {
    /// The system's clock.
    public static let system: @Sendable () -> Date = { Date() }

    /// A clock that starts at 09:00 of `day` in `timeZone` and then runs at the wall clock's
    /// pace, so sessions and retries still expire (`agencia-server --demo-today`).
    public static func pinned(to day: CivilDate, timeZone: String) -> @Sendable () -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: timeZone) ?? cal.timeZone
        let start = cal.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 9)) ?? Date()
        let origin = Date()
        return { start.addingTimeInterval(Date().timeIntervalSince(origin)) }
    }
}

/// The calendar date at the utility, whatever the server machine's zone.
enum LocalCalendar {
    /// `29/11/2026 14:05` at the utility.
    static func dateTime(_ instant: Date, timeZone: String) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: timeZone) ?? cal.timeZone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        let day = CivilDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)?.formatted ?? ""
        return "\(day) \(String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0))"
    }

    /// The local date and minute of the day of `instant` at the utility.
    static func local(_ instant: Date, timeZone: String) -> (date: CivilDate, minute: Int) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: timeZone) ?? cal.timeZone
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        let date = CivilDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1) ?? today(instant, timeZone: timeZone)
        return (date, (c.hour ?? 0) * 60 + (c.minute ?? 0))
    }

    /// The instant of a local date and minute at the utility.
    static func instant(_ date: CivilDate, minute: Int, timeZone: String) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: timeZone) ?? cal.timeZone
        let c = DateComponents(year: date.year, month: date.month, day: date.day, hour: minute / 60, minute: minute % 60)
        return cal.date(from: c) ?? Date(timeIntervalSince1970: TimeInterval(date.daysSinceEpoch * 86_400 + minute * 60))
    }

    static func today(_ instant: Date, timeZone: String) -> CivilDate {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: timeZone) ?? cal.timeZone
        let c = cal.dateComponents([.year, .month, .day], from: instant)
        return CivilDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
            ?? CivilDate(daysSinceEpoch: Int(instant.timeIntervalSince1970 / 86_400))
    }
}

/// The clock as handlers and jobs use it: the instant, epoch seconds, today at the utility, and
/// the utility's business days.
struct AppClock: Sendable {
    let now: @Sendable () -> Date
    let timeZone: String
    var calendar = BusinessCalendar.national

    var epochSeconds: Int64 { Int64(now().timeIntervalSince1970) }
    var today: CivilDate { LocalCalendar.today(now(), timeZone: timeZone) }
}
