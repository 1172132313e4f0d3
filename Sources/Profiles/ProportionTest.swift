import Foundation

/// The tests behind the data-quality checks' evidence: a share in the analysed window against the
/// reference's. One-sided (is the window's share *larger*?), since only an increase is a finding.
public enum ProportionTest {
    /// Two-proportion z-test with the pooled share, one-sided: P(Z ≥ z) for
    /// z = (k₁/n₁ − k₀/n₀) / √(p̂(1 − p̂)(1/n₁ + 1/n₀)), p̂ = (k₁ + k₀)/(n₁ + n₀)
    /// (`statsmodels.stats.proportion.proportions_ztest([k1, k0], [n1, n0], alternative="larger")`).
    /// 1 when either side is empty or the pooled share is 0 or 1 (no variance: no evidence).
    public static func twoProportionPValue(count: Int64, of total: Int64, baselineCount: Int64, of baselineTotal: Int64) -> Double {
        guard total > 0, baselineTotal > 0 else { return 1 }
        let n1 = Double(total), n0 = Double(baselineTotal)
        let pooled = (Double(count) + Double(baselineCount)) / (n1 + n0)
        guard pooled > 0, pooled < 1 else { return 1 }
        let z = (Double(count) / n1 - Double(baselineCount) / n0) / (pooled * (1 - pooled) * (1 / n1 + 1 / n0)).squareRoot()
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// The chance that k or more of n new values lie beyond the extreme (the maximum, or the minimum) of n₀
    /// training values when all n₀ + n come from one continuous distribution: every order of the pooled values
    /// is equally likely, so it is the chance that the k most extreme of them are all new,
    /// C(n, k) / C(n₀ + n, k) = ∏ᵢ₌₀^{k−1} (n − i)/(n₀ + n − i)
    /// (`scipy.stats.hypergeom.pmf(k, n0 + n, n, k)`). Distribution-free; with ties at the extreme it only
    /// overstates the chance (conservative).
    public static func exceedancePValue(count k: Int64, of n: Int64, trainingCount n0: Int64) -> Double {
        guard k > 0 else { return 1 }
        guard n > 0, k <= n, n0 >= 0 else { return 0 }
        var logP = 0.0
        var i: Int64 = 0
        while i < k {
            logP += log(Double(n - i)) - log(Double(n0) + Double(n - i))
            i += 1
            if logP < -745 { return 0 }  // below the smallest double
        }
        return exp(logP)
    }

    /// P(X ≥ k) for X ~ Binomial(n, p) (`scipy.stats.binom.sf(k - 1, n, p)`), summed term by term in log
    /// space from k upward (or 1 minus the terms below k when k is below the mean), to about 1e-13.
    public static func binomialUpperTail(atLeast k: Int64, of n: Int64, probability p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard n > 0, k <= n else { return 0 }
        guard p > 0 else { return 0 }
        guard p < 1 else { return 1 }
        let nd = Double(n)
        let logP = log(p), logQ = log1p(-p)
        let logChooseBase: Double = lgamma(nd + 1)
        func logTerm(_ i: Int64) -> Double {
            let x = Double(i)
            return logChooseBase - lgamma(x + 1) - lgamma(nd - x + 1) + x * logP + (nd - x) * logQ
        }
        if Double(k) >= nd * p {
            // Terms fall from k on: sum until they no longer change the sum.
            var sum = 0.0
            var i = k
            while i <= n {
                let term = exp(logTerm(i))
                sum += term
                if term <= sum * 1e-17 { break }
                i += 1
            }
            return Swift.min(1, sum)
        }
        var lower = 0.0
        var i = k - 1
        while i >= 0 {
            let term = exp(logTerm(i))
            lower += term
            if term <= lower * 1e-17 { break }
            i -= 1
        }
        return Swift.max(0, 1 - lower)
    }
}
