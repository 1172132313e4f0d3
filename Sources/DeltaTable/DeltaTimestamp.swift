import DriftlineCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time as microseconds since the Unix epoch, UTC: the resolution of Delta's `timestamp` type.
public struct DeltaTimestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The time as milliseconds since the epoch, rounded down: the unit of `modificationTime` and `deletionTimestamp`.
    public var milliseconds: Int64 { microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000 }

    /// A time given in milliseconds since the epoch.
    public init(milliseconds: Int64) { self.microseconds = milliseconds &* 1000 }

    /// The current wall-clock time.
    public static func now() -> DeltaTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return DeltaTimestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    public static func < (lhs: DeltaTimestamp, rhs: DeltaTimestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// This time moved by a duration (microsecond resolution).
    public func adding(_ duration: Duration) -> DeltaTimestamp {
        let (seconds, attoseconds) = duration.components
        return DeltaTimestamp(microseconds: microseconds &+ seconds &* 1_000_000 &+ attoseconds / 1_000_000_000_000)
    }

    /// ISO-8601 in UTC with millisecond precision, as Delta statistics store timestamps
    /// (`2024-05-01T12:00:00.000Z`). Sub-millisecond digits are cut: round the value first where that matters.
    public var iso8601Milliseconds: String {
        let millis = milliseconds
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = millis - seconds * 1000
        let (year, month, day, hour, minute, second) = Self.civil(fromSeconds: seconds)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(fraction, 3))Z"
    }

    public var description: String { iso8601Milliseconds }

    /// Parses `YYYY-MM-DD[T| ]hh:mm:ss[.ffffff][Z|+hh:mm|-hh:mm]`, the forms Delta writers put in statistics
    /// and partition values (a value without zone is read as UTC).
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<digits {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += digits
            return value
        }
        func expect(_ set: [UInt8]) -> Bool {
            guard index < bytes.count, set.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect([45]), let month = number(2), expect([45]), let day = number(2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var micros: Int64 = 0
        var seconds = Timestamp.daysFromCivil(year: year, month: month, day: day) * 86_400
        if index < bytes.count {
            guard expect([84, 32]), let hour = number(2), expect([58]), let minute = number(2), expect([58]),
                  let second = number(2), hour < 24, minute < 60, second < 61
            else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                var digits = 0
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 48) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                if digits < 6 { for _ in digits..<6 { micros *= 10 } }
            }
            if index < bytes.count {
                if bytes[index] == 90 {
                    index += 1
                } else {
                    guard bytes[index] == 43 || bytes[index] == 45 else { return nil }
                    let sign: Int64 = bytes[index] == 43 ? 1 : -1
                    index += 1
                    guard let zoneHour = number(2) else { return nil }
                    _ = expect([58])
                    guard let zoneMinute = number(2) else { return nil }
                    seconds -= sign * (zoneHour * 3600 + zoneMinute * 60)
                }
            }
        }
        guard index == bytes.count else { return nil }
        self.microseconds = seconds * 1_000_000 + micros
    }

    static func civil(fromSeconds seconds: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Timestamp.civil(fromDays: days)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
