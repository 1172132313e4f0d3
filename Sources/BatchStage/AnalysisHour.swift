import DriftlineCore

/// One analysis window of the batch stage: a UTC hour (the default) or a UTC day (`granularity: day`),
/// [start, start + length), in microseconds since the Unix epoch.
public struct AnalysisHour: Sendable, Hashable, Comparable, Codable {
    /// One hour, the default window length.
    public static let lengthMicroseconds: Int64 = 3_600_000_000
    /// One UTC day.
    public static let dayMicroseconds: Int64 = 86_400_000_000

    /// Start of the window, microseconds since the epoch, UTC; a multiple of `length`.
    public let startMicroseconds: Int64
    /// The window's length: `lengthMicroseconds` (an hour) or `dayMicroseconds`.
    public let length: Int64

    /// The hour that contains the instant `microseconds`.
    public init(containing microseconds: Int64) {
        self.init(containing: microseconds, length: Self.lengthMicroseconds)
    }

    /// The window of `granularity` that contains the instant `microseconds`.
    public init(containing microseconds: Int64, granularity: Granularity) {
        self.init(containing: microseconds, length: granularity.lengthMicroseconds)
    }

    init(containing microseconds: Int64, length: Int64) {
        let floored = microseconds >= 0 ? microseconds / length : (microseconds - length + 1) / length
        startMicroseconds = floored * length
        self.length = length
    }

    public var endMicroseconds: Int64 { startMicroseconds + length }
    /// Whether this window is a UTC day.
    public var isDay: Bool { length == Self.dayMicroseconds }

    /// The window before this one.
    public var previous: AnalysisHour { AnalysisHour(containing: startMicroseconds - length, length: length) }
    /// The window after this one.
    public var next: AnalysisHour { AnalysisHour(containing: endMicroseconds, length: length) }

    /// The last hour that has ended at `nowMicroseconds`.
    public static func lastComplete(nowMicroseconds: Int64) -> AnalysisHour {
        AnalysisHour(containing: nowMicroseconds).previous
    }

    /// The last window of `granularity` that has ended at `nowMicroseconds`.
    public static func lastComplete(nowMicroseconds: Int64, granularity: Granularity) -> AnalysisHour {
        AnalysisHour(containing: nowMicroseconds, granularity: granularity).previous
    }

    /// `YYYY-MM-DDTHH` for an hour, `YYYY-MM-DD` for a day: the report file name stem.
    public var label: String {
        // `2026-11-23T14:00:00.000000Z` → its first 13 (hour) or 10 (day) characters.
        String(Timestamp(microsecondsSinceEpoch: startMicroseconds).iso8601.prefix(isDay ? 10 : 13))
    }

    /// ISO-8601 instant of the start (`2026-11-23T14:00:00Z`).
    public var isoStart: String {
        isDay ? label + "T00:00:00Z" : label + ":00:00Z"
    }

    public static func < (a: AnalysisHour, b: AnalysisHour) -> Bool {
        (a.startMicroseconds, a.length) < (b.startMicroseconds, b.length)
    }
}

/// How long the batch stage's analysis windows are, per endpoint (`granularity:` in the pipeline file).
public enum Granularity: String, Sendable, Equatable, CaseIterable, Codable {
    /// UTC hours (the default).
    case hour
    /// UTC days: for endpoints with too few records an hour to judge drift.
    case day

    public var lengthMicroseconds: Int64 {
        switch self {
        case .hour: return AnalysisHour.lengthMicroseconds
        case .day: return AnalysisHour.dayMicroseconds
        }
    }
}
