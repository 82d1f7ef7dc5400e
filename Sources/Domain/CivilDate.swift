/// A calendar date without time or zone (due dates, payment dates): `dd/mm/aaaa` on screen,
/// `aaaa-mm-dd` (ISO 8601) in the API and the database.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CivilDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `2026-11-23`.
    public init?(iso: String) {
        guard let f = iso.utf8.dashedNumbers([4, 2, 2]) else { return nil }
        self.init(year: f[0], month: f[1], day: f[2])
    }

    /// The date `days` days from the civil epoch 1970-01-01 (proleptic Gregorian).
    public init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = d
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// Calendar days from this date to `other`: 0 on the same day, negative when `other` is before.
    public func days(until other: CivilDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
    public var weekday: Int { ((daysSinceEpoch + 4) % 7 + 7) % 7 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    private static func pad(_ v: Int, _ n: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }

    /// `2026-11-23`.
    public var iso: String { "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))" }
    /// `23/11/2026`.
    public var formatted: String { "\(Self.pad(day, 2))/\(Self.pad(month, 2))/\(Self.pad(year, 4))" }
    /// `23/11`.
    public var dayMonth: String { String(formatted.prefix(5)) }
    public var description: String { formatted }
}

/// A reference month ("competência") of a bill: `11/2026` on screen, `2026-11` in the API.
public struct Competencia: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `2026-11`.
    public init?(iso: String) {
        guard let f = iso.utf8.dashedNumbers([4, 2]) else { return nil }
        self.init(year: f[0], month: f[1])
    }

    /// The month `n` months later (earlier when negative).
    public func adding(months n: Int) -> Competencia {
        let index = year * 12 + (month - 1) + n
        return Competencia(unchecked: index / 12, index % 12 + 1)
    }

    private init(unchecked year: Int, _ month: Int) {
        self.year = year
        self.month = month
    }

    public static func < (a: Competencia, b: Competencia) -> Bool { (a.year, a.month) < (b.year, b.month) }

    public var iso: String { "\(year)-\(month < 10 ? "0" : "")\(month)" }
    /// `11/2026`.
    public var formatted: String { "\(month < 10 ? "0" : "")\(month)/\(year)" }
    public var description: String { formatted }
}

extension String.UTF8View {
    /// The numbers of text like `2026-11-23`: fields of exactly `widths` ASCII digits joined by
    /// `-`, and nothing else (every date read from the database goes through here).
    fileprivate func dashedNumbers(_ widths: [Int]) -> [Int]? {
        var fields: [Int] = []
        fields.reserveCapacity(widths.count)
        var i = startIndex
        for (n, width) in widths.enumerated() {
            if n > 0 {
                guard i != endIndex, self[i] == UInt8(ascii: "-") else { return nil }
                i = index(after: i)
            }
            var value = 0
            for _ in 0..<width {
                guard i != endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self[i]) else { return nil }
                value = value * 10 + Int(self[i] - UInt8(ascii: "0"))
                i = index(after: i)
            }
            fields.append(value)
        }
        return i == endIndex ? fields : nil
    }
}
