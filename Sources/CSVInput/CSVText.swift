import DriftlineCore

/// The strict readings of CSV cells: decimal numbers only, timestamps checked field by field, and values
/// quoted in messages at most ``excerptLength`` characters long.
public enum CSVText {
    /// How many characters of a value a message quotes.
    public static let excerptLength = 100

    /// `text` quoted for a message: whole when short, else its first ``excerptLength`` characters, `…` and
    /// its length.
    public static func quoted(_ text: String) -> String {
        guard text.count > excerptLength else { return text.debugDescription }
        return String(text.prefix(excerptLength)).debugDescription + "… (\(text.count) characters)"
    }

    /// Why a cell is not a number (`nil` when it is one).
    public enum NumberProblem: Error, Sendable, Equatable {
        /// Not a plain decimal: `0x10`, `1_000`, `nan`, `inf`, `1,5`, ` `…
        case notDecimal
        /// A decimal whose value does not fit a double (`1e400`).
        case outOfRange
    }

    /// A plain decimal number: an optional sign, digits with an optional `.` and fraction (or `.5`), and an
    /// optional exponent (`e-3`). Hexadecimal, `nan`, `inf`, digit separators and other spellings that
    /// `Double(_:)` would accept are refused, and so is a value that is not finite as a double.
    public static func number(_ text: String) -> Result<Double, NumberProblem> {
        let utf8 = Array(text.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < utf8.count, utf8[i] >= 0x30, utf8[i] <= 0x39 { i += 1 }
            return i - start
        }
        if i < utf8.count, utf8[i] == 0x2B || utf8[i] == 0x2D { i += 1 }  // + -
        var mantissa = digits()
        if i < utf8.count, utf8[i] == 0x2E {  // .
            i += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return .failure(.notDecimal) }
        if i < utf8.count, utf8[i] == 0x65 || utf8[i] == 0x45 {  // e E
            i += 1
            if i < utf8.count, utf8[i] == 0x2B || utf8[i] == 0x2D { i += 1 }
            guard digits() > 0 else { return .failure(.notDecimal) }
        }
        guard i == utf8.count else { return .failure(.notDecimal) }
        guard let value = Double(text), value.isFinite else { return .failure(.outOfRange) }
        return .success(value)
    }

    /// The largest epoch-seconds value accepted (about the year 318,857).
    static let maxEpochSeconds: Int64 = 9_999_999_999_999

    /// A timestamp: epoch seconds as a plain decimal (`1763913600`, `1763913600.25`; at most 6 fraction digits
    /// count) or ISO-8601 (`2026-11-23T16:00:00Z`, `2026-11-23 16:00:00.5+01:00`, `2026-11-23`; without a
    /// zone, UTC). Every part is checked: `2026-02-30`, `24:00`, `12:60`, a zone beyond ±23:59 and trailing
    /// text are refused (nothing is rolled over into the next day or month). `nil` when it is neither.
    public static func timestamp(_ text: String) -> Timestamp? {
        let chars = Array(text.utf8)
        if let micros = epochMicroseconds(chars) { return Timestamp(microsecondsSinceEpoch: micros) }
        return iso8601(chars)
    }

    static func epochMicroseconds(_ chars: [UInt8]) -> Int64? {
        var i = 0
        var negative = false
        if i < chars.count, chars[i] == 0x2D || chars[i] == 0x2B {
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
        if i < chars.count, chars[i] == 0x2E {
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
        guard i == chars.count, seconds <= maxEpochSeconds else { return nil }
        let total = seconds * 1_000_000 + micros  // < 1e19: no overflow (13 digits)
        return negative ? -total : total
    }

    static func iso8601(_ chars: [UInt8]) -> Timestamp? {
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
                    guard digits > 0, digits <= 9 else { return nil }
                }
            }
        }
        var offset = 0
        if i < chars.count {
            if chars[i] == 0x5A || chars[i] == 0x7A {  // Z z
                i += 1
            } else if chars[i] == 0x2B || chars[i] == 0x2D {
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
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return Timestamp(microsecondsSinceEpoch: seconds * 1_000_000 + micros)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
