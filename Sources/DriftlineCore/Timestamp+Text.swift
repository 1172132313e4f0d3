/// Timestamps as text: the one parser of the product (the CLI's `--from`/`--hour`/`--start`, a CSV's time
/// column, the collector's `event_time` strings and CloudEvents' `ce-time`, and — ISO-8601 only — the Delta
/// log's timestamp statistics and a reference's `created_at`) and the one ISO-8601 formatter.
extension Timestamp {
    /// The largest epoch-seconds value read as text (13 digits); below it too, a value beyond the `Int64`
    /// range of microseconds (±9,223,372,036,854.775807 s, about ±292,000 years) is refused.
    public static let maxEpochSecondsText: Int64 = 9_999_999_999_999

    /// Parses epoch seconds as a plain decimal (`1763913600`, `-1.5`, `1763913600.25`; fraction digits past
    /// the sixth are cut) or ISO-8601 / RFC 3339 as ``init(iso8601:)`` reads it.
    ///
    /// Strict: every part is checked and nothing rolls over — `2026-02-30`, `24:00`, `12:60`, a leap second
    /// `:60`, a zone beyond ±23:59, hexadecimal, exponents, `nan`, surrounding spaces and trailing text are
    /// refused (nil), and so are epoch seconds beyond the `Int64` range of microseconds: nothing traps or wraps.
    public init?(parsing text: some StringProtocol) {
        let chars = Array(text.utf8)
        if let micros = Self.epochMicroseconds(chars) {
            self.init(microsecondsSinceEpoch: micros)
        } else if let micros = Self.iso8601Microseconds(chars) {
            self.init(microsecondsSinceEpoch: micros)
        } else {
            return nil
        }
    }

    /// Parses ISO-8601 / RFC 3339 alone (no epoch numbers): `YYYY-MM-DD`, optionally followed by `T`, `t` or
    /// a space and `hh:mm` or `hh:mm:ss`, a fraction after `.` or `,` (any number of digits; past the sixth
    /// they are cut), and a zone `Z`/`z`, `±hh:mm`, `±hhmm` or `±hh`; without a zone, UTC. This covers what
    /// Delta writers put in timestamp statistics (`2024-05-01T12:00:00.000Z`, `2024-05-01 12:00:00.123456`,
    /// `…+01:00`) and what ``iso8601`` writes.
    ///
    /// As strict as ``init(parsing:)``: a date or time that does not exist, `:60`, a zone beyond ±23:59,
    /// surrounding spaces and trailing text are refused (nil). A 4-digit year keeps the arithmetic in range.
    public init?(iso8601 text: some StringProtocol) {
        guard let micros = Self.iso8601Microseconds(Array(text.utf8)) else { return nil }
        self.init(microsecondsSinceEpoch: micros)
    }

    /// `2026-11-23T16:00:00.123456Z`: ISO-8601 in UTC with six fraction digits (years 0…9999 with four
    /// digits; others as many as they need, with a `-` before the year).
    public var iso8601: String {
        // Floor divisions through the remainder: no product that could overflow at the extremes.
        var (seconds, fraction) = microsecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000)
        if fraction < 0 { (seconds, fraction) = (seconds - 1, fraction + 1_000_000) }
        var (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        if secondOfDay < 0 { (days, secondOfDay) = (days - 1, secondOfDay + 86_400) }
        let (year, month, day) = Self.civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value.magnitude)
            return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }

    static func epochMicroseconds(_ chars: [UInt8]) -> Int64? {
        var i = 0
        var negative = false
        if i < chars.count, chars[i] == 0x2D || chars[i] == 0x2B {  // - +
            negative = chars[i] == 0x2D
            i += 1
        }
        var seconds: Int64 = 0
        var digits = 0
        while i < chars.count, chars[i] >= 0x30, chars[i] <= 0x39 {
            guard digits < 13 else { return nil }
            seconds = seconds * 10 + Int64(chars[i] - 0x30)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var micros: Int64 = 0
        if i < chars.count, chars[i] == 0x2E {  // .
            i += 1
            var scale: Int64 = 100_000
            var fraction = 0
            while i < chars.count, chars[i] >= 0x30, chars[i] <= 0x39 {
                micros += Int64(chars[i] - 0x30) * scale
                scale /= 10
                fraction += 1
                i += 1
            }
            guard fraction > 0 else { return nil }
        }
        guard i == chars.count, seconds <= maxEpochSecondsText else { return nil }
        // 13 digits of seconds reach 1e19 µs, past Int64.max (9.2e18): checked, refused beyond it.
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (total, overflow2) = whole.addingReportingOverflow(micros)
        guard !overflow, !overflow2 else { return nil }
        return negative ? -total : total
    }

    static func iso8601Microseconds(_ chars: [UInt8]) -> Int64? {
        var i = 0
        func number(_ count: Int) -> Int? {
            guard i + count <= chars.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let c = chars[i]
                guard c >= 0x30, c <= 0x39 else { return nil }
                value = value * 10 + Int(c - 0x30)
                i += 1
            }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < chars.count, chars[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(0x2D), let month = number(2), expect(0x2D), let day = number(2) else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0
        var micros: Int64 = 0
        if i < chars.count {
            guard chars[i] == 0x54 || chars[i] == 0x74 || chars[i] == 0x20 else { return nil }  // T t space
            i += 1
            guard let h = number(2), expect(0x3A), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if expect(0x3A) {
                guard let s = number(2), s < 60 else { return nil }
                second = s
                if i < chars.count, chars[i] == 0x2E || chars[i] == 0x2C {  // . ,
                    i += 1
                    var scale: Int64 = 100_000
                    var digits = 0
                    while i < chars.count, chars[i] >= 0x30, chars[i] <= 0x39 {
                        micros += Int64(chars[i] - 0x30) * scale
                        scale /= 10
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }  // past the sixth digit `scale` is 0: cut
                }
            }
        }
        var offset = 0
        if i < chars.count {
            if chars[i] == 0x5A || chars[i] == 0x7A {  // Z z
                i += 1
            } else if chars[i] == 0x2B || chars[i] == 0x2D {  // + -
                let sign = chars[i] == 0x2D ? -1 : 1
                i += 1
                guard let oh = number(2), oh < 24 else { return nil }
                let colon = expect(0x3A)
                var om = 0
                if colon || i < chars.count {
                    guard let m = number(2), m < 60 else { return nil }
                    om = m
                }
                offset = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == chars.count else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return seconds * 1_000_000 + micros
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian date of a day since 1970-01-01 (H. Hinnant's `civil_from_days`); no overflow
    /// for any day of an `Int64` of microseconds.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (what a CSV cell or a command-line value may carry
    /// around a name or a time).
    public var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
