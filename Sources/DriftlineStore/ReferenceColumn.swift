import Profiles

/// One column of a `Reference`: its training-set profile and, for numeric columns, the drift bins.
@dynamicMemberLookup
public struct ReferenceColumn: Sendable, Equatable {
    public var name: String
    public var kind: ColumnProfile.Kind
    /// Counts, moments, quantiles, sketch (base64 in the file), the training counts over the bins of `edges`
    /// (`edges.count + 1` entries) and the categories by count descending (also readable as `column.count`…).
    public var statistics: ProfileStatistics
    /// Interior bin edges (numeric), DESIGN.md's reference bins.
    public var edges: [Double]?
    /// Numeric probability columns profiled from a labelled set: the reliability table over the bins of `edges`
    /// and its calibration map (`:proba:<class>`: the label is the class; `:pred1`: the prediction is right).
    public var calibration: CalibrationMap?

    public init(name: String, kind: ColumnProfile.Kind, count: Int64, missingCount: Int64,
                min: Double? = nil, max: Double? = nil, mean: Double? = nil, m2: Double? = nil,
                p05: Double? = nil, p25: Double? = nil, p50: Double? = nil, p75: Double? = nil, p95: Double? = nil,
                sketch: [UInt8]? = nil, edges: [Double]? = nil, histogram: [Int64]? = nil,
                categories: [String]? = nil, categoryCounts: [Int64]? = nil, calibration: CalibrationMap? = nil) {
        self.init(name: name, kind: kind,
                  statistics: ProfileStatistics(count: count, missingCount: missingCount, min: min, max: max, mean: mean, m2: m2,
                                                p05: p05, p25: p25, p50: p50, p75: p75, p95: p95, sketch: sketch, histogram: histogram,
                                                categories: categories, categoryCounts: categoryCounts),
                  edges: edges, calibration: calibration)
    }

    /// A column from its statistics and, for numeric columns, its bin edges and calibration map.
    public init(name: String, kind: ColumnProfile.Kind, statistics: ProfileStatistics,
                edges: [Double]? = nil, calibration: CalibrationMap? = nil) {
        self.name = name
        self.kind = kind
        self.statistics = statistics
        self.edges = edges
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
        var statistics = profile.row(endpoint: "", modelVersion: "", windowStartMicroseconds: 0, windowEndMicroseconds: 1).statistics
        statistics.histogram = nil
        self.init(name: profile.columnName, kind: profile.kind, statistics: statistics)
    }

    /// The column as a mergeable profile (moments + sketch, or category counts), without bins.
    public func profile() throws(ProfileError) -> ColumnProfile {
        var mergeable = statistics
        mergeable.p05 = nil; mergeable.p25 = nil; mergeable.p50 = nil; mergeable.p75 = nil; mergeable.p95 = nil
        mergeable.histogram = nil
        return try ColumnProfile(row: ProfileRow(endpoint: "", modelVersion: "", windowStartMicroseconds: 0, windowEndMicroseconds: 1,
                                                 columnName: name, columnKind: kind.rawValue, statistics: mergeable))
    }

    /// The statistics' fields as the column's own (`column.count`, `column.histogram`).
    public subscript<Value>(dynamicMember field: WritableKeyPath<ProfileStatistics, Value>) -> Value {
        get { statistics[keyPath: field] }
        set { statistics[keyPath: field] = newValue }
    }
}
