/// Capacity arithmetic and the compaction that keeps the sketch within its capacity. The integer
/// rounding follows DataSketches so that capacities (and hence serialized level offsets) agree.
extension KLLSketch {
    static let powersOfThree: [UInt64] = (0...30).map { exponent in
        var p: UInt64 = 1
        for _ in 0..<exponent { p *= 3 }
        return p
    }

    /// k·(2/3)^depth rounded to nearest, for depth ≤ 30.
    static func capacityAux(_ k: UInt64, depth: Int) -> UInt64 {
        let twoK = k << 1
        let scaled = (twoK << UInt64(depth)) / powersOfThree[depth]
        return (scaled + 1) >> 1
    }

    /// The nominal capacity of level `height` in a sketch with `numLevels` levels.
    static func levelCapacity(k: UInt16, numLevels: Int, height: Int) -> UInt32 {
        let depth = numLevels - height - 1
        let value: UInt64
        if depth <= 30 {
            value = capacityAux(UInt64(k), depth: depth)
        } else {
            let half = depth / 2
            value = capacityAux(capacityAux(UInt64(k), depth: half), depth: depth - half)
        }
        return UInt32(Swift.max(UInt64(minLevelWidth), value))
    }

    /// The capacity of every level, bottom first.
    static func capacities(k: UInt16, numLevels: Int) -> [UInt32] {
        (0..<numLevels).map { levelCapacity(k: k, numLevels: numLevels, height: $0) }
    }

    /// Sum of the level capacities: the buffer size for `numLevels` levels.
    static func totalCapacity(k: UInt16, numLevels: Int) -> UInt32 {
        var total: UInt32 = 0
        for height in 0..<numLevels { total += levelCapacity(k: k, numLevels: numLevels, height: height) }
        return total
    }

    /// The most levels a sketch of n items can have.
    static func levelUpperBound(n: UInt64) -> Int {
        n == 0 ? 1 : 1 + (63 - n.leadingZeroBitCount)
    }


    /// Compacts the lowest level at or over its capacity (DataSketches' `compress_while_updating`): sorts it
    /// (level 0), keeps every other item by the coin, merges those into the level above and moves the levels
    /// below up into the space freed. One pass over raw pointers: this runs once every few values.
    ///
    /// `deferringOrder`: the kept items are put in front of the level above instead of merged into it, and
    /// that level is marked in ``unsortedLevels``; a level is sorted when it is compacted itself, or by
    /// ``sortUnsortedLevels()``. A level holds the same multiset of items either way, and without −0 (the one
    /// double equal to another with other bits; NaN never enters) a multiset has one sorted order: so the
    /// compactions keep the same items and the sorted sketch is the same, bit for bit, for a fraction of the
    /// merging (level 1 takes several runs before it is compacted once). Callers pass it only while
    /// ``noNegativeZero`` holds.
    mutating func compactWhileUpdating(deferringOrder: Bool = false) {
        var level = 0
        let top = numLevels - 1
        levels.withUnsafeBufferPointer { bounds in
            capacities.withUnsafeBufferPointer { capacity in
                while level < top && bounds[level + 1] &- bounds[level] < capacity[level] { level += 1 }
            }
        }
        if level == top { addEmptyTopLevel() }
        let sortLevel = level == 0 ? !levelZeroSorted : unsortedLevels & (1 << UInt64(level)) != 0
        unsortedLevels &= ~(1 << UInt64(level))
        let coin = Int(random.next() & 1)
        var deferred = false
        levels.withUnsafeMutableBufferPointer { bounds in
            items.withUnsafeMutableBufferPointer { buffer in
                deferred = Self.compact(level: level, bounds: bounds, buffer: buffer, sortLevel: sortLevel, coin: coin,
                                        deferringOrder: deferringOrder)
            }
        }
        if deferred { unsortedLevels |= 1 << UInt64(level + 1) }
    }

    /// One compaction of `level` (which is not the top level) over raw storage: sorts it if `sortLevel`, keeps
    /// the items the coin picks, merges them into (or, `deferringOrder`, puts them in front of) the level above
    /// and moves the levels below up. Returns true when it left the level above out of order.
    @inline(__always)
    static func compact(level: Int, bounds: UnsafeMutableBufferPointer<UInt32>, buffer: UnsafeMutableBufferPointer<Double>,
                        sortLevel: Bool, coin: Int, deferringOrder: Bool) -> Bool {
        guard let base = buffer.baseAddress else { return false }
        var deferred = false
        let rawBegin = Int(bounds[level])
        let rawLimit = Int(bounds[level + 1])
        let populationAbove = Int(bounds[level + 2]) - rawLimit
        let rawPopulation = rawLimit - rawBegin
        let odd = rawPopulation & 1 == 1
        let adjustedBegin = odd ? rawBegin + 1 : rawBegin
        let adjustedPopulation = odd ? rawPopulation - 1 : rawPopulation
        let half = adjustedPopulation / 2
        if sortLevel {
            // Level 0 sorts the run it compacts (its odd first item stays as it is); a deferred higher
            // level sorts all of itself, as merging would have kept it (the odd item is its smallest).
            if level == 0 {
                Self.sort(buffer, adjustedBegin, adjustedBegin + adjustedPopulation)
            } else {
                Self.sort(buffer, rawBegin, rawLimit)
            }
        }
        if populationAbove == 0 {
            Self.halveUp(buffer, start: adjustedBegin, length: adjustedPopulation, offset: coin)
        } else if deferringOrder {
            Self.halveDownToTop(base + adjustedBegin, length: adjustedPopulation, offset: coin)
            deferred = true
        } else {
            Self.halveDown(buffer, start: adjustedBegin, length: adjustedPopulation, offset: coin)
            Self.mergeInPlace(buffer, a: adjustedBegin, aCount: half, b: rawLimit, bCount: populationAbove,
                              destination: adjustedBegin + half)
        }
        bounds[level + 1] -= UInt32(half)
        if odd {
            bounds[level] = bounds[level + 1] - 1
            if Int(bounds[level]) != rawBegin { base[Int(bounds[level])] = base[rawBegin] }
        } else {
            bounds[level] = bounds[level + 1]
        }
        if level > 0 {
            // The levels below move up by `half` (overlapping: copied from the top down).
            let start = Int(bounds[0])
            let amount = rawBegin - start
            if amount > 64 {
                (base + start + half).update(from: base + start, count: amount)   // memmove semantics
            } else {
                var i = amount - 1
                while i >= 0 {
                    base[start &+ half &+ i] = base[start &+ i]
                    i &-= 1
                }
            }
            for l in 0..<level { bounds[l] += UInt32(half) }
        }
        return deferred
    }

    /// Sorts the levels a deferred compaction left out of order (``unsortedLevels``); afterwards the sketch
    /// is exactly the one that merging at every compaction would have made.
    mutating func sortUnsortedLevels() {
        guard unsortedLevels != 0 else { return }
        let pending = unsortedLevels
        unsortedLevels = 0
        levels.withUnsafeBufferPointer { bounds in
            items.withUnsafeMutableBufferPointer { buffer in
                for level in 1..<numLevels where pending & (1 << UInt64(level)) != 0 {
                    Self.sort(buffer, Int(bounds[level]), Int(bounds[level + 1]))
                }
            }
        }
    }

    /// Grows the buffer by the capacity of a new bottom level; called only on a full sketch.
    mutating func addEmptyTopLevel() {
        let currentCapacity = Int(levels[numLevels])
        let delta = Int(Self.levelCapacity(k: k, numLevels: numLevels + 1, height: 0))
        var grown = [Double](repeating: 0, count: currentCapacity + delta)
        grown.withUnsafeMutableBufferPointer { target in
            items.withUnsafeBufferPointer { source in
                guard let t = target.baseAddress, let s = source.baseAddress else { return }
                (t + delta).update(from: s, count: currentCapacity)
            }
        }
        items = grown
        if levels.count < numLevels + 2 { levels.append(contentsOf: repeatElement(0, count: numLevels + 2 - levels.count)) }
        for i in 0...numLevels { levels[i] += UInt32(delta) }
        numLevels += 1
        levels[numLevels] = UInt32(currentCapacity + delta)
    }

    /// Sorts `buffer[start..<end]`. Level 0 of a deep sketch holds 8–16 items nearly always: those go
    /// through sorting networks kept in registers. Longer runs (level 0 of a young sketch holds up to k
    /// items, and a window's sketch is young for its first ~50,000 values) are sorted 16 at a time by
    /// the network, then merged pairwise without branches.
    static func sort(_ buffer: UnsafeMutableBufferPointer<Double>, _ start: Int, _ end: Int) {
        let count = end - start
        guard let base = buffer.baseAddress, count > 1 else { return }
        if count == 8 {
            sortEight(base + start)
        } else if count <= 16 {
            sortSixteen(base + start, count: count)
        } else {
            sortLong(base + start, count: count)
        }
    }

    /// Sorts `count` > 16 items: runs of 16 by the network, then bottom-up merges through a scratch
    /// buffer on the stack (ping-pong), copied back when the last pass ends in the scratch.
    static func sortLong(_ items: UnsafeMutablePointer<Double>, count: Int) {
        var start = 0
        while start < count {
            sortSixteen(items + start, count: Swift.min(16, count - start))
            start += 16
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { scratch in
            guard let scratchBase = scratch.baseAddress else { return }
            var source = items
            var target = scratchBase
            var width = 16
            while width < count {
                var low = 0
                while low < count {
                    let middle = Swift.min(low + width, count)
                    let high = Swift.min(low + 2 * width, count)
                    mergeRuns(source + low, middle - low, source + middle, high - middle, into: target + low)
                    low = high
                }
                swap(&source, &target)
                width *= 2
            }
            if source != items { items.update(from: source, count: count) }
        }
    }

    /// Merges two sorted runs into `target`, selecting without branches (the runs interleave unpredictably).
    /// `target` may overlap run b only where it never overtakes the next b item to read (``mergeInPlace``).
    @inline(__always)
    static func mergeRuns(_ a: UnsafeMutablePointer<Double>, _ aCount: Int, _ b: UnsafeMutablePointer<Double>, _ bCount: Int,
                          into target: UnsafeMutablePointer<Double>) {
        var ia = 0, ib = 0, c = 0
        while ia < aCount && ib < bCount {
            let va = a[ia], vb = b[ib]
            let takeA = vb < va ? 0 : 1
            target[c] = vb < va ? vb : va
            ia &+= takeA
            ib &+= 1 &- takeA
            c &+= 1
        }
        while ia < aCount {
            target[c] = a[ia]
            ia &+= 1
            c &+= 1
        }
        while ib < bCount {
            target[c] = b[ib]
            ib &+= 1
            c &+= 1
        }
    }

    /// Batcher's 16-item network with the comparators that touch a padded position (≥ `count`) left out:
    /// those only ever compare +∞ with +∞ or keep a value below +∞, so the result is the padded network's bit
    /// for bit (equal items included), with 28–59 comparators instead of 63 for the 9–15 items a level usually holds.
    @inline(__always)
    static func sortPruned(_ p: UnsafeMutablePointer<Double>, count: Int) -> Bool {
        switch count {
        case 2: sortPruned2(p)
        case 3: sortPruned3(p)
        case 4: sortPruned4(p)
        case 5: sortPruned5(p)
        case 6: sortPruned6(p)
        case 7: sortPruned7(p)
        case 9: sortPruned9(p)
        case 10: sortPruned10(p)
        case 11: sortPruned11(p)
        case 12: sortPruned12(p)
        case 13: sortPruned13(p)
        case 14: sortPruned14(p)
        case 15: sortPruned15(p)
        default: return false
        }
        return true
    }

    @inline(__always)
    static func exchange(_ a: inout Double, _ b: inout Double) {
        let low = a < b ? a : b
        let high = a < b ? b : a
        a = low
        b = high
    }

    static func sortPruned2(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1]
        exchange(&v0, &v1)
        p[0] = v0; p[1] = v1
    }

    static func sortPruned3(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2]
        exchange(&v0, &v1); exchange(&v0, &v2); exchange(&v1, &v2); exchange(&v1, &v2); exchange(&v1, &v2)
        p[0] = v0; p[1] = v1; p[2] = v2
    }

    static func sortPruned4(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v1, &v2)
        exchange(&v1, &v2)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3
    }

    static func sortPruned5(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v0, &v4)
        exchange(&v2, &v4); exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v2, &v4); exchange(&v1, &v2); exchange(&v3, &v4)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4
    }

    static func sortPruned6(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v0, &v4); exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v2, &v4); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5
    }

    static func sortPruned7(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v4, &v6); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6); exchange(&v2, &v4); exchange(&v1, &v5)
        exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6); exchange(&v2, &v4); exchange(&v3, &v5)
        exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6
    }

    static func sortPruned9(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7], v8 = p[8]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v6, &v7); exchange(&v4, &v6); exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v0, &v8); exchange(&v4, &v8); exchange(&v2, &v4); exchange(&v6, &v8); exchange(&v3, &v5)
        exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6); exchange(&v7, &v8)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7; p[8] = v8
    }

    static func sortPruned10(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7], v8 = p[8], v9 = p[9]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v6, &v7); exchange(&v4, &v6); exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v8, &v9); exchange(&v0, &v8); exchange(&v4, &v8); exchange(&v2, &v4); exchange(&v6, &v8)
        exchange(&v1, &v9); exchange(&v5, &v9); exchange(&v3, &v5); exchange(&v7, &v9); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v7, &v8)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7; p[8] = v8; p[9] = v9
    }

    static func sortPruned11(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7], v8 = p[8], v9 = p[9], v10 = p[10]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v6, &v7); exchange(&v4, &v6); exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v8, &v9); exchange(&v8, &v10); exchange(&v9, &v10); exchange(&v9, &v10); exchange(&v0, &v8)
        exchange(&v4, &v8); exchange(&v2, &v10); exchange(&v6, &v10); exchange(&v2, &v4); exchange(&v6, &v8); exchange(&v1, &v9)
        exchange(&v5, &v9); exchange(&v3, &v5); exchange(&v7, &v9); exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6)
        exchange(&v7, &v8); exchange(&v9, &v10)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7; p[8] = v8; p[9] = v9; p[10] = v10
    }

    static func sortPruned12(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7], v8 = p[8], v9 = p[9], v10 = p[10], v11 = p[11]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v6, &v7); exchange(&v4, &v6); exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v8, &v9); exchange(&v10, &v11); exchange(&v8, &v10); exchange(&v9, &v11); exchange(&v9, &v10)
        exchange(&v9, &v10); exchange(&v0, &v8); exchange(&v4, &v8); exchange(&v2, &v10); exchange(&v6, &v10); exchange(&v2, &v4)
        exchange(&v6, &v8); exchange(&v1, &v9); exchange(&v5, &v9); exchange(&v3, &v11); exchange(&v7, &v11); exchange(&v3, &v5)
        exchange(&v7, &v9); exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6); exchange(&v7, &v8); exchange(&v9, &v10)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7; p[8] = v8; p[9] = v9; p[10] = v10; p[11] = v11
    }

    static func sortPruned13(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7], v8 = p[8], v9 = p[9], v10 = p[10], v11 = p[11], v12 = p[12]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v6, &v7); exchange(&v4, &v6); exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v8, &v9); exchange(&v10, &v11); exchange(&v8, &v10); exchange(&v9, &v11); exchange(&v9, &v10)
        exchange(&v8, &v12); exchange(&v10, &v12); exchange(&v9, &v10); exchange(&v11, &v12); exchange(&v0, &v8); exchange(&v4, &v12)
        exchange(&v4, &v8); exchange(&v2, &v10); exchange(&v6, &v10); exchange(&v2, &v4); exchange(&v6, &v8); exchange(&v10, &v12)
        exchange(&v1, &v9); exchange(&v5, &v9); exchange(&v3, &v11); exchange(&v7, &v11); exchange(&v3, &v5); exchange(&v7, &v9)
        exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6); exchange(&v7, &v8); exchange(&v9, &v10); exchange(&v11, &v12)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7; p[8] = v8; p[9] = v9; p[10] = v10; p[11] = v11; p[12] = v12
    }

    static func sortPruned14(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7], v8 = p[8], v9 = p[9], v10 = p[10], v11 = p[11], v12 = p[12], v13 = p[13]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v6, &v7); exchange(&v4, &v6); exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v8, &v9); exchange(&v10, &v11); exchange(&v8, &v10); exchange(&v9, &v11); exchange(&v9, &v10)
        exchange(&v12, &v13); exchange(&v8, &v12); exchange(&v10, &v12); exchange(&v9, &v13); exchange(&v11, &v13); exchange(&v9, &v10)
        exchange(&v11, &v12); exchange(&v0, &v8); exchange(&v4, &v12); exchange(&v4, &v8); exchange(&v2, &v10); exchange(&v6, &v10)
        exchange(&v2, &v4); exchange(&v6, &v8); exchange(&v10, &v12); exchange(&v1, &v9); exchange(&v5, &v13); exchange(&v5, &v9)
        exchange(&v3, &v11); exchange(&v7, &v11); exchange(&v3, &v5); exchange(&v7, &v9); exchange(&v11, &v13); exchange(&v1, &v2)
        exchange(&v3, &v4); exchange(&v5, &v6); exchange(&v7, &v8); exchange(&v9, &v10); exchange(&v11, &v12)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7; p[8] = v8; p[9] = v9; p[10] = v10; p[11] = v11; p[12] = v12; p[13] = v13
    }

    static func sortPruned15(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7], v8 = p[8], v9 = p[9], v10 = p[10], v11 = p[11], v12 = p[12], v13 = p[13], v14 = p[14]
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v1, &v2); exchange(&v4, &v5)
        exchange(&v6, &v7); exchange(&v4, &v6); exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v8, &v9); exchange(&v10, &v11); exchange(&v8, &v10); exchange(&v9, &v11); exchange(&v9, &v10)
        exchange(&v12, &v13); exchange(&v12, &v14); exchange(&v13, &v14); exchange(&v8, &v12); exchange(&v10, &v14); exchange(&v10, &v12)
        exchange(&v9, &v13); exchange(&v11, &v13); exchange(&v9, &v10); exchange(&v11, &v12); exchange(&v13, &v14); exchange(&v0, &v8)
        exchange(&v4, &v12); exchange(&v4, &v8); exchange(&v2, &v10); exchange(&v6, &v14); exchange(&v6, &v10); exchange(&v2, &v4)
        exchange(&v6, &v8); exchange(&v10, &v12); exchange(&v1, &v9); exchange(&v5, &v13); exchange(&v5, &v9); exchange(&v3, &v11)
        exchange(&v7, &v11); exchange(&v3, &v5); exchange(&v7, &v9); exchange(&v11, &v13); exchange(&v1, &v2); exchange(&v3, &v4)
        exchange(&v5, &v6); exchange(&v7, &v8); exchange(&v9, &v10); exchange(&v11, &v12); exchange(&v13, &v14)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7; p[8] = v8; p[9] = v9; p[10] = v10; p[11] = v11; p[12] = v12; p[13] = v13; p[14] = v14
    }

    /// Batcher's odd–even merge network for 16 items (63 comparators), in registers: level 0 of a deep
    /// sketch holds 9–16 items most of the time, and min/max steps never mispredict a branch.
    /// Fewer than 16 items (any count from 1) are padded with +∞, which sorts last.
    static func sortSixteen(_ p: UnsafeMutablePointer<Double>, count: Int) {
        if sortPruned(p, count: count) { return }
        @inline(__always) func load(_ i: Int) -> Double { i < count ? p[i] : .infinity }
        var v0 = load(0)
        var v1 = load(1)
        var v2 = load(2)
        var v3 = load(3)
        var v4 = load(4)
        var v5 = load(5)
        var v6 = load(6)
        var v7 = load(7)
        var v8 = load(8)
        var v9 = load(9)
        var v10 = load(10)
        var v11 = load(11)
        var v12 = load(12)
        var v13 = load(13)
        var v14 = load(14)
        var v15 = load(15)
        @inline(__always) func exchange(_ a: inout Double, _ b: inout Double) {
            let low = a < b ? a : b
            let high = a < b ? b : a
            a = low
            b = high
        }
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v0, &v2); exchange(&v1, &v3)
        exchange(&v1, &v2); exchange(&v4, &v5); exchange(&v6, &v7); exchange(&v4, &v6)
        exchange(&v5, &v7); exchange(&v5, &v6); exchange(&v0, &v4); exchange(&v2, &v6)
        exchange(&v2, &v4); exchange(&v1, &v5); exchange(&v3, &v7); exchange(&v3, &v5)
        exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6); exchange(&v8, &v9)
        exchange(&v10, &v11); exchange(&v8, &v10); exchange(&v9, &v11); exchange(&v9, &v10)
        exchange(&v12, &v13); exchange(&v14, &v15); exchange(&v12, &v14); exchange(&v13, &v15)
        exchange(&v13, &v14); exchange(&v8, &v12); exchange(&v10, &v14); exchange(&v10, &v12)
        exchange(&v9, &v13); exchange(&v11, &v15); exchange(&v11, &v13); exchange(&v9, &v10)
        exchange(&v11, &v12); exchange(&v13, &v14); exchange(&v0, &v8); exchange(&v4, &v12)
        exchange(&v4, &v8); exchange(&v2, &v10); exchange(&v6, &v14); exchange(&v6, &v10)
        exchange(&v2, &v4); exchange(&v6, &v8); exchange(&v10, &v12); exchange(&v1, &v9)
        exchange(&v5, &v13); exchange(&v5, &v9); exchange(&v3, &v11); exchange(&v7, &v15)
        exchange(&v7, &v11); exchange(&v3, &v5); exchange(&v7, &v9); exchange(&v11, &v13)
        exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6); exchange(&v7, &v8)
        exchange(&v9, &v10); exchange(&v11, &v12); exchange(&v13, &v14)
        p[0] = v0
        if count > 1 { p[1] = v1 }
        if count > 2 { p[2] = v2 }
        if count > 3 { p[3] = v3 }
        if count > 4 { p[4] = v4 }
        if count > 5 { p[5] = v5 }
        if count > 6 { p[6] = v6 }
        if count > 7 { p[7] = v7 }
        if count > 8 { p[8] = v8 }
        if count > 9 { p[9] = v9 }
        if count > 10 { p[10] = v10 }
        if count > 11 { p[11] = v11 }
        if count > 12 { p[12] = v12 }
        if count > 13 { p[13] = v13 }
        if count > 14 { p[14] = v14 }
        if count > 15 { p[15] = v15 }
    }

    /// Batcher's 19-comparator network for the 8-item level 0 of a deep sketch: min/max, no branches.
    @inline(__always)
    static func sortEight(_ p: UnsafeMutablePointer<Double>) {
        var v0 = p[0], v1 = p[1], v2 = p[2], v3 = p[3], v4 = p[4], v5 = p[5], v6 = p[6], v7 = p[7]
        @inline(__always) func exchange(_ a: inout Double, _ b: inout Double) {
            let low = a < b ? a : b
            let high = a < b ? b : a
            a = low
            b = high
        }
        exchange(&v0, &v1); exchange(&v2, &v3); exchange(&v4, &v5); exchange(&v6, &v7)
        exchange(&v0, &v2); exchange(&v1, &v3); exchange(&v4, &v6); exchange(&v5, &v7)
        exchange(&v1, &v2); exchange(&v5, &v6)
        exchange(&v0, &v4); exchange(&v1, &v5); exchange(&v2, &v6); exchange(&v3, &v7)
        exchange(&v2, &v4); exchange(&v3, &v5)
        exchange(&v1, &v2); exchange(&v3, &v4); exchange(&v5, &v6)
        p[0] = v0; p[1] = v1; p[2] = v2; p[3] = v3; p[4] = v4; p[5] = v5; p[6] = v6; p[7] = v7
    }

    /// Keeps every other item of a sorted run, packed at its top end.
    static func halveUp(_ buffer: UnsafeMutableBufferPointer<Double>, start: Int, length: Int, offset: Int) {
        let half = length / 2
        var j = start + length - 1 - offset
        var i = start + length - 1
        while i >= start + half {
            buffer[i] = buffer[j]
            j -= 2
            i -= 1
        }
    }

    /// Keeps every other item of a sorted run, packed at its bottom end.
    static func halveDown(_ buffer: UnsafeMutableBufferPointer<Double>, start: Int, length: Int, offset: Int) {
        let half = length / 2
        var j = start + offset
        for i in start..<(start + half) {
            buffer[i] = buffer[j]
            j += 2
        }
    }

    /// Keeps the items ``halveDown`` keeps (offset, offset + 2, …), packed at the run's top end where merging
    /// would have begun its output. Writes go from the top down, always above every item still to read.
    @inline(__always)
    static func halveDownToTop(_ run: UnsafeMutablePointer<Double>, length: Int, offset: Int) {
        let half = length / 2
        var i = half - 1
        while i >= 0 {
            run[half &+ i] = run[offset &+ 2 &* i]
            i &-= 1
        }
    }

    /// Merges two sorted runs of one buffer into `destination`, which lies after run a and never overtakes
    /// run b (each write lands at or before the next b item still to read), so ``mergeRuns`` can do it.
    static func mergeInPlace(_ buffer: UnsafeMutableBufferPointer<Double>, a: Int, aCount: Int, b: Int, bCount: Int, destination: Int) {
        guard let base = buffer.baseAddress else { return }
        mergeRuns(base + a, aCount, base + b, bCount, into: base + destination)
    }
}
