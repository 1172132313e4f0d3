import Profiles

/// The analysed window's own figures of one column (no baseline): what exports that describe a window
/// rather than compare it need, such as MLWatcher's per-bucket statistics (`AnodotMetrics+MLWatcher`).
///
/// Quantiles come from the column's KLL sketch (rank error about 1 %), the standard deviation is the
/// population one (divided by n, as numpy's `std`), categories are the profile's exact counts (values
/// beyond the profile's capacity are counted under `__other__`).
public struct ColumnSummary: Sendable, Equatable {
    /// One category and its count.
    public struct Category: Sendable, Equatable {
        public var value: String
        public var count: Int64
    }

    /// Values present (finite numbers, or categories).
    public var count: Int64
    public var missingCount: Int64
    /// Numeric columns with values: mean, population standard deviation, min, max and quartiles.
    public var mean: Double?
    public var populationStandardDeviation: Double?
    public var min: Double?
    public var max: Double?
    public var q25: Double?
    public var q50: Double?
    public var q75: Double?
    /// Categorical columns: each value seen with its count, largest first (ties by value), `__other__` last.
    public var categories: [Category]?

    /// The summary of a profile.
    public init(_ profile: ColumnProfile) {
        count = profile.count
        missingCount = profile.missingCount
        if let numeric = profile.numeric {
            let moments = numeric.moments
            if moments.count > 0 {
                mean = moments.mean
                min = moments.min
                max = moments.max
                let n = Double(moments.count)
                populationStandardDeviation = moments.count == 1 ? 0 : moments.standardDeviation.map { $0 * ((n - 1) / n).squareRoot() }
                let view = numeric.sketch.sortedView()
                q25 = view.quantile(0.25)
                q50 = view.quantile(0.5)
                q75 = view.quantile(0.75)
            }
        }
        if let categorical = profile.categorical {
            var list = categorical.counts.map { Category(value: $0.key, count: $0.value) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
            if categorical.otherCount > 0 { list.append(Category(value: CategoryCounts.otherCategory, count: categorical.otherCount)) }
            categories = list
        }
    }

    /// The columns worth summarising: the features and the reserved columns MLWatcher describes
    /// (`:prediction`, `:pred1`, `:spread12`).
    static func of(_ columns: [String: ColumnProfile]) -> [String: ColumnSummary] {
        let reserved: Set = [DerivedColumns.prediction, DerivedColumns.pred1, DerivedColumns.spread12]
        var out: [String: ColumnSummary] = [:]
        for (name, profile) in columns where !name.hasPrefix(":") || reserved.contains(name) {
            out[name] = ColumnSummary(profile)
        }
        return out
    }
}
