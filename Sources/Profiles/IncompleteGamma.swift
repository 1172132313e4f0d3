import Foundation

/// The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x), to about 1e-14.
enum IncompleteGamma {
    /// Q(a, x) for a > 0, x ≥ 0.
    static func upperRegularized(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x < a + 1 { return Swift.max(0, 1 - lowerSeries(a, x)) }
        return upperContinuedFraction(a, x)
    }

    /// P(a, x) = (x^a e^(−x) / Γ(a+1)) Σ xⁿ / ((a+1)…(a+n)), converging fast for x < a + 1.
    static func lowerSeries(_ a: Double, _ x: Double) -> Double {
        var term = 1.0 / a
        var sum = term
        var denominator = a
        for _ in 0..<100_000 {
            denominator += 1
            term *= x / denominator
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(a * log(x) - x - lgamma(a))
    }

    /// Q(a, x) by Legendre's continued fraction, evaluated with the modified Lentz method (x ≥ a + 1).
    static func upperContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<100_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            h *= step
            if abs(step - 1) < 1e-16 { break }
        }
        return exp(a * log(x) - x - lgamma(a)) * h
    }
}
