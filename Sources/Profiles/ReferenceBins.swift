/// The bins a numeric column's histogram counts into: interior edges e₁ < … < e_{B−1} and the bins
/// (−∞, e₁), [e₁, e₂), …, [e_{B−1}, +∞). NaN (and ±∞, which profiles treat as missing) is never binned.
///
/// ```swift
/// let bins = try ReferenceBins(referenceID: "iris-3-a1b2", trainingValues: column, binCount: 20)
/// bins.binIndex(of: 5.1)    // which of the bins.binCount bins 5.1 falls in
/// ```
public struct ReferenceBins: Sendable, Equatable, Codable {
    /// Fingerprint of the reference these bins come from (stored as `reference_id`).
    public let referenceID: String
    /// Strictly increasing finite interior edges.
    public let edges: [Double]
    /// The training values' minimum and maximum, when known (from a reference): a profile counting into these
    /// bins also counts its values below the minimum and above the maximum, exactly (the data-quality checks).
    public private(set) var trainingRange: ClosedRange<Double>?

    /// These bins, also counting values outside `range` (the training minimum and maximum).
    public func withTrainingRange(_ range: ClosedRange<Double>?) -> ReferenceBins {
        var copy = self
        copy.trainingRange = range.flatMap { $0.lowerBound.isFinite && $0.upperBound.isFinite ? $0 : nil }
        return copy
    }

    /// Number of bins: one more than the edges.
    public var binCount: Int { edges.count + 1 }

    private enum CodingKeys: String, CodingKey {
        case referenceID = "reference_id"
        case edges
    }

    /// Decodes bins (from a reference file) and validates them like `init(referenceID:edges:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(referenceID: container.decode(String.self, forKey: .referenceID),
                      edges: container.decode([Double].self, forKey: .edges))
    }

    /// Bins with the given interior edges; throws unless they are finite and strictly increasing.
    public init(referenceID: String, edges: [Double]) throws(ProfileError) {
        for (index, edge) in edges.enumerated() {
            guard edge.isFinite else { throw .invalidArgument(name: "edges[\(index)]", detail: "\(edge) is not finite") }
            guard index == 0 || edges[index - 1] < edge else {
                throw .invalidArgument(name: "edges[\(index)]", detail: "edges must strictly increase: \(edges[index - 1]) then \(edge)")
            }
        }
        self.referenceID = referenceID
        self.edges = edges
    }

    /// DESIGN.md's reference bins: the finite training values' quantiles at i/B (numpy's default,
    /// linear "type 7"), repeated edges dropped. No finite value gives a single bin.
    public init(referenceID: String, trainingValues: [Double], binCount: Int = 20) throws(ProfileError) {
        guard binCount >= 1 else { throw .invalidArgument(name: "binCount", detail: "needs at least 1 bin, got \(binCount)") }
        let sorted = trainingValues.filter(\.isFinite).sorted()
        var edges: [Double] = []
        if !sorted.isEmpty {
            for i in 1..<binCount {
                let edge = Self.linearQuantile(sorted: sorted, Double(i) / Double(binCount))
                if edges.last != edge { edges.append(edge) }
            }
        }
        try self.init(referenceID: referenceID, edges: edges)
    }

    /// Bins for comparing without a reference: the baseline sketch's quantiles at i/B, repeated edges dropped.
    public init(referenceID: String, sketch: KLLSketch, binCount: Int = 20) throws(ProfileError) {
        guard binCount >= 1 else { throw .invalidArgument(name: "binCount", detail: "needs at least 1 bin, got \(binCount)") }
        var edges: [Double] = []
        if !sketch.isEmpty {
            let view = sketch.sortedView()
            for i in 1..<binCount {
                guard let edge = view.quantile(Double(i) / Double(binCount)), edge.isFinite else { continue }
                if edges.last.map({ $0 < edge }) ?? true { edges.append(edge) }
            }
        }
        try self.init(referenceID: referenceID, edges: edges)
    }

    /// numpy's `quantile(x, q)` (method "linear") over already sorted values, reproduced operation by operation.
    static func linearQuantile(sorted: [Double], _ q: Double) -> Double {
        let virtualIndex = Double(sorted.count - 1) * q
        let previous = virtualIndex.rounded(.down)
        let lower = Swift.min(Swift.max(Int(previous), 0), sorted.count - 1)
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let gamma = virtualIndex - previous
        let a = sorted[lower], b = sorted[upper]
        let difference = b - a
        return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma
    }

    /// The bin of x (the number of edges ≤ x); `nil` for NaN.
    public func binIndex(of x: Double) -> Int? {
        x.isNaN ? nil : Self.binIndex(of: x, edges: edges)
    }

    /// The count of edges ≤ x.
    static func binIndex(of x: Double, edges: [Double]) -> Int {
        edges.withUnsafeBufferPointer { binIndex(of: x, in: $0) }
    }

    /// The count of edges ≤ x by binary search (the range [base, base + n] always holds the answer).
    @inline(__always)
    static func binIndex(of x: Double, in edges: UnsafeBufferPointer<Double>) -> Int {
        var n = edges.count
        guard n > 0 else { return 0 }
        var base = 0
        while n > 1 {
            let half = n &>> 1
            let below = edges[base &+ half &- 1] <= x ? 1 : 0   // setcc, not a branch
            base &+= half &* below
            n &-= half
        }
        return base &+ (edges[base] <= x ? 1 : 0)
    }

    /// The edges in vectors of four, padded with +∞ (never ≤ a finite value), for `binIndex(of:in:)`.
    var vectorEdges: [SIMD4<Double>] {
        stride(from: 0, to: edges.count, by: 4).map { start in
            var vector = SIMD4<Double>(repeating: .infinity)
            for lane in 0..<Swift.min(4, edges.count - start) { vector[lane] = edges[start + lane] }
            return vector
        }
    }

    /// The count of edges ≤ x, comparing four edges at a time: no branch depends on x, so random
    /// values cost no mispredictions (a scalar loop gets compiled into data-dependent branches).
    @inline(__always)
    static func binIndex(of x: Double, in vectors: UnsafeBufferPointer<SIMD4<Double>>) -> Int {
        let probe = SIMD4<Double>(repeating: x)
        var below = SIMD4<Int64>()
        for vector in vectors {
            below &+= SIMD4<Int64>(repeating: 0).replacing(with: 1, where: vector .<= probe)
        }
        return Int(below.wrappedSum())
    }

    /// Counts of the finite values of `values` per bin.
    public func counts(of values: [Double]) -> [Int64] {
        var counts = [Int64](repeating: 0, count: binCount)
        for x in values where x.isFinite { counts[Self.binIndex(of: x, edges: edges)] += 1 }
        return counts
    }

    /// Bin counts read from a sketch's CDF at the edges (what `drift` uses without exact histograms).
    public func counts(of sketch: KLLSketch) -> [Int64] {
        guard !sketch.isEmpty else { return [Int64](repeating: 0, count: binCount) }
        let view = sketch.sortedView()
        var counts: [Int64] = []
        var below: UInt64 = 0
        for edge in edges {
            let weight = view.weight(below: edge, inclusive: false)
            counts.append(Int64(weight - below))
            below = weight
        }
        counts.append(Int64(view.totalWeight - below))
        return counts
    }
}
