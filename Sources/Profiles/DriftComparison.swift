/// Every drift measure of one column, actual window against a baseline (the reference or the
/// previous window): the row of the `drift` table minus its keys.
///
/// ```swift
/// let drift = try DriftComparison(actual: hour, baseline: reference,
///                                 bins: .numeric(referenceBins))
/// drift.status      // .noDrift, .possibleDrift, .driftDetected or .insufficientData
/// ```
public struct DriftComparison: Sendable {
    /// How the two sides are binned.
    public enum Binning: Sendable {
        /// Numeric bins of a reference (histograms over the same `reference_id` are used as they are,
        /// other sides are read from their sketches' CDFs at the edges).
        case numeric(ReferenceBins)
        /// The reference's categories plus `__unseen__`.
        case categories([String])
        /// No reference: numeric bins from the baseline sketch's quantiles at i/`binCount`, or the union
        /// of both sides' categories.
        case fromBaseline(binCount: Int)
    }

    public var count: Int64
    public var baselineCount: Int64
    public var missingRatio: Double?
    public var baselineMissingRatio: Double?
    /// Bin labels (edges as text, or categories) and the counts both sides have in them.
    public var binLabels: [String]
    public var actualBinCounts: [Double]
    public var baselineBinCounts: [Double]
    /// TVD, Hellinger, KLD, PSI, JS; `nil` when a side is empty.
    public var distances: BinnedDistances?
    public var chiSquare: ChiSquareTest?
    public var ksStatistic: Double?
    public var ksPValue: Double?
    /// Wasserstein-1 between the sketches, divided by the baseline's sample standard deviation
    /// (`nil` when that is 0 or undefined, or a side is empty).
    public var wasserstein: Double?
    /// PSI (`nil` when a side is empty).
    public var driftScore: Double? { distances?.psi }
    public var status: DriftStatus

    /// Compares two profiles of the same column; throws for different kinds or unusable bins.
    public init(actual: ColumnProfile, baseline: ColumnProfile, binning: Binning,
                thresholds: DriftThresholds = DriftThresholds()) throws(ProfileError) {
        guard actual.kind == baseline.kind else {
            throw .differentKinds(column: actual.columnName, actual.kind.rawValue, baseline.kind.rawValue)
        }
        count = actual.count
        baselineCount = baseline.count
        missingRatio = Self.ratio(actual.missingCount, actual.count + actual.missingCount)
        baselineMissingRatio = Self.ratio(baseline.missingCount, baseline.count + baseline.missingCount)
        switch (actual.statistics, baseline.statistics) {
        case let (.numeric(a), .numeric(b)):
            let bins: ReferenceBins
            switch binning {
            case let .numeric(reference): bins = reference
            case let .fromBaseline(binCount): bins = try ReferenceBins(referenceID: "baseline-sketch", sketch: b.sketch, binCount: binCount)
            case .categories: throw .mismatchedBins(detail: "column '\(actual.columnName)' is numeric but categorical bins were given")
            }
            actualBinCounts = Self.counts(a, over: bins)
            baselineBinCounts = Self.counts(b, over: bins)
            binLabels = Self.labels(edges: bins.edges)
            if !a.sketch.isEmpty && !b.sketch.isEmpty {
                let sketched = try SketchComparison.distances(actual: a.sketch, baseline: b.sketch)
                ksStatistic = sketched.ksStatistic
                ksPValue = sketched.ksPValue
                if let sigma = b.moments.standardDeviation, sigma > 0, sigma.isFinite {
                    wasserstein = sketched.wasserstein / sigma
                }
            }
        case let (.categorical(a), .categorical(b)):
            switch binning {
            case let .categories(reference):
                binLabels = reference + [DerivedColumns.unseenCategory]
                actualBinCounts = a.binCounts(referenceCategories: reference).map(Double.init)
                baselineBinCounts = b.binCounts(referenceCategories: reference).map(Double.init)
            case .fromBaseline:
                let union = Set(a.rowFields.categories).union(b.rowFields.categories).sorted()
                binLabels = union
                func counts(_ c: CategoryCounts) -> [Double] {
                    union.map { Double($0 == CategoryCounts.otherCategory ? c.otherCount : c.counts[$0] ?? 0) }
                }
                actualBinCounts = counts(a)
                baselineBinCounts = counts(b)
            case .numeric: throw .mismatchedBins(detail: "column '\(actual.columnName)' is categorical but numeric bins were given")
            }
        default:
            throw .differentKinds(column: actual.columnName, actual.kind.rawValue, baseline.kind.rawValue)
        }
        let actualTotal = actualBinCounts.reduce(0, +), baselineTotal = baselineBinCounts.reduce(0, +)
        if actualTotal > 0 && baselineTotal > 0 && !actualBinCounts.isEmpty {
            distances = try BinnedDistances(actual: actualBinCounts, baseline: baselineBinCounts)
            chiSquare = try ChiSquareTest(actual: actualBinCounts, baseline: baselineBinCounts)
        }
        if let distances, let chiSquare {
            status = DriftStatus.classify(psi: distances.psi, chiSquarePValue: chiSquare.pValue,
                                          count: count, baselineCount: baselineCount, thresholds: thresholds)
        } else {
            status = .insufficientData
        }
    }

    static func ratio(_ part: Int64, _ whole: Int64) -> Double? {
        whole > 0 ? Double(part) / Double(whole) : nil
    }

    /// The exact histogram when it counts over these bins, else counts read from the sketch.
    static func counts(_ profile: NumericProfile, over bins: ReferenceBins) -> [Double] {
        if let histogram = profile.histogram, profile.bins == bins { return histogram.map(Double.init) }
        return bins.counts(of: profile.sketch).map(Double.init)
    }

    static func labels(edges: [Double]) -> [String] {
        guard !edges.isEmpty else { return ["(-inf, +inf)"] }
        var labels = ["(-inf, \(edges[0]))"]
        for i in 0..<(edges.count - 1) { labels.append("[\(edges[i]), \(edges[i + 1]))") }
        labels.append("[\(edges[edges.count - 1]), +inf)")
        return labels
    }
}
