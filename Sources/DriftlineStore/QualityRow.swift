import DeltaTable
import Parquet

/// One row of the `quality` table (docs/tables.md): one data-quality check of one column of one model in
/// one analysis window, against the model's reference.
public struct QualityRow: Sendable, Equatable {
    public var endpoint: String
    public var modelVersion: String
    /// The analysis window, µs since the epoch, UTC.
    public var windowStartMicroseconds: Int64
    public var windowEndMicroseconds: Int64
    public var columnName: String
    /// `missing_share`, `below_training_min`, `above_training_max` or `unseen_categories`.
    public var check: String
    /// The window's share (nil when the window has no value to take it over).
    public var value: Double?
    /// The reference's share.
    public var baselineValue: Double?
    /// One-sided evidence that the window's share is larger than the reference allows.
    public var pValue: Double?
    /// `alert`, `ok` or `insufficient_data`.
    public var status: String
    /// Values (or records, for `missing_share`) the share is taken over, and how many of them were flagged.
    public var count: Int64
    public var flaggedCount: Int64
    /// `unseen_categories`: the unseen values, by count descending (ties by value), with their counts.
    public var newCategories: [String]?
    public var newCategoryCounts: [Int64]?

    public init(endpoint: String, modelVersion: String, windowStartMicroseconds: Int64, windowEndMicroseconds: Int64,
                columnName: String, check: String, value: Double?, baselineValue: Double?, pValue: Double?, status: String,
                count: Int64, flaggedCount: Int64, newCategories: [String]? = nil, newCategoryCounts: [Int64]? = nil) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStartMicroseconds = windowStartMicroseconds
        self.windowEndMicroseconds = windowEndMicroseconds
        self.columnName = columnName
        self.check = check
        self.value = value
        self.baselineValue = baselineValue
        self.pValue = pValue
        self.status = status
        self.count = count
        self.flaggedCount = flaggedCount
        self.newCategories = newCategories
        self.newCategoryCounts = newCategoryCounts
    }

    /// The `quality` table's Delta schema.
    public static let deltaSchema = DeltaSchema([
        DeltaField("endpoint", .string, nullable: false),
        DeltaField("model_version", .string, nullable: false),
        DeltaField("window_start", .timestamp, nullable: false),
        DeltaField("window_end", .timestamp, nullable: false),
        DeltaField("column_name", .string, nullable: false),
        DeltaField("check", .string, nullable: false),
        DeltaField("value", .double),
        DeltaField("baseline_value", .double),
        DeltaField("p_value", .double),
        DeltaField("status", .string, nullable: false),
        DeltaField("count", .long, nullable: false),
        DeltaField("flagged_count", .long, nullable: false),
        DeltaField("new_categories", .array(element: .string, containsNull: false)),
        DeltaField("new_category_counts", .array(element: .long, containsNull: false)),
    ])
}

extension QualityRow: AnalysisRowCodec {
    var fileValues: [ParquetValue] {
        [.string(modelVersion), .int64(windowStartMicroseconds), .int64(windowEndMicroseconds), .string(columnName), .string(check),
         .optional(value), .optional(baselineValue), .optional(pValue), .string(status), .int64(count), .int64(flaggedCount),
         .optional(strings: newCategories), .optional(longs: newCategoryCounts)]
    }

    init(_ r: ValueReader, endpoint: String) throws(StoreError) {
        self.init(endpoint: endpoint, modelVersion: try r.string("model_version"),
                  windowStartMicroseconds: try r.int64("window_start"), windowEndMicroseconds: try r.int64("window_end"),
                  columnName: try r.string("column_name"), check: try r.string("check"),
                  value: try r.optionalDouble("value"), baselineValue: try r.optionalDouble("baseline_value"),
                  pValue: try r.optionalDouble("p_value"), status: try r.string("status"),
                  count: try r.int64("count"), flaggedCount: try r.int64("flagged_count"),
                  newCategories: try r.optionalStringList("new_categories"), newCategoryCounts: try r.optionalInt64List("new_category_counts"))
    }
}
