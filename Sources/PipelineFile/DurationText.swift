/// Durations as text, the one syntax of every flag and pipeline-file key that takes one: a number and a
/// unit, `500ms`, `30s`, `5m`, `2h`, `1d` (a bare number is seconds).
public enum DurationText {
    /// The longest duration accepted unless a caller gives a shorter cap: 100 years, far beyond any
    /// window, interval or horizon, so that a typo such as `--window 1e16` is refused instead of overflowing.
    public static let longest: Duration = .seconds(100 * 365 * 86_400)

    /// The duration `text` spells, in whole milliseconds; nil when it is not one, is negative, or is
    /// longer than `longest`.
    public static func parse(_ text: String, longest: Duration = DurationText.longest) -> Duration? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var number = Substring(text)
        var scale = 1.0
        // "5ms" must not parse as "5m" + "s": the longest suffix is tried first (ms is listed before s and m).
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = seconds
            break
        }
        guard let value = Double(number) else { return nil }
        let seconds = value * scale
        let cap = Double(longest.components.seconds)
        guard seconds.isFinite, seconds >= 0, seconds <= cap else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// A duration as the shortest text `parse` reads back: `90s`, `5m`, `2h`, `1d`, `250ms`.
    public static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000).partialValue + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        for (unit, length) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds != 0 && seconds % length == 0 {
            return "\(seconds / length)\(unit)"
        }
        return "\(seconds)s"
    }
}
