#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSVInput
import DriftlineCore

/// Timestamps as text: ISO-8601 in UTC with microseconds for output; ISO-8601 or epoch seconds for input.
enum TimestampText {
    /// `2026-11-23T16:00:00.123456Z`.
    static func format(_ timestamp: Timestamp) -> String {
        let micros = timestamp.microsecondsSinceEpoch
        var seconds = time_t(micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000)
        let fraction = Int(micros - Int64(seconds) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micro = String(fraction)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
    }

    /// Parses epoch seconds (`1763913600`, `1763913600.25`) or ISO-8601 (`2026-11-23T16:00:00Z`,
    /// `2026-11-23 16:00:00.5+01:00`; without a zone, UTC), strictly: no `2026-02-30`, no hex or exponent
    /// (``CSVText/timestamp(_:)``, the rule `ingest` applies to a CSV's time column). Nil when it is neither.
    static func parse(_ text: String) -> Timestamp? {
        CSVText.timestamp(text.trimmingSpaces)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
