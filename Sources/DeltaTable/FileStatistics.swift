import DriftlineCore
/// Per-file statistics, stored as the `stats` JSON of an `add` action: the record count and, per column,
/// the smallest and largest value and the number of nulls. Readers use them to skip files; `replace`
/// uses a timestamp column's range to find the files of a time range.
///
/// ```swift
/// var stats = FileStatistics(numRecords: 3)
/// stats.record("count", longs: [4, nil, 9])
/// stats.record("window_start", timestamps: [t0, t0, t1])
/// let add = AddFile(relativePath: path, size: size, modificationTime: .now(), statistics: stats)
/// ```
public struct FileStatistics: Sendable, Hashable {
    public var numRecords: Int64
    /// Column → smallest value (a nested object for struct columns).
    public var minValues: [String: JSONValue]
    /// Column → largest value.
    public var maxValues: [String: JSONValue]
    /// Column → number of nulls.
    public var nullCount: [String: JSONValue]

    public init(numRecords: Int64, minValues: [String: JSONValue] = [:], maxValues: [String: JSONValue] = [:],
                nullCount: [String: JSONValue] = [:]) {
        self.numRecords = numRecords
        self.minValues = minValues
        self.maxValues = maxValues
        self.nullCount = nullCount
    }

    /// Records an integer column's statistics.
    public mutating func record(_ column: String, longs values: [Int64?]) {
        let present = values.compactMap { $0 }
        set(column, min: present.min().map { .int($0) }, max: present.max().map { .int($0) },
            nulls: values.count - present.count)
    }

    /// Records a floating-point column's statistics. NaN counts neither as null nor in the bounds,
    /// and infinite bounds are left out (JSON has no infinity), as Spark does.
    public mutating func record(_ column: String, doubles values: [Double?]) {
        let present = values.compactMap { $0 }
        let finite = present.filter(\.isFinite)
        let hasInfinity = finite.count != present.filter { !$0.isNaN }.count
        set(column, min: hasInfinity ? nil : finite.min().map { .double($0) },
            max: hasInfinity ? nil : finite.max().map { .double($0) }, nulls: values.count - present.count)
    }

    /// Records a string column's statistics (bounds compare UTF-8 bytes, as Parquet and Spark do).
    public mutating func record(_ column: String, strings values: [String?]) {
        let present = values.compactMap { $0 }
        let minimum = present.min { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let maximum = present.max { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        set(column, min: minimum.map { .string($0) }, max: maximum.map { .string($0) }, nulls: values.count - present.count)
    }

    /// Records a timestamp column's statistics. Delta stores millisecond bounds: the minimum is rounded
    /// down and the maximum up, so the bounds still hold every value.
    public mutating func record(_ column: String, timestamps values: [Timestamp?]) {
        let present = values.compactMap { $0 }
        let minimum = present.min().map { Timestamp(milliseconds: $0.milliseconds) }
        let maximum = present.max().map { value in
            let down = Timestamp(milliseconds: value.milliseconds)
            return down == value ? down : Timestamp(milliseconds: value.milliseconds + 1)
        }
        set(column, min: minimum.map { .string($0.iso8601Milliseconds) }, max: maximum.map { .string($0.iso8601Milliseconds) },
            nulls: values.count - present.count)
    }

    /// Records a boolean column's statistics (only the null count: Delta keeps no bounds for booleans).
    public mutating func record(_ column: String, booleans values: [Bool?]) {
        set(column, min: nil, max: nil, nulls: values.filter { $0 == nil }.count)
    }

    /// Records only a null count (binary, list, map columns).
    public mutating func recordNulls(_ column: String, count: Int64) {
        nullCount[column] = .int(count)
    }

    private mutating func set(_ column: String, min: JSONValue?, max: JSONValue?, nulls: Int) {
        minValues[column] = min
        maxValues[column] = max
        nullCount[column] = .int(Int64(nulls))
    }

    /// The bounds of a timestamp column, widened to whole milliseconds (upper bound inclusive), or nil
    /// when the statistics hold no bounds for it (no stats, or every value null).
    public func timestampBounds(_ column: String) -> ClosedRange<Timestamp>? {
        guard let low = minValues[column].flatMap(Self.timestamp(from:)),
              let high = maxValues[column].flatMap(Self.timestamp(from:)), low <= high
        else { return nil }
        return low...Timestamp(microsecondsSinceEpoch: high.microsecondsSinceEpoch.saturatingAdd(999))
    }

    private static func timestamp(from value: JSONValue) -> Timestamp? {
        switch value {
        case let .string(text): return Timestamp(iso8601: text)
        case let .int(micros): return Timestamp(microsecondsSinceEpoch: micros)
        default: return nil
        }
    }

    /// The JSON text stored in `add.stats`.
    public var json: String {
        let object: JSONValue = .object([
            "numRecords": .int(numRecords), "minValues": .object(minValues), "maxValues": .object(maxValues),
            "nullCount": .object(nullCount),
        ])
        return object.text(.deltaLog)
    }

    /// Parses `add.stats` JSON; fields other than these four are ignored.
    public init(json text: String) throws {
        guard let object = try? JSONValue.parse(text), let members = object.object else {
            throw DeltaError.invalidArgument("stats is not a JSON object: \(text.prefix(80))")
        }
        numRecords = members["numRecords"]?.int64 ?? 0
        minValues = members["minValues"]?.object?.dictionary ?? [:]
        maxValues = members["maxValues"]?.object?.dictionary ?? [:]
        nullCount = members["nullCount"]?.object?.dictionary ?? [:]
    }
}
