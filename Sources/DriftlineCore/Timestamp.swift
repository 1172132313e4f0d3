#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time: UTC microseconds since the Unix epoch.
///
/// Every event time in Driftline (inference, label, window bounds) is a `Timestamp`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z (negative before it).
    public var microsecondsSinceEpoch: Int64

    /// Creates a timestamp from microseconds since the epoch.
    @inlinable
    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// Creates a timestamp from (possibly fractional) seconds since the epoch, rounded to the microsecond.
    public init(secondsSinceEpoch: Double) {
        self.microsecondsSinceEpoch = Int64((secondsSinceEpoch * 1_000_000).rounded())
    }

    /// The current wall-clock time (`CLOCK_REALTIME`).
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microsecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000)
    }

    /// Seconds since the epoch as a `Double`.
    public var secondsSinceEpoch: Double { Double(microsecondsSinceEpoch) / 1_000_000 }

    /// This timestamp moved by `duration` (truncated to whole microseconds).
    public func advanced(by duration: Duration) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: microsecondsSinceEpoch + duration.wholeMicroseconds)
    }

    /// The time from `other` to `self`.
    public func duration(since other: Timestamp) -> Duration {
        .microseconds(microsecondsSinceEpoch - other.microsecondsSinceEpoch)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public var description: String { "\(microsecondsSinceEpoch)µs" }
}

extension Duration {
    /// The duration in whole microseconds (truncated toward zero, saturating at `Int64` bounds).
    public var wholeMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        let (secondsPart, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = secondsPart.addingReportingOverflow(attoseconds / 1_000_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
