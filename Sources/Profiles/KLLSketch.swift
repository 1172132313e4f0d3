/// A KLL quantile sketch of doubles (Karnin, Lang, Liberty 2016), laid out exactly as Apache
/// DataSketches lays it out, so that its compact serialization is theirs byte for byte.
///
/// Storage: one buffer of `capacity` doubles; level h occupies `items[levels[h] ..< levels[h+1]]`,
/// level 0 at the bottom grows downwards from `levels[0]` and is compacted when it reaches 0.
/// Items of weight 2^h live in level h; every level above 0 is sorted.
///
/// ```swift
/// var sketch = KLLSketch()                  // k = 200, normalized rank error ≈ 1.65 %
/// for x in values { sketch.update(x) }
/// let median = sketch.quantile(0.5)
/// ```
///
/// NaN is ignored (as DataSketches does); ±Infinity is kept. `NumericProfile` filters both before.
public struct KLLSketch: Sendable {
    /// The default accuracy parameter, as in the `profiles` table.
    public static let defaultK: UInt16 = 200
    /// DataSketches' minimum level width; serialized as `m`.
    static let minLevelWidth: UInt8 = 8

    /// The accuracy parameter.
    public let k: UInt16
    /// The smallest k among the sketches merged into this one (sets the error).
    public internal(set) var minK: UInt16
    /// Number of values the sketch has seen.
    public internal(set) var count: UInt64 = 0
    var numLevels: Int = 1 {
        didSet { if numLevels != oldValue { capacities = Self.capacities(k: k, numLevels: numLevels) } }
    }
    /// Nominal capacity per level for the current number of levels (kept in step with `numLevels`).
    var capacities: [UInt32]
    /// Level boundaries, at least `numLevels + 1` entries.
    var levels: [UInt32]
    var items: [Double]
    var levelZeroSorted = false
    var minItem: Double = .nan
    var maxItem: Double = .nan
    var random: SplitMix64
    /// Levels (bit h for level h ≥ 1) that a deferred compaction left out of order; 0 except inside
    /// `NumericProfile`, which sorts them (``sortUnsortedLevels()``) before its sketch is read or merged.
    var unsortedLevels: UInt64 = 0
    /// True while no −0 can be among the items (set by the empty initializers and deserialization, cleared
    /// when a −0 is added or merged in): compactions may then defer ordering (``compactWhileUpdating(deferringOrder:)``).
    var noNegativeZero = false

    /// The compaction coin's seed of a new sketch: fixed, so the same values in the same order give the
    /// same sketch on every run (merges re-seed from the data they merge).
    public static let defaultSeed: UInt64 = 0x6B6C_6C5F_7365_6564

    /// An empty sketch. `seed` fixes the compaction coin of updates (default: `defaultSeed`).
    public init(k: UInt16 = KLLSketch.defaultK, seed: UInt64? = nil) throws(ProfileError) {
        guard k >= UInt16(Self.minLevelWidth) else {
            throw .invalidArgument(name: "k", detail: "KLL k must be between 8 and 65535, got \(k)")
        }
        self.k = k
        minK = k
        levels = [UInt32(k), UInt32(k)]
        items = [Double](repeating: 0, count: Int(k))
        capacities = [UInt32(k)]
        random = SplitMix64(seed: seed ?? Self.defaultSeed)
        noNegativeZero = true
    }

    /// An empty sketch with k = 200.
    public init() {
        k = Self.defaultK
        minK = k
        levels = [UInt32(k), UInt32(k)]
        items = [Double](repeating: 0, count: Int(k))
        capacities = [UInt32(k)]
        random = SplitMix64(seed: Self.defaultSeed)
        noNegativeZero = true
    }

    /// True when no value was added.
    public var isEmpty: Bool { count == 0 }
    /// The smallest value seen; `nil` when empty.
    public var min: Double? { isEmpty ? nil : minItem }
    /// The largest value seen; `nil` when empty.
    public var max: Double? { isEmpty ? nil : maxItem }
    /// Number of items the sketch retains.
    public var retainedCount: Int { Int(levels[numLevels] - levels[0]) }
    /// True once the sketch has compacted (its answers are approximate).
    public var isEstimationMode: Bool { numLevels > 1 }

    /// The single-sided normalized rank error DataSketches states for this sketch's k
    /// (99th percentile of the maximum error over many trials): about 1.65 % for k = 200.
    public var normalizedRankError: Double { Self.normalizedRankError(k: minK) }

    /// DataSketches' empirical fit of the single-sided rank error for a given k.
    public static func normalizedRankError(k: UInt16) -> Double {
        2.296 / pow(Double(k), 0.9723)
    }

    /// Adds one value; NaN is ignored.

    public mutating func update(_ x: Double) {
        if x.isNaN { return }
        if count == 0 {
            minItem = x
            maxItem = x
        } else {
            if x < minItem { minItem = x }
            if x > maxItem { maxItem = x }
        }
        insertUnchecked(x)
    }

    /// Adds values in bulk, exactly as updating them one by one in order would (NaN ignored).
    public mutating func update(contentsOf values: UnsafeBufferPointer<Double>) {
        guard !values.isEmpty else { return }
        var low = minItem, high = maxItem
        if count == 0 { low = .infinity; high = -.infinity }
        var hasNaN = false
        for x in values {
            if x.isNaN { hasNaN = true }
            low = Swift.min(low, x)
            high = Swift.max(high, x)
        }
        if hasNaN {
            for x in values { update(x) }
            return
        }
        if noNegativeZero && Self.containsNegativeZero(values) { noNegativeZero = false }
        insertFinite(values, min: low, max: high, deferringOrder: noNegativeZero)
        sortUnsortedLevels()
    }

    /// Bulk insertion of values known to be finite, whose min and max the caller computed. `deferringOrder`:
    /// compactions may leave levels out of order (``unsortedLevels``); the caller must call
    /// ``sortUnsortedLevels()`` before anything reads the sketch.
    mutating func update(finiteBlock values: UnsafeBufferPointer<Double>, min low: Double, max high: Double,
                         deferringOrder: Bool = false) {
        guard !values.isEmpty else { return }
        if count == 0 {
            minItem = low
            maxItem = high
        } else {
            minItem = Swift.min(minItem, low)
            maxItem = Swift.max(maxItem, high)
        }
        if noNegativeZero && Self.containsNegativeZero(values) {
            sortUnsortedLevels()
            noNegativeZero = false
        }
        insertFinite(values, min: minItem, max: maxItem, deferringOrder: deferringOrder && noNegativeZero)
        if !deferringOrder { sortUnsortedLevels() }
    }

    /// True when some value is −0.
    static func containsNegativeZero(_ values: UnsafeBufferPointer<Double>) -> Bool {
        var found = false
        for x in values { found = found || x.bitPattern == Self.negativeZeroBits }
        return found
    }

    static let negativeZeroBits = (-0.0).bitPattern

    private mutating func insertFinite(_ values: UnsafeBufferPointer<Double>, min low: Double, max high: Double,
                                       deferringOrder: Bool = false) {
        minItem = low
        maxItem = high
        if noNegativeZero && !deferringOrder && Self.containsNegativeZero(values) { noNegativeZero = false }
        var next = 0
        while next < values.count {
            // Only a compaction that needs a new level leaves the loop below (it reallocates the buffer).
            if levels[0] == 0 { compactWhileUpdating(deferringOrder: deferringOrder) }
            next = fillCompacting(values, from: next, deferringOrder: deferringOrder)
        }
        levelZeroSorted = false
    }

    /// Copies `values[next...]` into level 0, compacting (as ``compactWhileUpdating(deferringOrder:)`` would) each
    /// time the buffer fills, all over raw pointers taken once; stops when done or when a compaction would need a
    /// new level (the buffer then stays full). Returns the index of the first value not copied.
    private mutating func fillCompacting(_ values: UnsafeBufferPointer<Double>, from start: Int, deferringOrder: Bool) -> Int {
        var next = start
        let total = values.count
        let top = numLevels - 1
        var random = self.random
        var unsorted = unsortedLevels
        var zeroSorted = levelZeroSorted
        var added = 0
        levels.withUnsafeMutableBufferPointer { bounds in
            items.withUnsafeMutableBufferPointer { buffer in
                capacities.withUnsafeBufferPointer { capacity in
                    guard let base = buffer.baseAddress, let source = values.baseAddress else { return }
                    while true {
                        let space = Int(bounds[0])
                        if space == 0 {
                            var level = 0
                            while level < top && bounds[level + 1] &- bounds[level] < capacity[level] { level += 1 }
                            if level == top { return }
                            let sortLevel = level == 0 ? !zeroSorted : unsorted & (1 << UInt64(level)) != 0
                            unsorted &= ~(1 << UInt64(level))
                            let coin = Int(random.next() & 1)
                            if Self.compact(level: level, bounds: bounds, buffer: buffer, sortLevel: sortLevel, coin: coin,
                                            deferringOrder: deferringOrder) {
                                unsorted |= 1 << UInt64(level + 1)
                            }
                            continue
                        }
                        if next == total { return }
                        let take = Swift.min(space, total &- next)
                        let target = base + (space &- 1)
                        for j in 0..<take { target[-j] = source[next &+ j] }
                        bounds[0] = UInt32(space &- take)
                        added &+= take
                        next &+= take
                        zeroSorted = false
                        if next == total { return }
                    }
                }
            }
        }
        self.random = random
        unsortedLevels = unsorted
        count += UInt64(added)
        return next
    }

    /// Puts `x` into level 0, compacting first when the buffer is full (min/max are not touched).

    mutating func insertUnchecked(_ x: Double) {
        if x.bitPattern == Self.negativeZeroBits { noNegativeZero = false }
        if levels[0] == 0 { compactWhileUpdating() }
        count += 1
        levelZeroSorted = false
        let index = levels[0] - 1
        levels[0] = index
        items[Int(index)] = x
    }
}

import Foundation
