/// Distances read from two KLL sketches: the Kolmogorov–Smirnov statistic and the Wasserstein-1
/// distance between their step CDFs (sketch error inflates both; see DESIGN.md's bounds).
public enum SketchComparison {
    /// sup |F_actual − F_baseline| over both sketches' retained items, with its approximate p-value
    /// `kolmogorov(D·√(n·m/(n+m)))`. Throws `emptyDistribution` if either sketch is empty.
    public static func kolmogorovSmirnov(actual: KLLSketch, baseline: KLLSketch) throws(ProfileError) -> (statistic: Double, pValue: Double) {
        guard !actual.isEmpty else { throw .emptyDistribution(side: "actual") }
        guard !baseline.isEmpty else { throw .emptyDistribution(side: "baseline") }
        var supremum = 0.0
        walk(actual.sortedView(), baseline.sortedView()) { _, fa, fb, _ in
            supremum = Swift.max(supremum, abs(fa - fb))
        }
        let n = Double(actual.count), m = Double(baseline.count)
        let effective = n * m / (n + m)
        return (supremum, Kolmogorov.survival(supremum * effective.squareRoot()))
    }

    /// ∫ |F_actual(x) − F_baseline(x)| dx = ∫₀¹ |Q_actual(u) − Q_baseline(u)| du, in the values' units.
    /// Heavy tails make this the least exact sketch value: over 60 compaction seeds at n = 50,000 a
    /// log-normal or Pareto column exceeded DESIGN.md's 0.1 σ + 5 % bound in 1–3 runs in 60
    /// (interpolating the quantile functions instead was measured and did worse).
    public static func wasserstein(actual: KLLSketch, baseline: KLLSketch) throws(ProfileError) -> Double {
        guard !actual.isEmpty else { throw .emptyDistribution(side: "actual") }
        guard !baseline.isEmpty else { throw .emptyDistribution(side: "baseline") }
        var total = 0.0
        walk(actual.sortedView(), baseline.sortedView()) { x, fa, fb, next in
            if let next, next.isFinite, x.isFinite { total += abs(fa - fb) * (next - x) }
        }
        return total
    }

    /// The KS statistic with its p-value and the Wasserstein-1 distance (as ``kolmogorovSmirnov(actual:baseline:)``
    /// and ``wasserstein(actual:baseline:)`` compute them), from one sorted view of each sketch and one walk.
    public static func distances(actual: KLLSketch, baseline: KLLSketch) throws(ProfileError)
        -> (ksStatistic: Double, ksPValue: Double, wasserstein: Double) {
        guard !actual.isEmpty else { throw .emptyDistribution(side: "actual") }
        guard !baseline.isEmpty else { throw .emptyDistribution(side: "baseline") }
        var supremum = 0.0
        var total = 0.0
        walk(actual.sortedView(), baseline.sortedView()) { x, fa, fb, next in
            let gap = abs(fa - fb)
            supremum = Swift.max(supremum, gap)
            if let next, next.isFinite, x.isFinite { total += gap * (next - x) }
        }
        let n = Double(actual.count), m = Double(baseline.count)
        let effective = n * m / (n + m)
        return (supremum, Kolmogorov.survival(supremum * effective.squareRoot()), total)
    }

    /// Visits every distinct retained value x of both views, ascending, with both inclusive CDFs at x
    /// and the next distinct value (nil at the end).
    static func walk(_ a: KLLSketch.SortedView, _ b: KLLSketch.SortedView, _ body: (Double, Double, Double, Double?) -> Void) {
        let totalA = Double(a.totalWeight), totalB = Double(b.totalWeight)
        var ia = 0, ib = 0
        var weightA: UInt64 = 0, weightB: UInt64 = 0
        while ia < a.values.count || ib < b.values.count {
            let x: Double
            if ib == b.values.count || (ia < a.values.count && a.values[ia] <= b.values[ib]) { x = a.values[ia] } else { x = b.values[ib] }
            while ia < a.values.count && a.values[ia] == x { weightA = a.cumulativeWeights[ia]; ia += 1 }
            while ib < b.values.count && b.values[ib] == x { weightB = b.cumulativeWeights[ib]; ib += 1 }
            var next: Double? = nil
            if ia < a.values.count { next = a.values[ia] }
            if ib < b.values.count { next = Swift.min(next ?? .infinity, b.values[ib]) }
            body(x, Double(weightA) / totalA, Double(weightB) / totalB, next)
        }
    }
}
