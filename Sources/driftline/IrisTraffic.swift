import DriftlineCore
import Foundation

/// Synthetic iris-like serving traffic, the same for the same seed: four measurements drawn per true class
/// from Fisher's iris class means and standard deviations, class probabilities from a Gaussian naive Bayes
/// over those parameters, tempered (log-likelihoods ÷ ``temperature``) so they look like a real model's
/// rather than 1e-80, a log-normal latency, and a true label.
struct IrisTraffic {
    static let classes = ["setosa", "versicolor", "virginica"]
    static let featureNames = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    /// Per class: (mean, standard deviation) of each feature, from the iris data set.
    static let parameters: [[(mean: Double, sd: Double)]] = [
        [(5.006, 0.352), (3.428, 0.379), (1.462, 0.174), (0.246, 0.105)],
        [(5.936, 0.516), (2.770, 0.314), (4.260, 0.470), (1.326, 0.198)],
        [(6.588, 0.636), (2.974, 0.322), (5.552, 0.552), (2.026, 0.275)],
    ]

    /// Softens the naive Bayes posterior.
    static let temperature = 4.0

    static var schema: ModelSchema {
        get throws { try ModelSchema(features: featureNames.map { .numeric($0) }, task: .classification(classes: classes)) }
    }

    /// One generated inference.
    struct Inference {
        var features: [FeatureValue]
        var probabilities: [Double]
        var trueClass: String
        var latency: Duration
    }

    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func next() -> Inference {
        let truth = Int(random.next() % 3)
        var x = [Double](repeating: 0, count: 4)
        for j in 0..<4 {
            let (mean, sd) = Self.parameters[truth][j]
            x[j] = max(0.1, (mean + sd * random.normal()) * 10).rounded() / 10  // measured to 1 mm, like the original
        }
        return Inference(
            features: x.map(FeatureValue.number), probabilities: Self.posterior(x), trueClass: Self.classes[truth],
            latency: .microseconds(Int64(exp(6.9 + 0.35 * random.normal()))))  // about 1 ms
    }

    /// Tempered Gaussian naive Bayes posterior with equal priors (computed in log space, then normalised).
    static func posterior(_ x: [Double]) -> [Double] {
        let logs = parameters.map { features in
            zip(features, x).reduce(0.0) { sum, pair in
                let z = (pair.1 - pair.0.mean) / pair.0.sd
                return sum - 0.5 * z * z - log(pair.0.sd)
            } / temperature
        }
        let top = logs.max() ?? 0
        let weights = logs.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}

/// SplitMix64: small, fast, and the same sequence on every machine for a seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(uniform(), .leastNonzeroMagnitude)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * uniform())
    }
}
