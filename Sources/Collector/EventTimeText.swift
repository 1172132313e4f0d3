#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Driftline

/// Event times as payloads give them: epoch seconds (`1793589300.25`) or RFC 3339 / ISO-8601 text
/// (`2026-11-02T03:15:00Z`, `2026-11-02T03:15:00.123456789+01:00`, as CloudEvents' `ce-time` carries).
///
/// This only converts; whether a time is acceptable is the logger's rule. A number too large to be
/// represented in microseconds is refused here, because it cannot be converted at all.
enum EventTimeText {
    /// Epoch seconds that fit a ``Timestamp`` (±~292,000 years).
    static func fromSeconds(_ seconds: Double) -> Timestamp? {
        guard seconds.isFinite, abs(seconds) < 9.2e12 else { return nil }
        return Timestamp(microsecondsSinceEpoch: Int64((seconds * 1_000_000).rounded()))
    }

    /// Epoch seconds or RFC 3339 text; nil when it is neither.
    static func parse(_ text: String) -> Timestamp? {
        if let seconds = Double(text) { return fromSeconds(seconds) }
        return parseRFC3339(Array(text.utf8))
    }

    /// `YYYY-MM-DD[T ]HH:MM:SS[.fraction](Z|±HH:MM)`; a date alone is midnight UTC.
    static func parseRFC3339(_ chars: [UInt8]) -> Timestamp? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= chars.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let d = chars[i] &- 48
                guard d < 10 else { return nil }
                value = value * 10 + Int(d)
                i += 1
            }
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard i < chars.count, chars[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), take(45), let month = digits(2), take(45), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, micros = 0, offsetSeconds = 0
        if i < chars.count {
            guard take(84) || take(116) || take(32) else { return nil }  // T, t or space
            guard let h = digits(2), take(58), let m = digits(2), take(58), let s = digits(2), h < 24, m < 60, s <= 60 else { return nil }
            (hour, minute, second) = (h, m, min(s, 59))
            if take(46) {  // fraction: keep microseconds, round by the 7th digit
                var scale = 100_000
                var count = 0
                while i < chars.count, chars[i] &- 48 < 10 {
                    if count < 6 { micros += Int(chars[i] - 48) * scale } else if count == 6 && chars[i] >= 53 { micros += 1 }
                    scale /= 10
                    count += 1
                    i += 1
                }
                guard count > 0 else { return nil }
            }
            if take(90) || take(122) {  // Z
            } else if i < chars.count, chars[i] == 43 || chars[i] == 45 {  // + or -
                let sign = chars[i] == 45 ? -1 : 1
                i += 1
                guard let oh = digits(2), take(58), let om = digits(2), oh < 24, om < 60 else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == chars.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = Int64(timegm(&parts)) - Int64(offsetSeconds)
        // timegm normalises 2026-02-30 into March: refuse dates that do not exist.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return Timestamp(microsecondsSinceEpoch: epoch * 1_000_000 + Int64(micros))
    }
}
