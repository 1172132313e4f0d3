import DriftlineCore
import Foundation

/// The traffic of one simulated endpoint, the same for the same seed: flowers drawn from Fisher's iris data
/// (a random row of the request's species, jittered by half the species' spread and measured to 1 mm),
/// scored by the endpoint's model, with a log-normal latency (a slow tail of 1 %), occasional errors,
/// and the true label (the species, or for the regression the true petal width).
public struct IrisTraffic {
    /// One generated request.
    public struct Inference {
        /// The request's features, in the endpoint's schema order.
        var features: [Double]
        /// All four true measurements, before any drift shift (for training data).
        var measurements: [Double]
        var outcome: InferenceRecord.Outcome
        var species: Int
        var label: Label
        var latency: Duration
    }

    public let endpoint: TrafficEndpoint
    public var random: SeededRandom
    /// Share of requests that fail (`timeout` or `invalid_input`).
    public var errorRate: Double

    public init(endpoint: TrafficEndpoint, seed: UInt64, errorRate: Double) {
        self.endpoint = endpoint
        self.errorRate = errorRate
        random = SeededRandom(seed: seed ^ Self.stableHash(endpoint.name))
    }

    /// FNV-1a of the name: a per-endpoint stream that does not depend on the other endpoints simulated.
    public static func stableHash(_ name: String) -> UInt64 {
        name.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0100_0000_01B3 }
    }

    /// The next request; `drift` applies when given (the caller decides whether it is active).
    public mutating func next(drift: DriftPlan? = nil) -> Inference {
        let mix = drift?.classMix ?? [1.0 / 3, 1.0 / 3, 1.0 / 3]
        var u = random.uniform()
        var species = mix.count - 1
        for (c, share) in mix.enumerated() {
            if u < share {
                species = c
                break
            }
            u -= share
        }
        let members = IrisData.rowsByClass[species]
        let row = IrisData.rows[members[Int(random.next() % UInt64(members.count))]].measurements
        var truth = [Double](repeating: 0, count: 4)
        for j in 0..<4 {
            truth[j] = Self.measured(row[j] + 0.5 * IrisData.classSD[species][j] * random.normal())
        }
        var seen = truth
        if let drift {
            for j in drift.features { seen[j] = Self.measured(seen[j] + drift.shift * IrisData.overallSD[j]) }
        }
        var latency = exp(log(endpoint.medianLatencyMicroseconds) + 0.35 * random.normal())
        if random.uniform() < 0.01 { latency *= 3 + 7 * random.uniform() }
        let features = Array(seen.prefix(endpoint.featureNames.count))
        let outcome: InferenceRecord.Outcome
        if random.uniform() < errorRate {
            let timeout = random.uniform() < 0.7
            if timeout { latency = 50_000 + 50_000 * random.uniform() }
            outcome = .error(timeout ? "timeout" : "invalid_input")
        } else {
            switch endpoint.model {
            case .classifier(let w, let b):
                outcome = .probabilities(IrisModel.softmax(coefficients: w, intercepts: b, x: features))
            case .regression(let w, let b):
                outcome = .prediction(zip(w, features).reduce(b) { $0 + $1.0 * $1.1 })
            }
        }
        let label: Label = endpoint.isRegression ? .value(truth[3]) : .className(IrisData.classes[species])
        return Inference(features: features, measurements: truth, outcome: outcome, species: species, label: label,
                         latency: .microseconds(Int64(latency)))
    }

    /// Rounded to 1 mm like the original measurements, and at least 1 mm.
    public static func measured(_ x: Double) -> Double { max(0.1, (x * 10).rounded() / 10) }
}

/// SplitMix64: small, fast, and the same sequence on every machine for a seed.
public struct SeededRandom: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), .leastNonzeroMagnitude)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * uniform())
    }

    /// Exponential with mean 1.
    public mutating func exponential() -> Double { -log(max(1 - uniform(), .leastNonzeroMagnitude)) }
}
