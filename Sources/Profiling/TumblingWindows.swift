import DriftlineCore

/// Tumbling event-time windows of a fixed length, aligned to the Unix epoch: `[k·length, (k+1)·length)`.
public struct TumblingWindows: Sendable, Equatable {
    /// The window length in microseconds (> 0).
    public let lengthMicroseconds: Int64

    /// Windows of `length` (at least one microsecond; DESIGN.md's default is 5 minutes).
    public init(length: Duration) throws(ValidationError) {
        let micros = length.wholeMicroseconds
        guard micros > 0 else {
            throw ValidationError(.outOfRange, field: "window", value: "\(length)", detail: "not a positive duration; give one such as 5m or 1h")
        }
        lengthMicroseconds = micros
    }

    /// The start of the window holding `time` (rounded down, also before the epoch; a window that would
    /// start before `Int64.min` µs starts at it).
    @inlinable
    public func start(of time: Timestamp) -> Timestamp {
        let t = time.microsecondsSinceEpoch
        let remainder = t % lengthMicroseconds
        var start = t - remainder                       // |remainder| ≤ |t|: cannot overflow
        if remainder < 0 { start = start.saturatingSubtract(lengthMicroseconds) }
        return Timestamp(microsecondsSinceEpoch: start)
    }

    /// The end (exclusive) of the window starting at `start`, saturating at `Int64.max` µs.
    @inlinable
    public func end(ofWindowStartingAt start: Timestamp) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch.saturatingAdd(lengthMicroseconds))
    }
}
