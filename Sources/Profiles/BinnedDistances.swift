import Foundation

/// The distances between two distributions over the same bins, exactly as DESIGN.md defines them.
///
/// p = actual proportions, q = baseline proportions. KLD and PSI use smoothed proportions
/// p̃ = (p + ε) / (1 + Bε) (ε = 1e-4 by default); TVD, Hellinger and JS use the raw ones.
public struct BinnedDistances: Sendable, Equatable {
    /// Total variation distance ½ Σ |pᵢ − qᵢ|.
    public var tvd: Double
    /// Hellinger distance √(½ Σ (√pᵢ − √qᵢ)²).
    public var hellinger: Double
    /// KL divergence Σ p̃ᵢ ln(p̃ᵢ / q̃ᵢ), actual relative to baseline.
    public var kld: Double
    /// Population stability index Σ (p̃ᵢ − q̃ᵢ) ln(p̃ᵢ / q̃ᵢ).
    public var psi: Double
    /// Jensen–Shannon distance with base-2 logarithms (scipy's `jensenshannon(p, q, base=2)`).
    public var jsDistance: Double

    /// The smoothing constant of DESIGN.md.
    public static let defaultEpsilon = 1e-4

    /// Distances between bin counts `actual` and `baseline` (same length, non-negative, finite).
    /// Throws `mismatchedBins` for different lengths or bad counts, `emptyDistribution` when a side sums to 0.
    public init(actual: [Double], baseline: [Double], epsilon: Double = BinnedDistances.defaultEpsilon) throws(ProfileError) {
        guard actual.count == baseline.count, !actual.isEmpty else {
            throw .mismatchedBins(detail: "actual has \(actual.count) bins, baseline \(baseline.count)")
        }
        for (side, counts) in [("actual", actual), ("baseline", baseline)] {
            if let bad = counts.first(where: { !$0.isFinite || $0 < 0 }) {
                throw .mismatchedBins(detail: "\(side) has a count of \(bad); counts must be finite and ≥ 0")
            }
        }
        let actualTotal = actual.reduce(0, +), baselineTotal = baseline.reduce(0, +)
        guard actualTotal > 0 else { throw .emptyDistribution(side: "actual") }
        guard baselineTotal > 0 else { throw .emptyDistribution(side: "baseline") }
        let p = actual.map { $0 / actualTotal }
        let q = baseline.map { $0 / baselineTotal }
        let binCount = Double(p.count)
        var tvd = 0.0, hellingerSum = 0.0, kld = 0.0, psi = 0.0, js = 0.0
        for i in p.indices {
            tvd += abs(p[i] - q[i])
            let root = p[i].squareRoot() - q[i].squareRoot()
            hellingerSum += root * root
            let ps = (p[i] + epsilon) / (1 + binCount * epsilon)
            let qs = (q[i] + epsilon) / (1 + binCount * epsilon)
            let logRatio = log(ps / qs)
            kld += ps * logRatio
            psi += (ps - qs) * logRatio
            let m = (p[i] + q[i]) / 2
            if p[i] > 0 { js += p[i] * log(p[i] / m) }
            if q[i] > 0 { js += q[i] * log(q[i] / m) }
        }
        self.tvd = tvd / 2
        hellinger = (hellingerSum / 2).squareRoot()
        self.kld = kld
        self.psi = psi
        jsDistance = Swift.max(0, js / 2 / log(2.0)).squareRoot()
    }

    /// Convenience for integer counts.
    public init(actual: [Int64], baseline: [Int64], epsilon: Double = BinnedDistances.defaultEpsilon) throws(ProfileError) {
        try self.init(actual: actual.map(Double.init), baseline: baseline.map(Double.init), epsilon: epsilon)
    }
}
