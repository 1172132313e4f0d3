/// The event times Driftline accepts: from 2000-01-01T00:00:00Z to one hour after the time the record is
/// read (``maxFutureSkew``).
///
/// One rule for every reader: the tail stage checks each record of the log against it and *quarantines*
/// a record outside it (counted and named, never profiled, and it moves no watermark, window or label-join
/// horizon), so one record dated 2100 or at the end of the 64-bit range cannot stop or skew an endpoint.
///
/// ```swift
/// let range = EventTimeRange(now: .now())
/// if !range.contains(record.timestamp) { quarantine(record) }
/// ```
public struct EventTimeRange: Sendable, Equatable, CustomStringConvertible {
    /// 2000-01-01T00:00:00Z: no monitored inference is older.
    public static let earliest = Timestamp(microsecondsSinceEpoch: 946_684_800_000_000)
    /// How far after the reading time an event time may lie (clock skew between hosts): one hour.
    public static let maxFutureSkew = Duration.seconds(3600)

    /// The first accepted time.
    public let lowerBound: Timestamp
    /// The last accepted time.
    public let upperBound: Timestamp

    /// The range for records read at `now`: ``earliest`` through `now + maxFutureSkew`.
    public init(now: Timestamp) {
        lowerBound = Self.earliest
        upperBound = max(Self.earliest, now.advanced(by: Self.maxFutureSkew))
    }

    /// Whether `time` is a valid event time.
    @inlinable
    public func contains(_ time: Timestamp) -> Bool {
        time >= lowerBound && time <= upperBound
    }

    /// Whether `microseconds` since the epoch is a valid event time.
    @inlinable
    public func contains(microseconds: Int64) -> Bool {
        microseconds >= lowerBound.microsecondsSinceEpoch && microseconds <= upperBound.microsecondsSinceEpoch
    }

    /// Throws a ``ValidationError`` naming `field` when `time` is outside the range.
    public func check(_ time: Timestamp, field: String = "timestamp") throws(ValidationError) {
        guard contains(time) else {
            throw ValidationError(.outOfRange, field: field, value: Self.describe(time),
                                  detail: "an event time must lie in \(self); fix the writer's clock or the record's time")
        }
    }

    /// `time` as ISO 8601 when it falls in years 0001–9999, else as microseconds since the epoch.
    public static func describe(_ time: Timestamp) -> String {
        let micros = time.microsecondsSinceEpoch
        // 0001-01-01 ... 9999-12-31 in µs.
        guard micros >= -62_135_596_800_000_000, micros < 253_402_300_800_000_000 else { return "\(micros)µs since the epoch" }
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil from days (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int64, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction != 0 { text += "." + pad(fraction, 6) }
        return text + "Z"
    }

    public var description: String { "[\(Self.describe(lowerBound)), \(Self.describe(upperBound))]" }
}
