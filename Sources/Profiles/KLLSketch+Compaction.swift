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


    mutating func compactWhileUpdating() {
        var level = 0
        while level < numLevels - 1 {
            let population = levels[level + 1] - levels[level]
            if population >= Self.levelCapacity(k: k, numLevels: numLevels, height: level) { break }
            level += 1
        }
        if level == numLevels - 1 { addEmptyTopLevel() }
        let rawBegin = Int(levels[level])
        let rawLimit = Int(levels[level + 1])
        let populationAbove = Int(levels[level + 2]) - rawLimit
        let rawPopulation = rawLimit - rawBegin
        let odd = rawPopulation & 1 == 1
        let adjustedBegin = odd ? rawBegin + 1 : rawBegin
        let adjustedPopulation = odd ? rawPopulation - 1 : rawPopulation
        let half = adjustedPopulation / 2
        let sortLevel = level == 0 && !levelZeroSorted
        let coin = Int(random.next() & 1)
        items.withUnsafeMutableBufferPointer { buffer in
            if sortLevel {
                buffer[adjustedBegin..<(adjustedBegin + adjustedPopulation)].sort()
            }
            if populationAbove == 0 {
                Self.halveUp(buffer, start: adjustedBegin, length: adjustedPopulation, offset: coin)
            } else {
                Self.halveDown(buffer, start: adjustedBegin, length: adjustedPopulation, offset: coin)
                Self.mergeInPlace(buffer, a: adjustedBegin, aCount: half, b: rawLimit, bCount: populationAbove,
                                  destination: adjustedBegin + half)
            }
        }
        levels[level + 1] -= UInt32(half)
        if odd {
            levels[level] = levels[level + 1] - 1
            if Int(levels[level]) != rawBegin { items[Int(levels[level])] = items[rawBegin] }
        } else {
            levels[level] = levels[level + 1]
        }
        if level > 0 {
            let start = Int(levels[0])
            let amount = rawBegin - start
            items.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress, amount > 0 else { return }
                (base + start + half).update(from: base + start, count: amount)  // overlapping: memmove semantics
            }
            for l in 0..<level { levels[l] += UInt32(half) }
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

    /// Merges two sorted runs of one buffer into `destination`, which never overtakes run b.
    static func mergeInPlace(_ buffer: UnsafeMutableBufferPointer<Double>, a: Int, aCount: Int, b: Int, bCount: Int, destination: Int) {
        var ia = a, ib = b
        let aLimit = a + aCount, bLimit = b + bCount
        var c = destination
        while c < destination + aCount + bCount {
            if ia == aLimit {
                buffer[c] = buffer[ib]; ib += 1
            } else if ib == bLimit {
                buffer[c] = buffer[ia]; ia += 1
            } else if buffer[ia] < buffer[ib] {
                buffer[c] = buffer[ia]; ia += 1
            } else {
                buffer[c] = buffer[ib]; ib += 1
            }
            c += 1
        }
    }
}
