/// Everything a window keeps about one numeric column: moments, a KLL sketch and, when the column
/// has reference bins, a histogram over them. All of it merges.
///
/// Values are staged in a small block and folded into the statistics 64 at a time (two-pass block
/// moments, bulk sketch insertion, a tight binning loop); every accessor includes staged values.
///
/// ```swift
/// var profile = NumericProfile(bins: referenceBins)
/// profile.add(5.1)
/// profile.add(.nan)                 // missing
/// try window.merge(profile)
/// ```
public struct NumericProfile: Sendable {
    static let blockSize = StagingBlock.capacity

    @usableFromInline var storedMoments: NumericMoments
    private var storedSketch: KLLSketch
    /// The bins `histogram` counts into, if any.
    public private(set) var bins: ReferenceBins?
    private var counts: [Int64]
    private var edges: [SIMD4<Double>]
    /// The bins' search table, when their edges allow one (else `edges` are compared one vector at a time).
    private var lookup: BinLookup?
    private var binned: Bool
    /// Values below / above the bins' training range (when the bins carry one; else nil).
    private var outside: (below: Int64, above: Int64)?
    private var range: ClosedRange<Double>?
    // Inlinable `add` (below) stages values from the caller's module without a call per value.
    @usableFromInline var pending = StagingBlock()
    @usableFromInline var pendingCount = 0
    /// The last full block, when its moments' second pass waits to ride along the next block's first pass
    /// (binned profiles with a search table): `heldPass` holds its first pass (nil: no block held), `heldOrigin`
    /// the shift both passes subtract. Folded in before the staged values by ``flush()``.
    private var held = StagingBlock()
    private var heldPass: (sum: Double, min: Double, max: Double)?
    private var heldOrigin = 0.0
    private var heldFirst = 0.0

    /// True while staged or held values are not yet in the statistics.
    private var hasStaged: Bool { pendingCount > 0 || heldPass != nil }

    /// An empty profile; `seed` fixes the sketch's compaction coin (tests).
    public init(bins: ReferenceBins? = nil, k: UInt16 = KLLSketch.defaultK, seed: UInt64? = nil) throws(ProfileError) {
        self.init(bins: bins, sketch: try KLLSketch(k: k, seed: seed))
    }

    /// An empty profile with k = 200.
    public init(bins: ReferenceBins? = nil) {
        self.init(bins: bins, sketch: KLLSketch())
    }

    private init(bins: ReferenceBins?, sketch: KLLSketch) {
        storedMoments = NumericMoments()
        storedSketch = sketch
        self.bins = bins
        counts = [Int64](repeating: 0, count: bins?.binCount ?? 0)
        edges = bins?.vectorEdges ?? []
        lookup = bins.flatMap { BinLookup(edges: $0.edges) }
        binned = bins != nil
        range = bins?.trainingRange
        outside = range == nil ? nil : (0, 0)
    }

    /// Assembles a profile from stored parts (a `profiles` row); the parts must agree.
    /// `outsideRange`: the values below and above the bins' training range, when the stored row has them (rows
    /// written before these counts existed do not: the profile then has none, ``outsideTrainingRange`` is nil).
    public init(moments: NumericMoments, sketch: KLLSketch, bins: ReferenceBins?, histogram: [Int64]?,
                outsideRange: (below: Int64, above: Int64)? = nil) throws(ProfileError) {
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
        if let outsideRange {
            guard bins?.trainingRange != nil, outsideRange.below >= 0, outsideRange.above >= 0,
                  outsideRange.below <= moments.count, outsideRange.above <= moments.count - outsideRange.below else {
                throw .mismatchedBins(detail: "\(outsideRange.below) values below and \(outsideRange.above) above the training range "
                    + "need bins with a training range and at most \(moments.count) values")
            }
        }
        self.init(bins: bins, sketch: sketch)
        storedMoments = moments
        counts = histogram ?? []
        outside = range == nil ? nil : outsideRange
    }

    /// Values below the training minimum and above its maximum, counted exactly while profiling into bins that
    /// carry the training range (``ReferenceBins/trainingRange``); nil otherwise.
    public var outsideTrainingRange: (below: Int64, above: Int64)? {
        guard range != nil else { return nil }
        guard hasStaged else { return outside }
        var copy = self
        copy.flush()
        return copy.outside
    }

    /// Count, missing count, min, max, mean and m2. NaN and ±∞ count as missing.
    public var moments: NumericMoments {
        guard hasStaged else { return storedMoments }
        var copy = self
        copy.flush()
        return copy.storedMoments
    }

    /// The finite values' KLL sketch.
    public var sketch: KLLSketch {
        guard hasStaged || storedSketch.unsortedLevels != 0 else { return storedSketch }
        var copy = self
        copy.flush()
        copy.storedSketch.sortUnsortedLevels()
        return copy.storedSketch
    }

    /// Per-bin counts of the finite values (`nil` without bins).
    public var histogram: [Int64]? {
        guard binned else { return nil }
        guard hasStaged else { return counts }
        var copy = self
        copy.flush()
        return copy.counts
    }

    /// The largest magnitude kept as a value: 1e100, the bound of DriftlineCore's `ValueRange` (Profiles
    /// does not import it; ProfilesTests checks both agree). Larger values would overflow the spread.
    public static let maxMagnitude = 1e100

    /// Adds one value; NaN, ±∞ and values beyond ±``maxMagnitude`` are missing.
    @inlinable
    public mutating func add(_ x: Double) {
        guard x.magnitude <= Self.maxMagnitude else {
            storedMoments.addMissing(1)
            return
        }
        pending.store(x, at: pendingCount)
        pendingCount += 1
        if pendingCount == StagingBlock.capacity { flushBlock() }
    }

    /// Records values absent from `n` records.
    public mutating func addMissing(_ n: Int64 = 1) { storedMoments.addMissing(n) }

    /// Folds staged values into the statistics (accessors do this on a copy; calling it is optional).
    public mutating func flush() {
        finishHeld()
        guard pendingCount > 0 else { return }
        let n = pendingCount
        pending.withValues(count: n) { block in
            let low: Double, high: Double
            if let lookup {
                // The moments' first pass rides along the binning loop.
                let origin = storedMoments.blockOrigin(first: block[0])
                let first = counts.withUnsafeMutableBufferPointer { c in lookup.count(block, into: c, origin: origin) }
                storedMoments.add(finiteBlock: block, shiftedSum: first.sum, min: first.min, max: first.max)
                (low, high) = (first.min, first.max)
            } else {
                (low, high) = storedMoments.add(finiteBlock: block)
            }
            // Levels may stay out of order until the sketch is read (`sketch`, `merge`): same bytes, less merging.
            storedSketch.update(finiteBlock: block, min: low, max: high, deferringOrder: true)
            if binned {
                if lookup != nil {
                    // counted above
                } else {
                    edges.withUnsafeBufferPointer { e in
                        counts.withUnsafeMutableBufferPointer { c in
                            for x in block { c[ReferenceBins.binIndex(of: x, in: e)] += 1 }
                        }
                    }
                }
                if let range, var tally = outside, low < range.lowerBound || high > range.upperBound {
                    for x in block {
                        if x < range.lowerBound { tally.below += 1 } else if x > range.upperBound { tally.above += 1 }
                    }
                    outside = tally
                }
            }
        }
        pendingCount = 0
    }

    /// Folds the held block into the moments: its second pass alone, then the combination.
    private mutating func finishHeld() {
        guard let pass = heldPass else { return }
        heldPass = nil
        let n = StagingBlock.capacity
        let origin = heldOrigin, mean = pass.sum / Double(n)
        let m2 = held.withValues(count: n) { NumericMoments.secondPass($0, origin: origin, mean: mean) }
        storedMoments.combine(blockCount: n, first: heldFirst, shiftedSum: pass.sum, m2: m2, min: pass.min, max: pass.max)
    }

    /// Folds a full staging block in (``add(_:)``). Without bins or with a bin table, the block's moments' first pass
    /// runs in one loop with the held block's second pass (and the binning), and the block is held in turn: the moments see
    /// the same blocks, with the same origins, combined in the same order as ``flush()`` would, so the same bits.
    @usableFromInline
    mutating func flushBlock() {
        // Bins without a table count in ``flush()``'s loop over the edges: that path stays as it was.
        guard pendingCount == StagingBlock.capacity, lookup != nil || !binned else { return flush() }
        let n = pendingCount
        let previous = heldPass
        let first0 = pending.withValues(count: 1) { $0[0] }
        // The origin the block would have after the held one is combined: the held block's own.
        let origin = previous != nil ? heldOrigin : storedMoments.blockOrigin(first: first0)
        pending.withValues(count: n) { block in
            let first: (sum: Double, min: Double, max: Double)
            if let previous {
                let pass = held.withValues(count: n) { heldValues in
                    let heldMean = previous.sum / Double(n)
                    if let lookup {
                        return counts.withUnsafeMutableBufferPointer { c in
                            lookup.count(block, into: c, origin: origin, held: heldValues, heldMean: heldMean)
                        }
                    }
                    return NumericMoments.firstPass(block, origin: origin, held: heldValues, heldMean: heldMean)
                }
                storedMoments.combine(blockCount: n, first: heldFirst, shiftedSum: previous.sum, m2: pass.heldM2,
                                      min: previous.min, max: previous.max)
                first = (pass.sum, pass.min, pass.max)
            } else {
                if let lookup {
                    let pass = counts.withUnsafeMutableBufferPointer { c in lookup.count(block, into: c, origin: origin) }
                    first = (pass.sum, pass.min, pass.max)
                } else {
                    let pass = NumericMoments.firstPass(block, origin: origin, held: block, heldMean: 0)
                    first = (pass.sum, pass.min, pass.max)
                }
            }
            heldPass = first
            heldOrigin = origin
            heldFirst = first0
            storedSketch.update(finiteBlock: block, min: first.min, max: first.max, deferringOrder: true)
            if let range, var tally = outside, first.min < range.lowerBound || first.max > range.upperBound {
                for x in block {
                    if x < range.lowerBound { tally.below += 1 } else if x > range.upperBound { tally.above += 1 }
                }
                outside = tally
            }
        }
        held = pending
        pendingCount = 0
    }

    /// Adds another part of the same column. Histograms must count over the same reference (an
    /// empty side without one takes the other's bins); otherwise `mismatchedBins`.
    public mutating func merge(_ other: NumericProfile) throws(ProfileError) {
        var other = other
        other.flush()
        other.storedSketch.sortUnsortedLevels()
        flush()
        storedSketch.sortUnsortedLevels()
        switch (bins, other.bins) {
        case (nil, nil):
            break
        case let (mine?, theirs?):
            guard mine.referenceID == theirs.referenceID, mine.edges == theirs.edges else {
                throw .mismatchedBins(detail: "histograms over reference \(mine.referenceID) and \(theirs.referenceID)")
            }
            for i in counts.indices { counts[i] += other.counts[i] }
            // A part with values but without the counts (a row written before them) makes the sum unknown.
            if let mine = outside, let theirs = other.outside {
                outside = (mine.below + theirs.below, mine.above + theirs.above)
            } else if other.storedMoments.count == 0 {
                // nothing to add
            } else if storedMoments.count == 0 {
                outside = other.outside
            } else {
                outside = nil
            }
        case (nil, let theirs?):
            guard storedMoments.count == 0 else {
                throw .mismatchedBins(detail: "a profile without a histogram cannot take one over reference \(theirs.referenceID)")
            }
            bins = theirs
            counts = other.counts
            edges = other.edges
            lookup = other.lookup
            binned = true
            range = other.range
            outside = other.outside
        case (let mine?, nil):
            guard other.storedMoments.count == 0 else {
                throw .mismatchedBins(detail: "a profile with a histogram over reference \(mine.referenceID) cannot take one without")
            }
        }
        storedMoments.merge(other.storedMoments)
        storedSketch.merge(other.storedSketch)
    }
}
