import DriftlineCore
import Parquet

extension FileStatistics {
    /// Statistics of a Parquet data file from its footer: `numRecords`, and for every top-level
    /// primitive column the bounds and null count folded over the row groups. A column some row group
    /// has no bounds for gets none (readers then never skip on it); booleans, binary, lists and maps
    /// get only what Delta keeps for them.
    public init(parquet reader: ParquetReader) {
        self.init(numRecords: reader.rowCount)
        for (index, column) in reader.columns.enumerated() where column.path.count == 1 && column.maxRepetitionLevel == 0 {
            let name = column.path[0]
            var low: ParquetValue?
            var high: ParquetValue?
            var boundsComplete = true
            var nulls: Int64? = 0
            for group in 0..<reader.rowGroupCount {
                guard let stats = reader.statistics(rowGroup: group, column: index) else {
                    boundsComplete = false
                    nulls = nil
                    break
                }
                nulls = stats.nullCount.flatMap { count in nulls.map { $0 + count } }
                let groupRows = reader.metadata.rowGroups[group].numRows
                if stats.nullCount == groupRows { continue }   // all null: no bounds needed from this group
                guard let min = stats.min, let max = stats.max else {
                    boundsComplete = false
                    continue
                }
                if let current = low, let order = ParquetValue.compare(min, current), order >= 0 {} else { low = min }
                if let current = high, let order = ParquetValue.compare(max, current), order <= 0 {} else { high = max }
            }
            if let nulls { nullCount[name] = .int(nulls) }
            guard boundsComplete, let low, let high,
                  let bounds = Self.jsonBounds(low, high, column: column) else { continue }
            minValues[name] = bounds.0
            maxValues[name] = bounds.1
        }
    }

    /// Statistics of the Parquet file in `bytes` (see `init(parquet:)`).
    public init(parquetBytes bytes: [UInt8], name: String = "<data file>") throws {
        do {
            self.init(parquet: try ParquetReader(bytes: bytes, name: name))
        } catch {
            throw DeltaError.invalidArgument("\(name) is not a readable Parquet file: \(error)")
        }
    }

    /// Delta's JSON form of a column's bounds: timestamps as millisecond ISO strings widened outwards.
    private static func jsonBounds(_ low: ParquetValue, _ high: ParquetValue, column: ColumnDescriptor) -> (JSONValue, JSONValue)? {
        if case let .timestamp(_, unit)? = column.logicalType, case let .int64(a) = low, case let .int64(b) = high {
            func micros(_ value: Int64) -> Int64 {
                switch unit {
                case .millis: return Timestamp(milliseconds: value).microsecondsSinceEpoch  // saturating
                case .micros: return value
                case .nanos: return value / 1000
                }
            }
            var stats = FileStatistics(numRecords: 2)
            stats.record("t", timestamps: [Timestamp(microsecondsSinceEpoch: micros(a)),
                                           Timestamp(microsecondsSinceEpoch: micros(b) + (unit == .nanos ? 1 : 0))])
            guard let min = stats.minValues["t"], let max = stats.maxValues["t"] else { return nil }
            return (min, max)
        }
        if column.logicalType != nil, column.logicalType != .string, !isInteger(column.logicalType) { return nil }
        switch (low, high) {
        case let (.int32(a), .int32(b)): return (.int(Int64(a)), .int(Int64(b)))
        case let (.int64(a), .int64(b)): return (.int(a), .int(b))
        case let (.double(a), .double(b)) where a.isFinite && b.isFinite: return (.double(a), .double(b))
        case let (.float(a), .float(b)) where a.isFinite && b.isFinite: return (.double(Double(a)), .double(Double(b)))
        case let (.string(a), .string(b)): return (.string(a), .string(b))
        default: return nil
        }
    }

    private static func isInteger(_ type: LogicalType?) -> Bool {
        if case .integer? = type { return true }
        return false
    }
}
