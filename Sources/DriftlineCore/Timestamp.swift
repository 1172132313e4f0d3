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
    ///
    /// Saturates: a time beyond the `Int64` range of microseconds (about ±292,000 years) becomes
    /// ``distantPast`` or ``distantFuture``, and NaN becomes ``distantPast``; such times lie outside
    /// ``EventTimeRange`` and are refused where event times are checked. Use ``init(exactlySecondsSinceEpoch:)``
    /// to get nil instead.
    public init(secondsSinceEpoch: Double) {
        self = Timestamp(exactlySecondsSinceEpoch: secondsSinceEpoch)
            ?? (secondsSinceEpoch > 0 ? .distantFuture : .distantPast)
    }

    /// Creates a timestamp from seconds since the epoch, rounded to the microsecond, or nil when it is
    /// NaN or beyond the `Int64` range of microseconds.
    public init?(exactlySecondsSinceEpoch seconds: Double) {
        let micros = (seconds * 1_000_000).rounded()
        // 2^63 is exactly representable; Int64.max is not, so the upper bound is exclusive.
        guard micros.isFinite, micros >= -9_223_372_036_854_775_808.0, micros < 9_223_372_036_854_775_808.0 else { return nil }
        self.microsecondsSinceEpoch = Int64(micros)
    }

    /// The earliest representable time (`Int64.min` µs).
    public static let distantPast = Timestamp(microsecondsSinceEpoch: .min)
    /// The latest representable time (`Int64.max` µs).
    public static let distantFuture = Timestamp(microsecondsSinceEpoch: .max)

    /// The current wall-clock time (`CLOCK_REALTIME`).
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microsecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000)
    }

    /// Seconds since the epoch as a `Double`.
    public var secondsSinceEpoch: Double { Double(microsecondsSinceEpoch) / 1_000_000 }

    /// This timestamp moved by `duration` (truncated to whole microseconds), saturating at
    /// ``distantPast`` and ``distantFuture``.
    public func advanced(by duration: Duration) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: microsecondsSinceEpoch.saturatingAdd(duration.wholeMicroseconds))
    }

    /// The time from `other` to `self`, saturating at the `Int64` range of microseconds.
    public func duration(since other: Timestamp) -> Duration {
        let (difference, overflow) = microsecondsSinceEpoch.subtractingReportingOverflow(other.microsecondsSinceEpoch)
        if overflow { return .microseconds(microsecondsSinceEpoch < other.microsecondsSinceEpoch ? Int64.min : Int64.max) }
        return .microseconds(difference)
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

extension Int64 {
    /// `self + other`, clamped to `Int64.min ... Int64.max` instead of trapping.
    @inlinable
    public func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other > 0 ? .max : .min }
        return sum
    }

    /// `self - other`, clamped to `Int64.min ... Int64.max` instead of trapping.
    @inlinable
    public func saturatingSubtract(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if overflow { return other > 0 ? .min : .max }
        return difference
    }
}
