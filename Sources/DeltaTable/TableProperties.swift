/// The table properties (`metaData.configuration`) that change how this library maintains a table.
/// When a table sets one, it wins over `DeltaTable.Options`: every writer of the table, whichever
/// library, should follow the table's own policy.
extension DeltaTable.Options {
    /// These options with the table's `delta.checkpointInterval`, `delta.logRetentionDuration` and
    /// `delta.deletedFileRetentionDuration` applied where set and readable.
    func applying(_ configuration: [String: String?]) -> DeltaTable.Options {
        var options = self
        if let text = configuration["delta.checkpointInterval"] ?? nil, let interval = Int64(text.filter { !$0.isWhitespace }), interval > 0 {
            options.checkpointInterval = interval
        }
        if let text = configuration["delta.logRetentionDuration"] ?? nil, let duration = Self.interval(text) {
            options.logRetention = duration
        }
        if let text = configuration["delta.deletedFileRetentionDuration"] ?? nil, let duration = Self.interval(text) {
            options.deletedFileRetention = duration
        }
        return options
    }

    /// Parses Delta's interval strings: `interval 7 days`, `interval 1 week`, `interval 36 hours`.
    static func interval(_ text: String) -> Duration? {
        let words = text.lowercased().split(separator: " ").map(String.init)
        guard words.count == 3, words[0] == "interval", let count = Int64(words[1]), count >= 0 else { return nil }
        let unit = words[2].hasSuffix("s") ? String(words[2].dropLast()) : words[2]
        let seconds: Int64
        switch unit {
        case "second": seconds = 1
        case "minute": seconds = 60
        case "hour": seconds = 3_600
        case "day": seconds = 86_400
        case "week": seconds = 604_800
        default: return nil
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: seconds)
        return overflow ? nil : .seconds(total)
    }
}
