import Driftline
import Foundation
import Hummingbird

/// When a request happened, as its client says: replays and backfills log past traffic at its own time.
///
/// A request gives it in its body (`"parameters": {"event_time": ...}` for `/infer`, the KServe v2 optional
/// request parameters; `"event_time"` beside each label for `/label`) or in the `x-driftline-event-time`
/// header, as ISO-8601 (`2026-11-02T03:15:00Z`, fractional seconds allowed) or epoch seconds
/// (`1793589300.25`). Without either the server logs the time it answered.
enum EventTime {
    static let header = "x-driftline-event-time"
    static let example = "ISO-8601 such as 2026-11-02T03:15:00Z, or epoch seconds such as 1793589300.25"
    /// Event times outside [1970, 2200) are refused: a typo, not a replay.
    static let latestSeconds = 7_258_118_400.0

    /// The event time of a request: the body's value first, then the header's, else now.
    static func resolve(_ value: EventTimeValue?, header text: String?) throws -> Timestamp {
        if let value { return try timestamp(value) }
        if let text {
            guard let parsed = parse(text) else {
                throw HTTPError(.badRequest, message: "header x-driftline-event-time \(text): not a time; use \(example)")
            }
            return parsed
        }
        return .now()
    }

    static func timestamp(_ value: EventTimeValue) throws -> Timestamp {
        switch value {
        case .seconds(let seconds):
            guard let parsed = fromSeconds(seconds) else {
                throw HTTPError(.badRequest, message: "event_time \(seconds): epoch seconds must lie in 1970…2200")
            }
            return parsed
        case .text(let text):
            guard let parsed = parse(text) else {
                throw HTTPError(.badRequest, message: "event_time \(text): not a time; use \(example)")
            }
            return parsed
        }
    }

    /// ISO-8601 with or without fractional seconds, or a number of epoch seconds.
    static func parse(_ text: String) -> Timestamp? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return fromSeconds(seconds) }
        for style in [Date.ISO8601FormatStyle(includingFractionalSeconds: true), Date.ISO8601FormatStyle()] {
            if let date = try? style.parse(trimmed) { return fromSeconds(date.timeIntervalSince1970) }
        }
        return nil
    }

    static func fromSeconds(_ seconds: Double) -> Timestamp? {
        guard seconds.isFinite, seconds >= 0, seconds < latestSeconds else { return nil }
        return Timestamp(secondsSinceEpoch: seconds)
    }
}

/// An event time in JSON: a string (ISO-8601, or epoch seconds) or a number (epoch seconds).
enum EventTimeValue: Decodable {
    case seconds(Double)
    case text(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            self = .seconds(seconds)
        } else {
            self = .text(try container.decode(String.self))
        }
    }
}
