/// Merging: the union of two sketches, with the error of the smaller k.
extension KLLSketch {
    /// Adds everything `other` summarizes.
    ///
    /// The compaction coin is re-seeded from the two sketches (their counts, extremes and shapes) before
    /// anything moves: a merge is a function of the data merged, never of which process or which earlier
    /// operations made the sketches, so a sketch read back from its serialization merges exactly as the
    /// sketch that was serialized (the store's merged profiles do not depend on compaction or file layout).
    public mutating func merge(_ other: KLLSketch) {
        if other.isEmpty { return }
        noNegativeZero = noNegativeZero && other.noNegativeZero
        random = SplitMix64(seed: Self.mergeSeed(self, other))
        if isEmpty {
            minItem = other.minItem
            maxItem = other.maxItem
        } else {
            if other.minItem < minItem { minItem = other.minItem }
            if other.maxItem > maxItem { maxItem = other.maxItem }
        }
        let finalCount = count + other.count
        for index in Int(other.levels[0])..<Int(other.levels[1]) {
            insertUnchecked(other.items[index])
        }
        if other.numLevels >= 2 { mergeHigherLevels(other, finalCount: finalCount) }
        count = finalCount
        if other.isEstimationMode { minK = Swift.min(minK, other.minK) }
    }

    /// The coin's seed for merging `b` into `a`: a hash of what both sketches summarize.
    static func mergeSeed(_ a: KLLSketch, _ b: KLLSketch) -> UInt64 {
        var h: UInt64 = 0x6D65_7267_655F_7365
        for part in [a.count, b.count, a.isEmpty ? 0 : a.minItem.bitPattern, a.isEmpty ? 0 : a.maxItem.bitPattern,
                     b.minItem.bitPattern, b.maxItem.bitPattern, UInt64(a.numLevels) << 32 | UInt64(b.numLevels),
                     UInt64(a.retainedCount) << 32 | UInt64(b.retainedCount), UInt64(a.k) << 16 | UInt64(b.k)] {
            h = SplitMix64.mix(h ^ part)
        }
        return h
    }

    /// The merge of two sketches.
    public func merging(_ other: KLLSketch) -> KLLSketch {
        var copy = self
        copy.merge(other)
        return copy
    }

    func levelSize(_ level: Int) -> Int {
        level < numLevels ? Int(levels[level + 1] - levels[level]) : 0
    }

    private mutating func mergeHigherLevels(_ other: KLLSketch, finalCount: UInt64) {
        let workCount = retainedCount + Int(other.levels[other.numLevels] - other.levels[1])
        var work = [Double](repeating: 0, count: workCount)
        let provisionalLevels = Swift.max(numLevels, other.numLevels)
        let bound = Swift.max(Self.levelUpperBound(n: finalCount), provisionalLevels) + 2
        var workLevels = [UInt32](repeating: 0, count: bound + 1)
        var outLevels = [UInt32](repeating: 0, count: bound + 1)

        // Level 0 is ours (other's level 0 was inserted already); higher levels merge sorted runs.
        var cursor = 0
        for index in Int(levels[0])..<Int(levels[1]) { work[cursor] = items[index]; cursor += 1 }
        workLevels[1] = UInt32(cursor)
        for level in 1..<provisionalLevels {
            var ia = level < numLevels ? Int(levels[level]) : 0
            let aLimit = ia + levelSize(level)
            var ib = level < other.numLevels ? Int(other.levels[level]) : 0
            let bLimit = ib + other.levelSize(level)
            while ia < aLimit || ib < bLimit {
                if ib == bLimit || (ia < aLimit && items[ia] < other.items[ib]) {
                    work[cursor] = items[ia]; ia += 1
                } else {
                    work[cursor] = other.items[ib]; ib += 1
                }
                cursor += 1
            }
            workLevels[level + 1] = UInt32(cursor)
        }

        let result = Self.generalCompress(k: k, numLevelsIn: provisionalLevels, work: &work,
                                          inLevels: &workLevels, outLevels: &outLevels,
                                          levelZeroSorted: levelZeroSorted, random: &random)
        let freeAtBottom = Int(result.capacity) - result.itemCount
        var rebuilt = [Double](repeating: 0, count: Int(result.capacity))
        for i in 0..<result.itemCount { rebuilt[freeAtBottom + i] = work[Int(outLevels[0]) + i] }
        items = rebuilt
        let shift = UInt32(freeAtBottom) - outLevels[0]
        levels = (0...result.numLevels).map { outLevels[$0] + shift }
        numLevels = result.numLevels
    }

    struct CompressResult {
        var numLevels: Int
        var capacity: UInt32
        var itemCount: Int
    }

    /// Compacts levels bottom-up until the items fit the capacity of the (possibly grown) sketch.
    static func generalCompress(k: UInt16, numLevelsIn: Int, work: inout [Double], inLevels: inout [UInt32],
                                outLevels: inout [UInt32], levelZeroSorted: Bool,
                                random: inout SplitMix64) -> CompressResult {
        var currentLevels = numLevelsIn
        var itemCount = Int(inLevels[numLevelsIn] - inLevels[0])
        var target = Int(totalCapacity(k: k, numLevels: currentLevels))
        outLevels[0] = 0
        var level = 0
        var done = false
        while !done {
            if level == currentLevels - 1 { inLevels[level + 2] = inLevels[level + 1] }
            let rawBegin = Int(inLevels[level])
            let rawLimit = Int(inLevels[level + 1])
            let rawPopulation = rawLimit - rawBegin
            if itemCount < target || rawPopulation < Int(levelCapacity(k: k, numLevels: currentLevels, height: level)) {
                let destination = Int(outLevels[level])
                if rawBegin != destination {
                    for i in 0..<rawPopulation { work[destination + i] = work[rawBegin + i] }
                }
                outLevels[level + 1] = outLevels[level] + UInt32(rawPopulation)
            } else {
                let populationAbove = Int(inLevels[level + 2]) - rawLimit
                let odd = rawPopulation & 1 == 1
                let adjustedBegin = odd ? rawBegin + 1 : rawBegin
                let adjustedPopulation = odd ? rawPopulation - 1 : rawPopulation
                let half = adjustedPopulation / 2
                if odd {
                    work[Int(outLevels[level])] = work[rawBegin]
                    outLevels[level + 1] = outLevels[level] + 1
                } else {
                    outLevels[level + 1] = outLevels[level]
                }
                let coin = Int(random.next() & 1)
                work.withUnsafeMutableBufferPointer { buffer in
                    if level == 0 && !levelZeroSorted {
                        sort(buffer, adjustedBegin, adjustedBegin + adjustedPopulation)
                    }
                    if populationAbove == 0 {
                        halveUp(buffer, start: adjustedBegin, length: adjustedPopulation, offset: coin)
                    } else {
                        halveDown(buffer, start: adjustedBegin, length: adjustedPopulation, offset: coin)
                        mergeInPlace(buffer, a: adjustedBegin, aCount: half, b: rawLimit, bCount: populationAbove,
                                     destination: adjustedBegin + half)
                    }
                }
                itemCount -= half
                inLevels[level + 1] -= UInt32(half)
                if level == currentLevels - 1 {
                    currentLevels += 1
                    target += Int(levelCapacity(k: k, numLevels: currentLevels, height: 0))
                }
            }
            if level == currentLevels - 1 { done = true }
            level += 1
        }
        return CompressResult(numLevels: currentLevels, capacity: UInt32(target), itemCount: itemCount)
    }
}
