/// The numbers Driftline profiles: finite values of magnitude at most ``maxMagnitude`` (1e100).
///
/// Larger finite values (a `DBL_MAX` "missing" sentinel, a unit error) would make a stored variance or
/// spread infinite (their squares overflow), so they are treated like NaN and ±∞: a numeric *feature*
/// value beyond the range is counted as missing and as out of range (never in a mean, spread, sketch or
/// histogram); a regression *prediction* or *label* beyond it is refused by the logger (it has no
/// missing value) and, when an older writer logged one anyway, profiled as missing. One rule, applied by
/// ``RecordEncoder`` (the logger, `ingest`, `collect`) and by Profiling's `RecordProfiler` (`profile`, `tail`).
public enum ValueRange {
    /// The largest magnitude profiled: 1e100.
    public static let maxMagnitude = 1e100

    /// Whether `x` is profiled as a value (finite and |x| ≤ ``maxMagnitude``).
    @inlinable
    public static func isProfiled(_ x: Double) -> Bool { x.magnitude <= maxMagnitude }

    /// Whether `x` is finite but beyond ``maxMagnitude`` (out of range, profiled as missing).
    @inlinable
    public static func isOutOfRange(_ x: Double) -> Bool { x.isFinite && x.magnitude > maxMagnitude }

    /// Throws a ``ValidationError`` naming `field` unless `x` is finite with magnitude ≤ ``maxMagnitude``.
    public static func check(_ x: Double, field: String) throws(ValidationError) {
        guard x.isFinite else { throw ValidationError(.notFinite, field: field, value: "\(x)", detail: "the value must be finite") }
        guard isProfiled(x) else {
            throw ValidationError(.outOfRange, field: field, value: "\(x)",
                                  detail: "the magnitude must be at most 1e100 (a larger value would make the statistics overflow); log a missing value instead of a sentinel")
        }
    }
}
