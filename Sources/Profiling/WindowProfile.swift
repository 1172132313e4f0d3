import DriftlineCore
import DriftlineStore
import Profiles

/// The accumulators of every column of one model in one window (or of a training set), filled by a
/// ``RecordProfiler`` and turned into `profiles` rows.
///
/// Columns that saw nothing (no value and no missing value) produce no row: a window's partial row of
/// delayed labels holds only the label columns.
public struct WindowProfile: Sendable {
    var numeric: [NumericProfile]
    var categorical: [CategoryCounts]
    /// The profiler that fills this window.
    public let profiler: RecordProfiler
    /// Inference records profiled (``RecordProfiler/add(_:to:)``).
    public internal(set) var records: Int64 = 0
    /// Labels profiled, inline or delayed.
    public internal(set) var labels: Int64 = 0
    /// Finite values beyond ±1e100 (``ValueRange``), profiled as missing.
    public internal(set) var outOfRangeValues: Int64 = 0
    /// The first out-of-range value and its column, to name in messages.
    public internal(set) var outOfRangeExample: (column: String, value: Double)?

    init(numeric: [NumericProfile], categorical: [CategoryCounts], profiler: RecordProfiler) {
        self.numeric = numeric
        self.categorical = categorical
        self.profiler = profiler
    }

    /// Whether nothing was profiled.
    public var isEmpty: Bool { records == 0 && labels == 0 && columnProfiles().isEmpty }

    /// The profile of column `name`, or nil when the model has no such column.
    public func profile(of name: String) -> ColumnProfile? {
        guard let index = profiler.columns.firstIndex(where: { $0.name == name }) else { return nil }
        return columnProfile(at: index)
    }

    func columnProfile(at index: Int) -> ColumnProfile {
        let (kind, slot) = profiler.layout[index]
        let name = profiler.columns[index].name
        switch kind {
        case .numeric: return ColumnProfile(columnName: name, statistics: .numeric(numeric[slot]))
        case .categorical: return ColumnProfile(columnName: name, statistics: .categorical(categorical[slot]))
        }
    }

    /// The profile of every column that saw a value or a missing value, in the profiler's column order.
    public func columnProfiles() -> [ColumnProfile] {
        var result: [ColumnProfile] = []
        for index in profiler.columns.indices {
            let (kind, slot) = profiler.layout[index]
            let seen: Int64
            switch kind {
            case .numeric: seen = numeric[slot].moments.count + numeric[slot].moments.missingCount
            case .categorical: seen = categorical[slot].count + categorical[slot].missingCount
            }
            if seen > 0 { result.append(columnProfile(at: index)) }
        }
        return result
    }

    /// The `profiles` rows of this window: one per column that saw anything.
    public func rows(endpoint: String, modelVersion: String, windowStart: Timestamp, windowEnd: Timestamp) -> [ProfileRow] {
        columnProfiles().map {
            $0.row(endpoint: endpoint, modelVersion: modelVersion,
                   windowStartMicroseconds: windowStart.microsecondsSinceEpoch,
                   windowEndMicroseconds: windowEnd.microsecondsSinceEpoch)
        }
    }

    /// Adds another window of the same profiler (same schema and bins).
    public mutating func merge(_ other: WindowProfile) throws(ProfileError) {
        guard numeric.count == other.numeric.count, categorical.count == other.categorical.count,
              profiler.columns == other.profiler.columns else {
            throw .invalidArgument(name: "window", detail: "the windows profile different columns")
        }
        for i in numeric.indices { try numeric[i].merge(other.numeric[i]) }
        for i in categorical.indices { categorical[i].merge(other.categorical[i]) }
        records += other.records
        labels += other.labels
        outOfRangeValues += other.outOfRangeValues
        if outOfRangeExample == nil { outOfRangeExample = other.outOfRangeExample }
    }

    /// Adds `x` to numeric column `slot`; a finite value beyond ``ValueRange/maxMagnitude`` counts as missing
    /// and in ``outOfRangeValues`` (see ``ValueRange``).
    @inline(__always)
    mutating func addNumber(slot: Int, _ x: Double) {
        if ValueRange.isOutOfRange(x) {
            outOfRangeValues += 1
            if outOfRangeExample == nil { outOfRangeExample = (profiler.numericNames[slot], x) }
            numeric[slot].addMissing()
        } else {
            numeric[slot].add(x)
        }
    }
}
