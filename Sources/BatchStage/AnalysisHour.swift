import Foundation

/// One UTC hour the batch stage analyses: [start, start + 1 h), in microseconds since the Unix epoch.
public struct AnalysisHour: Sendable, Hashable, Comparable, Codable {
    public static let lengthMicroseconds: Int64 = 3_600_000_000

    /// Start of the hour, microseconds since the epoch, UTC; a multiple of one hour.
    public let startMicroseconds: Int64

    /// The hour that contains the instant `microseconds`.
    public init(containing microseconds: Int64) {
        let length = Self.lengthMicroseconds
        let floored = microseconds >= 0 ? microseconds / length : (microseconds - length + 1) / length
        startMicroseconds = floored * length
    }

    public var endMicroseconds: Int64 { startMicroseconds + Self.lengthMicroseconds }

    /// The hour before this one.
    public var previous: AnalysisHour { AnalysisHour(containing: startMicroseconds - Self.lengthMicroseconds) }
    /// The hour after this one.
    public var next: AnalysisHour { AnalysisHour(containing: endMicroseconds) }

    /// The last hour that has ended at `nowMicroseconds`.
    public static func lastComplete(nowMicroseconds: Int64) -> AnalysisHour {
        AnalysisHour(containing: nowMicroseconds).previous
    }

    /// `YYYY-MM-DDTHH`, the report file name stem.
    public var label: String {
        let date = Date(timeIntervalSince1970: Double(startMicroseconds) / 1_000_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour], from: date)
        return String(format: "%04d-%02d-%02dT%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0)
    }

    /// ISO-8601 instant of the start (`2026-11-23T14:00:00Z`).
    public var isoStart: String { label + ":00:00Z" }

    public static func < (a: AnalysisHour, b: AnalysisHour) -> Bool { a.startMicroseconds < b.startMicroseconds }
}
