/// Durations as text: a number and a unit, `500ms`, `30s`, `5m`, `2h`, `1d` (a bare number is seconds).
///
/// A duration longer than ``maxSeconds`` (100 years) is refused like text that is not a duration, so a
/// typo such as `--window 1e16` is an error that names the flag instead of an overflow.
enum DurationText {
    /// The longest duration accepted: 100 years, far beyond any window, interval or horizon.
    static let maxSeconds: Double = 100 * 365 * 86_400

    static func parse(_ text: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            // "5ms" must not parse as "5m" + "s": try the longest suffix first (ms is listed before s and m).
            guard let value = Double(text.dropLast(suffix.count)) else { return nil }
            return duration(seconds: value * seconds)
        }
        guard let value = Double(text) else { return nil }
        return duration(seconds: value)
    }

    /// `seconds` as a duration in whole milliseconds, or nil when it is negative, not finite or above the cap.
    static func duration(seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0, seconds <= maxSeconds else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
