import Domain
import Foundation
import OpenAPIRuntime

/// RFC 3339 dates in UTC, in seconds (`2026-12-03T13:00:00Z`), written by arithmetic: the
/// runtime's ISO 8601 transcoder goes through ICU for every date, a fifth of a list's encoding
/// time (DECISIONS 47). The same text as Foundation's `ISO8601DateFormatter` (checked against it);
/// reading is left to the runtime's transcoder.
struct RFC3339Transcoder: DateTranscoder {
    private let reader = ISO8601DateTranscoder()

    func encode(_ date: Date) throws -> String {
        // Foundation rounds to the millisecond (a half up, also before 1970: -0.0005 s is 0 ms),
        // then drops it.
        let seconds = Int(((date.timeIntervalSince1970 * 1000 + 0.5).rounded(.down) / 1000).rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let inDay = seconds - days * 86_400
        let d = CivilDate(daysSinceEpoch: days)
        var out = d.iso
        out.reserveCapacity(20)
        out.append("T")
        Self.two(inDay / 3600, into: &out)
        out.append(":")
        Self.two(inDay / 60 % 60, into: &out)
        out.append(":")
        Self.two(inDay % 60, into: &out)
        out.append("Z")
        return out
    }

    func decode(_ text: String) throws -> Date { try reader.decode(text) }

    private static func two(_ n: Int, into s: inout String) {
        if n < 10 { s.append("0") }
        s.append(String(n))
    }
}
