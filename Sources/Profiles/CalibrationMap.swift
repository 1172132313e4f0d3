/// What a labelled reference set says about one probability column, binned: per reference bin, how many
/// labelled rows fell in it and in how many of them the *event* happened, and the calibration map fitted to
/// those counts. Confidence-based performance estimation (CBPE, after NannyML) turns an hour's histogram of
/// the column into expected confusion counts with it (`PerformanceEstimate`).
///
/// The event depends on the column: for `:proba:<class>` it is "the label is that class" (one vs rest), for
/// `:pred1` "the prediction is right". The map is the isotonic (non-decreasing) regression of the bins' event
/// rates on the bin order, weighted by the labelled counts (pool adjacent violators): a step function over the
/// bins. A bin without labelled rows continues the step of the bin below it (the first non-empty bin's step
/// when no bin below has rows).
///
/// ```swift
/// let map = try CalibrationMap(bins: pred1Bins, values: pred1, events: correct)   // from the reference set
/// map.probabilities[3]    // P(prediction right | :pred1 in bin 3)
/// ```
public struct CalibrationMap: Sendable, Equatable {
    /// A run of adjacent bins that share one calibrated probability, estimated from all their labelled rows
    /// (blocks' probabilities strictly increase).
    public struct Block: Sendable, Equatable {
        /// The bins of the block.
        public var bins: Range<Int>
        /// Labelled reference rows in those bins.
        public var labeled: Int64
        /// Of those, the rows where the event happened.
        public var events: Int64

        /// The calibrated probability of the event in the block: events / labeled.
        public var probability: Double { Double(events) / Double(labeled) }

        /// The event rate used for variances, (events + ½) / (labeled + 1): never exactly 0 or 1, so that a
        /// block whose reference rows were all right (or all wrong) still carries some uncertainty.
        public var smoothedProbability: Double { (Double(events) + 0.5) / (Double(labeled) + 1) }
    }

    /// Labelled reference rows per bin.
    public let labeled: [Int64]
    /// Reference rows per bin where the event happened.
    public let events: [Int64]
    /// The pooled blocks, in bin order; their ranges partition the bins.
    public let blocks: [Block]
    /// The calibrated probability of the event per bin (its block's probability).
    public let probabilities: [Double]
    /// The index in `blocks` of every bin's block.
    public let blockOfBin: [Int]

    /// The map of a reliability table: `labeled[b]` labelled rows in bin b, `events[b]` of them with the event.
    /// Throws `invalidArgument` unless both have the same length, 0 ≤ events ≤ labeled in every bin, and some
    /// bin has a labelled row.
    public init(labeled: [Int64], events: [Int64]) throws(ProfileError) {
        guard labeled.count == events.count, !labeled.isEmpty else {
            throw .invalidArgument(name: "calibration", detail: "\(labeled.count) labelled counts for \(events.count) event counts; one of each per bin")
        }
        for b in labeled.indices {
            guard labeled[b] >= 0, events[b] >= 0, events[b] <= labeled[b] else {
                throw .invalidArgument(name: "calibration bin \(b)", detail: "\(events[b]) events among \(labeled[b]) labelled rows; need 0 ≤ events ≤ labelled")
            }
        }
        var total: Int64 = 0
        for count in labeled {
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { throw .invalidArgument(name: "calibration", detail: "labelled counts overflow 64 bits") }
            total = sum
        }
        guard total > 0 else {
            throw .invalidArgument(name: "calibration", detail: "no bin has a labelled row; a calibration map needs labelled reference rows")
        }
        self.labeled = labeled
        self.events = events
        blocks = Self.pooled(labeled: labeled, events: events)
        var probabilities = [Double](repeating: 0, count: labeled.count)
        var blockOfBin = [Int](repeating: 0, count: labeled.count)
        for (index, block) in blocks.enumerated() {
            for b in block.bins {
                probabilities[b] = block.probability
                blockOfBin[b] = index
            }
        }
        self.probabilities = probabilities
        self.blockOfBin = blockOfBin
    }

    /// The map of labelled reference values: `values[i]` falls in a bin of `bins`, `events[i]` says whether the
    /// event happened for that row. Non-finite values are skipped (they fall in no bin).
    public init(bins: ReferenceBins, values: [Double], events: [Bool]) throws(ProfileError) {
        guard values.count == events.count else {
            throw .invalidArgument(name: "events", detail: "\(events.count) outcomes for \(values.count) values")
        }
        var labeled = [Int64](repeating: 0, count: bins.binCount)
        var hits = [Int64](repeating: 0, count: bins.binCount)
        for (value, event) in zip(values, events) where value.isFinite {
            let b = ReferenceBins.binIndex(of: value, edges: bins.edges)
            labeled[b] += 1
            if event { hits[b] += 1 }
        }
        try self.init(labeled: labeled, events: hits)
    }

    /// Number of bins.
    public var binCount: Int { labeled.count }

    /// Pool adjacent violators over the non-empty bins (a block merges with the one before it while that
    /// one's rate is not lower), then empty bins join the block before them (leading ones the first block).
    /// Pooling equal rates too makes the blocks the level sets of the fit: their probabilities strictly
    /// increase. Rates are compared exactly, as cross products in 128 bits.
    static func pooled(labeled: [Int64], events: [Int64]) -> [Block] {
        var stack: [Block] = []
        for b in labeled.indices where labeled[b] > 0 {
            var block = Block(bins: b..<(b + 1), labeled: labeled[b], events: events[b])
            while let last = stack.last, !rate(block, exceeds: last) {
                stack.removeLast()
                block = Block(bins: last.bins.lowerBound..<block.bins.upperBound,
                              labeled: last.labeled + block.labeled, events: last.events + block.events)
            }
            stack.append(block)
        }
        // Stretch every block over the empty bins after it; the first also over the empty bins before it.
        for index in stack.indices {
            let lower = index == 0 ? 0 : stack[index].bins.lowerBound
            let upper = index + 1 < stack.count ? stack[index + 1].bins.lowerBound : labeled.count
            stack[index].bins = lower..<upper
        }
        return stack
    }

    /// events_a / labeled_a > events_b / labeled_b, exactly (both labelled counts are positive).
    static func rate(_ a: Block, exceeds b: Block) -> Bool {
        let left = a.events.multipliedFullWidth(by: b.labeled)
        let right = b.events.multipliedFullWidth(by: a.labeled)
        return (left.high, left.low) > (right.high, right.low)
    }
}
