#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// `2026-11-23 16:00:00.5+01:00`; without a zone, UTC). Nil when it is neither.
    static func parse(_ text: String) -> Timestamp? {
        let trimmed = text.trimmingSpaces
        if let seconds = Double(trimmed), seconds.isFinite, abs(seconds) < 1e13 {
            return Timestamp(secondsSinceEpoch: seconds)
        }
        return parseISO8601(trimmed)
    }

    static func parseISO8601(_ text: String) -> Timestamp? {
        let chars = Array(text.utf8)
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= chars.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let c = chars[i]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
                i += 1
            }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < chars.count, chars[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0, micros = 0
        if i < chars.count {
            guard chars[i] == 84 || chars[i] == 116 || chars[i] == 32 else { return nil }  // T, t or space
            i += 1
            guard let h = number(2), expect(58), let m = number(2) else { return nil }
            hour = h
            minute = m
            if expect(58) {
                guard let s = number(2) else { return nil }
                second = s
                if i < chars.count, chars[i] == 46 || chars[i] == 44 {  // . or ,
                    i += 1
                    var scale = 100_000
                    var digits = 0
                    while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                        micros += Int(chars[i] - 48) * scale
                        scale /= 10
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                }
            }
        }
        var offsetSeconds = 0
        if i < chars.count {
            if chars[i] == 90 || chars[i] == 122 {  // Z
                i += 1
            } else if chars[i] == 43 || chars[i] == 45 {  // + or -
                let sign = chars[i] == 45 ? -1 : 1
                i += 1
                guard let oh = number(2) else { return nil }
                _ = expect(58)
                let om = number(2) ?? 0
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == chars.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = Int64(timegm(&parts)) - Int64(offsetSeconds)
        return Timestamp(microsecondsSinceEpoch: epoch * 1_000_000 + Int64(micros))
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
