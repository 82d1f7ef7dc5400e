import Domain
import Foundation

/// The calendar date at the utility, whatever the server machine's zone.
enum LocalCalendar {
    static func today(_ instant: Date, timeZone: String) -> CivilDate {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: timeZone) ?? cal.timeZone
        let c = cal.dateComponents([.year, .month, .day], from: instant)
        return CivilDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
            ?? CivilDate(daysSinceEpoch: Int(instant.timeIntervalSince1970 / 86_400))
    }
}
