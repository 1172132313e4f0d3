/// One row of the `profiles` table (DESIGN.md), as plain values; the store turns it into Parquet.
/// Numeric-only fields are `nil` for categorical rows and vice versa.
@dynamicMemberLookup
public struct ProfileRow: Sendable, Equatable {
    public var endpoint: String
    public var modelVersion: String
    /// Window bounds in microseconds since the Unix epoch, UTC.
    public var windowStartMicroseconds: Int64
    public var windowEndMicroseconds: Int64
    public var columnName: String
    /// `numeric` or `categorical`.
    public var columnKind: String
    /// Counts, moments, quantiles, sketch, histogram and category counts (also readable as `row.count`, `row.p50`…).
    public var statistics: ProfileStatistics
    public var referenceID: String?
    /// Categorical only: some of the values counted under `__other__` with their counts (the largest, at most 32).
    public var otherCategories: [String]?
    public var otherCategoryCounts: [Int64]?
    /// Numeric rows with a histogram: values below the reference's training minimum / above its maximum.
    public var belowReferenceMin: Int64?
    public var aboveReferenceMax: Int64?

    public init(endpoint: String, modelVersion: String, windowStartMicroseconds: Int64, windowEndMicroseconds: Int64,
                columnName: String, columnKind: String, count: Int64, missingCount: Int64,
                min: Double? = nil, max: Double? = nil, mean: Double? = nil, m2: Double? = nil,
                p05: Double? = nil, p25: Double? = nil, p50: Double? = nil, p75: Double? = nil, p95: Double? = nil,
                sketch: [UInt8]? = nil, histogram: [Int64]? = nil, referenceID: String? = nil,
                categories: [String]? = nil, categoryCounts: [Int64]? = nil,
                otherCategories: [String]? = nil, otherCategoryCounts: [Int64]? = nil,
                belowReferenceMin: Int64? = nil, aboveReferenceMax: Int64? = nil) {
        self.init(endpoint: endpoint, modelVersion: modelVersion,
                  windowStartMicroseconds: windowStartMicroseconds, windowEndMicroseconds: windowEndMicroseconds,
                  columnName: columnName, columnKind: columnKind,
                  statistics: ProfileStatistics(count: count, missingCount: missingCount, min: min, max: max, mean: mean, m2: m2,
                                                p05: p05, p25: p25, p50: p50, p75: p75, p95: p95, sketch: sketch, histogram: histogram,
                                                categories: categories, categoryCounts: categoryCounts),
                  referenceID: referenceID, otherCategories: otherCategories, otherCategoryCounts: otherCategoryCounts,
                  belowReferenceMin: belowReferenceMin, aboveReferenceMax: aboveReferenceMax)
    }

    /// A row from its statistics and the row's own fields.
    public init(endpoint: String, modelVersion: String, windowStartMicroseconds: Int64, windowEndMicroseconds: Int64,
                columnName: String, columnKind: String, statistics: ProfileStatistics, referenceID: String? = nil,
                otherCategories: [String]? = nil, otherCategoryCounts: [Int64]? = nil,
                belowReferenceMin: Int64? = nil, aboveReferenceMax: Int64? = nil) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStartMicroseconds = windowStartMicroseconds
        self.windowEndMicroseconds = windowEndMicroseconds
        self.columnName = columnName
        self.columnKind = columnKind
        self.statistics = statistics
        self.referenceID = referenceID
        self.otherCategories = otherCategories
        self.otherCategoryCounts = otherCategoryCounts
        self.belowReferenceMin = belowReferenceMin
        self.aboveReferenceMax = aboveReferenceMax
    }

    /// The statistics' fields as the row's own (`row.count`, `row.sketch`).
    public subscript<Value>(dynamicMember field: WritableKeyPath<ProfileStatistics, Value>) -> Value {
        get { statistics[keyPath: field] }
        set { statistics[keyPath: field] = newValue }
    }
}
