/// The statistics of one column's profile that a `profiles` row and a reference column both store:
/// counts, moments, quantiles, the KLL sketch, the counts over reference bins and the category counts.
/// Numeric-only fields are `nil` for categorical columns and vice versa.
///
/// `ProfileRow` and `ReferenceColumn` hold one each (`row.statistics`) and expose its fields as their
/// own (`row.count`, `column.p50`) through dynamic member lookup.
public struct ProfileStatistics: Sendable, Equatable {
    /// Non-missing values.
    public var count: Int64
    /// NaN, ±∞ or absent values.
    public var missingCount: Int64
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    /// Sum of squared deviations from the mean.
    public var m2: Double?
    /// Quantiles at `ColumnProfile.rowQuantileRanks` (DataSketches' default, exclusive ranks).
    public var p05: Double?
    public var p25: Double?
    public var p50: Double?
    public var p75: Double?
    public var p95: Double?
    /// KLL doubles sketch, DataSketches compact serialization.
    public var sketch: [UInt8]?
    /// Counts over reference bins (a row: its reference's bins; a reference column: its own `edges`).
    public var histogram: [Int64]?
    /// Categorical: categories by count descending (`__other__` last if the cap was reached) and their counts.
    public var categories: [String]?
    public var categoryCounts: [Int64]?

    public init(count: Int64, missingCount: Int64,
                min: Double? = nil, max: Double? = nil, mean: Double? = nil, m2: Double? = nil,
                p05: Double? = nil, p25: Double? = nil, p50: Double? = nil, p75: Double? = nil, p95: Double? = nil,
                sketch: [UInt8]? = nil, histogram: [Int64]? = nil,
                categories: [String]? = nil, categoryCounts: [Int64]? = nil) {
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
        self.categories = categories
        self.categoryCounts = categoryCounts
    }
}
