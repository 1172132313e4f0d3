import DriftlineCore

/// Delta's forms of a time: milliseconds since the epoch (`modificationTime`, `deletionTimestamp`, commit
/// and metadata timestamps) and ISO-8601 with millisecond precision (timestamp statistics). The time itself
/// is DriftlineCore's `Timestamp`, microseconds since the epoch: the resolution of Delta's `timestamp` type.
extension Timestamp {
    /// The time as milliseconds since the epoch, rounded down (towards the past): the unit of
    /// `modificationTime` and `deletionTimestamp`.
    public var milliseconds: Int64 {
        let (quotient, remainder) = microsecondsSinceEpoch.quotientAndRemainder(dividingBy: 1000)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// A time given in milliseconds since the epoch, saturating at ``Timestamp/distantPast`` and
    /// ``Timestamp/distantFuture`` (a log's `modificationTime` beyond about ±292,000 years).
    public init(milliseconds: Int64) {
        let (micros, overflow) = milliseconds.multipliedReportingOverflow(by: 1000)
        self.init(microsecondsSinceEpoch: overflow ? (milliseconds < 0 ? .min : .max) : micros)
    }

    /// ISO-8601 in UTC with millisecond precision, as Delta statistics store timestamps
    /// (`2024-05-01T12:00:00.000Z`): ``Timestamp/iso8601`` without its last three fraction digits, so
    /// sub-millisecond digits are cut (rounded down): round the value first where that matters.
    public var iso8601Milliseconds: String {
        String(iso8601.dropLast(4)) + "Z"
    }
}
