import Foundation

/// The Kolmogorov distribution's survival function, `scipy.special.kolmogorov(y)`:
/// P(K > y) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²y²}; for small y, 1 − √(2π)/y Σ e^{−(2k−1)²π²/(8y²)}.
public enum Kolmogorov {
    public static func survival(_ y: Double) -> Double {
        guard y.isFinite else { return y > 0 ? 0 : 1 }
        guard y > 0 else { return 1 }
        if y < 0.82 {
            // Jacobi theta form of the CDF: converges fast where the alternating series does not.
            let scale = -Double.pi * Double.pi / (8 * y * y)
            var cdf = 0.0
            var k = 1.0
            while true {
                let term = exp(scale * k * k)
                cdf += term
                if term < 1e-17 * cdf || k > 200 { break }
                k += 2
            }
            return Swift.max(0, Swift.min(1, 1 - (2 * Double.pi).squareRoot() / y * cdf))
        }
        var sum = 0.0
        var sign = 1.0
        var k = 1.0
        while k < 200 {
            let term = exp(-2 * k * k * y * y)
            sum += sign * term
            if term < 1e-18 { break }
            sign = -sign
            k += 1
        }
        return Swift.max(0, Swift.min(1, 2 * sum))
    }
}
