import DriftlineCore

/// Which live files a `replace` removes: those whose partition values equal the given ones and, when a
/// time range is given, whose statistics put every value of a timestamp column inside it.
///
/// ```swift
/// // Every file of endpoint "iris" holding rows of the hour 10:00–11:00 (by `window_start`).
/// let hour = FileSelection(partitionValues: ["endpoint": "iris"],
///                          timeColumn: "window_start", timeRange: tenOClock..<elevenOClock)
/// ```
public struct FileSelection: Sendable, Hashable {
    /// Partition column → required value (`nil` selects null partitions). Empty selects every partition.
    public var partitionValues: [String: String?]
    /// A timestamp column of the data whose statistics decide membership, with the half-open range.
    public var timeColumn: String?
    /// The half-open range every value of `timeColumn` in a selected file must lie in.
    public var timeRange: Range<Timestamp>?

    public init(partitionValues: [String: String?] = [:], timeColumn: String? = nil, timeRange: Range<Timestamp>? = nil) {
        self.partitionValues = partitionValues
        self.timeColumn = timeColumn
        self.timeRange = timeRange
    }

    /// Whether the selection covers a live file. Throws `ambiguousFile` when the file straddles the range
    /// or has no bounds for the time column: removing it would drop rows outside the range, keeping it
    /// would keep rows inside.
    func contains(_ file: AddFile) throws -> Bool {
        guard matchesPartition(file.partitionValues) else { return false }
        guard let column = timeColumn, let range = timeRange else { return true }
        guard let statistics = file.statistics else {
            throw DeltaError.ambiguousFile(path: file.relativePath, reason: "it has no statistics for \(column)")
        }
        if statistics.numRecords == 0 { return true }
        guard let bounds = statistics.timestampBounds(column) else {
            if statistics.nullCount[column]?.int64 == statistics.numRecords { return false }
            throw DeltaError.ambiguousFile(path: file.relativePath, reason: "its statistics hold no bounds for \(column)")
        }
        if bounds.upperBound < range.lowerBound || bounds.lowerBound >= range.upperBound { return false }
        if bounds.lowerBound >= range.lowerBound && bounds.upperBound < range.upperBound { return true }
        throw DeltaError.ambiguousFile(
            path: file.relativePath,
            reason: "its \(column) values \(bounds.lowerBound.iso8601Milliseconds)…\(bounds.upperBound.iso8601Milliseconds) straddle "
                + "\(range.lowerBound.iso8601Milliseconds)..<\(range.upperBound.iso8601Milliseconds)")
    }

    /// Whether a file's partition may hold rows of the selection (used for conflict checks, where a
    /// file that might overlap counts).
    func mayOverlap(_ file: AddFile) -> Bool {
        guard matchesPartition(file.partitionValues) else { return false }
        guard let column = timeColumn, let range = timeRange,
              let bounds = file.statistics?.timestampBounds(column) else { return true }
        return !(bounds.upperBound < range.lowerBound || bounds.lowerBound >= range.upperBound)
    }

    func matchesPartition(_ values: [String: String?]) -> Bool {
        for (column, wanted) in partitionValues {
            let actual = values[column] ?? nil
            let normalized = actual?.isEmpty == true ? nil : actual
            if normalized != wanted { return false }
        }
        return true
    }
}
