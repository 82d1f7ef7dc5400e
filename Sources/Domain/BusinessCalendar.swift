/// Which days banks open (DOMAIN.md, "Business days"): not Saturdays, Sundays, national holidays
/// (fixed and Easter-based) or the utility's local holidays (configuration). A payment due on a
/// non-business day may be made on the next business day without charges, so "overdue" and the
/// days late count from `payableUntil(due:)`.
public struct BusinessCalendar: Sendable, Hashable {
    /// A local holiday: every year on a day and month (`03-17`), or once (`2026-06-25`).
    public enum LocalHoliday: Sendable, Hashable {
        case yearly(month: Int, day: Int)
        case once(CivilDate)

        /// Parses `MM-DD` (every year) or `AAAA-MM-DD` (once).
        public init?(_ text: String) {
            if let d = CivilDate(iso: text) {
                self = .once(d)
                return
            }
            let p = text.split(separator: "-")
            guard p.count == 2, p[0].count == 2, p[1].count == 2, let m = Int(p[0]), let d = Int(p[1]),
                CivilDate(year: 2000, month: m, day: d) != nil  // a leap year, so 02-29 is accepted
            else { return nil }
            self = .yearly(month: m, day: d)
        }

        func falls(on date: CivilDate) -> Bool {
            switch self {
            case .yearly(let m, let d): return date.month == m && date.day == d
            case .once(let d): return date == d
            }
        }
    }

    public let localHolidays: [LocalHoliday]

    public init(localHolidays: [LocalHoliday] = []) { self.localHolidays = localHolidays }

    /// National holidays only.
    public static let national = BusinessCalendar()

    /// Easter Sunday of `year` (Gregorian; the Meeus/Jones/Butcher algorithm).
    public static func easter(year: Int) -> CivilDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)!
    }

    /// Fixed national holidays: month, day, name, and the first year it is one.
    private static let fixedHolidays: [(month: Int, day: Int, name: String, since: Int)] = [
        (1, 1, "Confraternização Universal", 0), (4, 21, "Tiradentes", 0), (5, 1, "Dia do Trabalho", 0),
        (9, 7, "Independência do Brasil", 0), (10, 12, "Nossa Senhora Aparecida", 0), (11, 2, "Finados", 0),
        (11, 15, "Proclamação da República", 0), (12, 25, "Natal", 0),
        (11, 20, "Dia Nacional de Zumbi e da Consciência Negra", 2024),  // Lei 14.759/2023
    ]
    /// Holidays that move with Easter: days from Easter Sunday, name.
    private static let easterHolidays: [(offset: Int, name: String)] = [
        (-48, "Carnaval"), (-47, "Carnaval"), (-2, "Sexta-feira Santa"), (60, "Corpus Christi"),
    ]

    /// The national holidays of `year` on which banks close, in date order, with their names.
    public static func nationalHolidays(year: Int) -> [(date: CivilDate, name: String)] {
        let e = easter(year: year)
        let all =
            fixedHolidays.filter { year >= $0.since }.map { (CivilDate(year: year, month: $0.month, day: $0.day)!, $0.name) }
            + easterHolidays.map { (e.adding(days: $0.offset), $0.name) }
        // Good Friday may fall on Tiradentes (2011): one day, both names.
        let byDate = Dictionary(all, uniquingKeysWith: { "\($0) e \($1)" })
        return byDate.sorted { $0.key < $1.key }.map { (date: $0.key, name: $0.value) }
    }

    /// Whether `date` is a national holiday, without building the year's list (every bill of
    /// every list asks, issue 15).
    static func isNationalHoliday(_ date: CivilDate) -> Bool {
        if fixedHolidays.contains(where: { $0.month == date.month && $0.day == date.day && date.year >= $0.since }) { return true }
        let fromEaster = date.daysSinceEpoch - easter(year: date.year).daysSinceEpoch
        return easterHolidays.contains { $0.offset == fromEaster }
    }

    /// Why `date` is not a business day ("sábado", "domingo", a holiday's name), or nil.
    public func closure(on date: CivilDate) -> String? {
        switch date.weekday {
        case 0: return "domingo"
        case 6: return "sábado"
        default: break
        }
        if Self.isNationalHoliday(date), let h = Self.nationalHolidays(year: date.year).first(where: { $0.date == date }) {
            return "feriado: \(h.name)"
        }
        if localHolidays.contains(where: { $0.falls(on: date) }) { return "feriado local" }
        return nil
    }

    public func isBusinessDay(_ date: CivilDate) -> Bool {
        let weekday = date.weekday
        return weekday != 0 && weekday != 6 && !Self.isNationalHoliday(date) && !localHolidays.contains { $0.falls(on: date) }
    }

    /// The last day a payment due on `due` is made without charges: `due` itself when banks
    /// open, else the next business day.
    public func payableUntil(due: CivilDate) -> CivilDate {
        var d = due
        while !isBusinessDay(d) { d = d.adding(days: 1) }
        return d
    }

    /// Whether something due on `due` and not paid is late on `today`: past `payableUntil(due:)`.
    /// The one business-day rule of "vencida" for bills, statements and agreement installments.
    public func isLate(due: CivilDate, on today: CivilDate) -> Bool {
        payableUntil(due: due) < today
    }
}
