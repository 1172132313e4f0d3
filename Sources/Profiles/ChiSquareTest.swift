import Foundation

/// Pearson's χ² test of homogeneity on the 2 × B table actual vs baseline, over the bins that are
/// non-empty on at least one side (scipy's `chi2_contingency(t[:, t.sum(0) > 0], correction=False)`).
public struct ChiSquareTest: Sendable, Equatable {
    /// Pearson's statistic.
    public var statistic: Double
    /// Degrees of freedom: non-empty bins − 1.
    public var degreesOfFreedom: Int
    /// Survival function of χ²(dof) at the statistic; 1 when dof = 0.
    public var pValue: Double

    /// Throws `mismatchedBins` for different lengths or bad counts, `emptyDistribution` when a side is empty.
    public init(actual: [Double], baseline: [Double]) throws(ProfileError) {
        guard actual.count == baseline.count, !actual.isEmpty else {
            throw .mismatchedBins(detail: "actual has \(actual.count) bins, baseline \(baseline.count)")
        }
        for (side, counts) in [("actual", actual), ("baseline", baseline)] {
            if let bad = counts.first(where: { !$0.isFinite || $0 < 0 }) {
                throw .mismatchedBins(detail: "\(side) has a count of \(bad); counts must be finite and ≥ 0")
            }
        }
        let columns = actual.indices.filter { actual[$0] + baseline[$0] > 0 }
        let actualTotal = columns.reduce(0.0) { $0 + actual[$1] }
        let baselineTotal = columns.reduce(0.0) { $0 + baseline[$1] }
        guard actualTotal > 0 else { throw .emptyDistribution(side: "actual") }
        guard baselineTotal > 0 else { throw .emptyDistribution(side: "baseline") }
        degreesOfFreedom = columns.count - 1
        guard degreesOfFreedom > 0 else {
            statistic = 0
            pValue = 1
            return
        }
        let total = actualTotal + baselineTotal
        var chi2 = 0.0
        for j in columns {
            let columnTotal = actual[j] + baseline[j]
            let expectedActual = actualTotal * columnTotal / total
            let expectedBaseline = baselineTotal * columnTotal / total
            chi2 += (actual[j] - expectedActual) * (actual[j] - expectedActual) / expectedActual
            chi2 += (baseline[j] - expectedBaseline) * (baseline[j] - expectedBaseline) / expectedBaseline
        }
        statistic = chi2
        pValue = Self.survival(chi2, degreesOfFreedom: degreesOfFreedom)
    }

    /// Convenience for integer counts.
    public init(actual: [Int64], baseline: [Int64]) throws(ProfileError) {
        try self.init(actual: actual.map(Double.init), baseline: baseline.map(Double.init))
    }

    /// P(χ²(dof) > x) = Q(dof/2, x/2), the regularized upper incomplete gamma function.
    public static func survival(_ x: Double, degreesOfFreedom: Int) -> Double {
        guard degreesOfFreedom > 0 else { return 1 }
        guard x > 0 else { return 1 }
        if x.isInfinite { return 0 }
        return IncompleteGamma.upperRegularized(Double(degreesOfFreedom) / 2, x / 2)
    }
}
