import Profiles

/// One column of a `Reference`: its training-set profile and, for numeric columns, the drift bins.
public struct ReferenceColumn: Sendable, Equatable {
    public var name: String
    public var kind: ColumnProfile.Kind
    /// Non-missing values.
    public var count: Int64
    /// NaN, ±∞ or absent values.
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
    /// KLL doubles sketch (k = 200), DataSketches compact serialization (base64 in the file).
    public var sketch: [UInt8]?
    /// Interior bin edges (numeric), DESIGN.md's reference bins.
    public var edges: [Double]?
    /// Training counts over the bins of `edges` (`edges.count + 1` entries).
    public var histogram: [Int64]?
    /// Categories, by count descending (categorical; `__other__` last if the cap was reached).
    public var categories: [String]?
    public var categoryCounts: [Int64]?
    /// Numeric probability columns profiled from a labelled set: the reliability table over the bins of `edges`
    /// and its calibration map (`:proba:<class>`: the label is the class; `:pred1`: the prediction is right).
    public var calibration: CalibrationMap?

    public init(name: String, kind: ColumnProfile.Kind, count: Int64, missingCount: Int64,
                min: Double? = nil, max: Double? = nil, mean: Double? = nil, m2: Double? = nil,
                p05: Double? = nil, p25: Double? = nil, p50: Double? = nil, p75: Double? = nil, p95: Double? = nil,
                sketch: [UInt8]? = nil, edges: [Double]? = nil, histogram: [Int64]? = nil,
                categories: [String]? = nil, categoryCounts: [Int64]? = nil, calibration: CalibrationMap? = nil) {
        self.name = name
        self.kind = kind
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
        self.edges = edges
        self.histogram = histogram
        self.categories = categories
        self.categoryCounts = categoryCounts
        self.calibration = calibration
    }

    /// The sketch's compaction coin is seeded, so that profiling the same training values twice gives
    /// the same bytes and therefore the same `reference_id`.
    static let sketchSeed: UInt64 = 0x6472_6966_746c_696e

    /// A numeric column profiled from training values (NaN and ±∞ are missing), with DESIGN.md's
    /// reference bins (`binCount` quantile bins, repeated edges dropped) and the training counts over them.
    /// `extraEdge` is added to the quantile edges (a binary model's threshold on its positive class's probability).
    public static func numeric(name: String, values: [Double], binCount: Int = 20,
                               extraEdge: Double? = nil) throws(ProfileError) -> ReferenceColumn {
        var profile = try NumericProfile(bins: nil, k: KLLSketch.defaultK, seed: sketchSeed)
        for value in values { profile.add(value) }
        var bins = try ReferenceBins(referenceID: "", trainingValues: values, binCount: binCount)
        if let extraEdge { bins = try bins.adding(edge: extraEdge) }
        var column = ReferenceColumn(profile: ColumnProfile(columnName: name, statistics: .numeric(profile)))
        column.edges = bins.edges
        column.histogram = bins.counts(of: values)
        return column
    }

    /// A categorical column counted from training values (`nil` is missing).
    public static func categorical(name: String, values: [String?]) -> ReferenceColumn {
        var counts = CategoryCounts()
        for value in values { counts.add(value) }
        return ReferenceColumn(profile: ColumnProfile(columnName: name, statistics: .categorical(counts)))
    }

    /// A column from a profile (without bins: set `edges` and `histogram` for a numeric column that should have them).
    public init(profile: ColumnProfile) {
        let row = profile.row(endpoint: "", modelVersion: "", windowStartMicroseconds: 0, windowEndMicroseconds: 1)
        self.init(name: profile.columnName, kind: profile.kind, count: row.count, missingCount: row.missingCount,
                  min: row.min, max: row.max, mean: row.mean, m2: row.m2,
                  p05: row.p05, p25: row.p25, p50: row.p50, p75: row.p75, p95: row.p95, sketch: row.sketch,
                  categories: row.categories, categoryCounts: row.categoryCounts)
    }

    /// The column as a mergeable profile (moments + sketch, or category counts), without bins.
    public func profile() throws(ProfileError) -> ColumnProfile {
        try ColumnProfile(row: ProfileRow(endpoint: "", modelVersion: "", windowStartMicroseconds: 0, windowEndMicroseconds: 1,
                                          columnName: name, columnKind: kind.rawValue, count: count, missingCount: missingCount,
                                          min: min, max: max, mean: mean, m2: m2, sketch: sketch,
                                          categories: categories, categoryCounts: categoryCounts))
    }
}
