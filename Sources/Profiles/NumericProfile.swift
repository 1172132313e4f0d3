/// Everything a window keeps about one numeric column: moments, a KLL sketch and, when the column
/// has reference bins, a histogram over them. All of it merges.
///
/// ```swift
/// var profile = NumericProfile(bins: referenceBins)
/// profile.add(5.1)
/// profile.add(.nan)                 // missing
/// try window.merge(profile)
/// ```
public struct NumericProfile: Sendable {
    /// Count, missing count, min, max, mean and m2. NaN and ±∞ count as missing.
    public private(set) var moments: NumericMoments
    /// The finite values' KLL sketch.
    public private(set) var sketch: KLLSketch
    /// The bins `histogram` counts into, if any.
    public private(set) var bins: ReferenceBins?
    /// Per-bin counts of the finite values (`nil` without bins).
    public var histogram: [Int64]? { bins == nil ? nil : counts }

    private var counts: [Int64]
    private var edges: [Double]
    private var binned: Bool

    /// An empty profile; `seed` fixes the sketch's compaction coin (tests).
    public init(bins: ReferenceBins? = nil, k: UInt16 = KLLSketch.defaultK, seed: UInt64? = nil) throws(ProfileError) {
        moments = NumericMoments()
        sketch = try KLLSketch(k: k, seed: seed)
        self.bins = bins
        counts = [Int64](repeating: 0, count: bins?.binCount ?? 0)
        edges = bins?.edges ?? []
        binned = bins != nil
    }

    /// An empty profile with k = 200.
    public init(bins: ReferenceBins? = nil) {
        moments = NumericMoments()
        sketch = KLLSketch()
        self.bins = bins
        counts = [Int64](repeating: 0, count: bins?.binCount ?? 0)
        edges = bins?.edges ?? []
        binned = bins != nil
    }

    /// Assembles a profile from stored parts (a `profiles` row); the parts must agree.
    public init(moments: NumericMoments, sketch: KLLSketch, bins: ReferenceBins?, histogram: [Int64]?) throws(ProfileError) {
        guard UInt64(moments.count) == sketch.count else {
            throw .invalidArgument(name: "sketch", detail: "the sketch holds \(sketch.count) values but count is \(moments.count)")
        }
        switch (bins, histogram) {
        case (nil, nil):
            break
        case let (bins?, histogram?):
            guard histogram.count == bins.binCount, histogram.allSatisfy({ $0 >= 0 }) else {
                throw .mismatchedBins(detail: "histogram has \(histogram.count) counts, reference \(bins.referenceID) has \(bins.binCount) bins")
            }
            guard histogram.reduce(0, +) == moments.count else {
                throw .mismatchedBins(detail: "histogram counts sum to \(histogram.reduce(0, +)), count is \(moments.count)")
            }
        case (nil, _?):
            throw .mismatchedBins(detail: "a histogram needs the reference bins it counts over")
        case (_?, nil):
            throw .mismatchedBins(detail: "bins were given but the profile has no histogram")
        }
        self.moments = moments
        self.sketch = sketch
        self.bins = bins
        counts = histogram ?? []
        edges = bins?.edges ?? []
        binned = bins != nil
    }

    /// Adds one value; NaN and ±∞ are missing.
    public mutating func add(_ x: Double) {
        moments.add(x)
        guard x.isFinite else { return }
        sketch.update(x)
        if binned {
            let index = ReferenceBins.binIndex(of: x, edges: edges)
            counts[index] += 1
        }
    }

    /// Records values absent from `n` records.
    public mutating func addMissing(_ n: Int64 = 1) { moments.addMissing(n) }

    /// Adds another part of the same column. Histograms must count over the same reference (an
    /// empty side without one takes the other's bins); otherwise `mismatchedBins`.
    public mutating func merge(_ other: NumericProfile) throws(ProfileError) {
        switch (bins, other.bins) {
        case (nil, nil):
            break
        case let (mine?, theirs?):
            guard mine.referenceID == theirs.referenceID, mine.edges == theirs.edges else {
                throw .mismatchedBins(detail: "histograms over reference \(mine.referenceID) and \(theirs.referenceID)")
            }
            for i in counts.indices { counts[i] += other.counts[i] }
        case (nil, let theirs?):
            guard moments.count == 0 else {
                throw .mismatchedBins(detail: "a profile without a histogram cannot take one over reference \(theirs.referenceID)")
            }
            bins = theirs
            counts = other.counts
            edges = other.edges
            binned = true
        case (let mine?, nil):
            guard other.moments.count == 0 else {
                throw .mismatchedBins(detail: "a profile with a histogram over reference \(mine.referenceID) cannot take one without")
            }
        }
        moments.merge(other.moments)
        sketch.merge(other.sketch)
    }
}
