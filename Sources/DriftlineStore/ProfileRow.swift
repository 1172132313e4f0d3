/// One row of the `profiles` table (DESIGN.md), as plain values; the store turns it into Parquet.
/// Numeric-only fields are `nil` for categorical rows and vice versa.
public struct ProfileRow: Sendable, Equatable {
    public var endpoint: String
    public var modelVersion: String
    /// Window bounds in microseconds since the Unix epoch, UTC.
    public var windowStartMicroseconds: Int64
    public var windowEndMicroseconds: Int64
    public var columnName: String
    /// `numeric` or `categorical`.
    public var columnKind: String
    /// Non-missing values.
    public var count: Int64
    /// NaN, infinite or absent values.
    public var missingCount: Int64
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    /// Sum of squared deviations from the mean.
    public var m2: Double?
    public var p05: Double?
    public var p25: Double?
    public var p50: Double?
    public var p75: Double?
    public var p95: Double?
    /// KLL doubles sketch, DataSketches compact serialization.
    public var sketch: [UInt8]?
    public var histogram: [Int64]?
    public var referenceID: String?
    public var categories: [String]?
    public var categoryCounts: [Int64]?
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
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStartMicroseconds = windowStartMicroseconds
        self.windowEndMicroseconds = windowEndMicroseconds
        self.columnName = columnName
        self.columnKind = columnKind
        self.count = count
        self.missingCount = missingCount
        self.min = min
        self.max = max
        self.mean = mean
        self.m2 = m2
        self.p05 = p05
        self.p25 = p25
        self.p50 = p50
        self.p75 = p75
        self.p95 = p95
        self.sketch = sketch
        self.histogram = histogram
        self.referenceID = referenceID
        self.categories = categories
        self.categoryCounts = categoryCounts
        self.otherCategories = otherCategories
        self.otherCategoryCounts = otherCategoryCounts
        self.belowReferenceMin = belowReferenceMin
        self.aboveReferenceMax = aboveReferenceMax
    }
}
