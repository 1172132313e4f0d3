/// Rank, quantile and CDF queries, answered exactly as DataSketches' sorted view answers them.
extension KLLSketch {
    /// The retained items in order with their cumulative weights: the sketch's step CDF.
    public struct SortedView: Sendable {
        /// Retained items, ascending.
        public let values: [Double]
        /// `cumulativeWeights[i]` = total weight of `values[0...i]`; the last one is the sketch's count.
        public let cumulativeWeights: [UInt64]

        /// Total weight (the number of values summarized).
        public var totalWeight: UInt64 { cumulativeWeights.last ?? 0 }

        /// Weight of the items < x (`inclusive == false`) or ≤ x (`inclusive == true`).
        public func weight(below x: Double, inclusive: Bool) -> UInt64 {
            var low = 0, high = values.count
            while low < high {
                let mid = (low + high) / 2
                if inclusive ? values[mid] <= x : values[mid] < x { low = mid + 1 } else { high = mid }
            }
            return low == 0 ? 0 : cumulativeWeights[low - 1]
        }

        /// Normalized rank of x: the fraction of the weight < x, or ≤ x when inclusive.
        public func rank(_ x: Double, inclusive: Bool = false) -> Double {
            guard totalWeight > 0 else { return 0 }
            return Double(weight(below: x, inclusive: inclusive)) / Double(totalWeight)
        }

        /// The item at normalized rank r ∈ [0, 1] (DataSketches' `get_quantile`; exclusive by default, as the Python package).
        public func quantile(_ r: Double, inclusive: Bool = false) -> Double? {
            guard let last = values.last, r >= 0, r <= 1 else { return nil }
            let scaled = r * Double(totalWeight)
            let target = UInt64(inclusive ? scaled.rounded(.up) : scaled)
            var low = 0, high = values.count
            while low < high {
                let mid = (low + high) / 2
                let goesLeft = inclusive ? cumulativeWeights[mid] >= target : cumulativeWeights[mid] > target
                if goesLeft { high = mid } else { low = mid + 1 }
            }
            return low == values.count ? last : values[low]
        }
    }

    /// The sorted view of the retained items (built on each call; keep it for many queries).
    public func sortedView() -> SortedView {
        // Levels above 0 are sorted already: sort level 0, then merge the levels in, lightest first,
        // without branches (as DataSketches builds its sorted view), instead of sorting everything.
        var values: [Double] = []
        var weights: [UInt64] = []
        values.reserveCapacity(retainedCount)
        weights.reserveCapacity(retainedCount)
        var mergedValues = [Double](repeating: 0, count: retainedCount)
        var mergedWeights = [UInt64](repeating: 0, count: retainedCount)
        for level in 0..<numLevels {
            var run = Array(items[Int(levels[level])..<Int(levels[level + 1])])
            guard !run.isEmpty else { continue }
            if level == 0 { run.withUnsafeMutableBufferPointer { Self.sort($0, 0, $0.count) } }
            let weight = UInt64(1) << UInt64(level)
            let total = values.count + run.count
            values.withUnsafeBufferPointer { a in
                weights.withUnsafeBufferPointer { aw in
                    run.withUnsafeBufferPointer { b in
                        mergedValues.withUnsafeMutableBufferPointer { out in
                            mergedWeights.withUnsafeMutableBufferPointer { outWeights in
                                var i = 0, j = 0, c = 0
                                while i < a.count && j < b.count {
                                    let takeA = b[j] < a[i] ? 0 : 1
                                    out[c] = takeA == 1 ? a[i] : b[j]
                                    outWeights[c] = takeA == 1 ? aw[i] : weight
                                    i &+= takeA
                                    j &+= 1 &- takeA
                                    c &+= 1
                                }
                                while i < a.count { out[c] = a[i]; outWeights[c] = aw[i]; i += 1; c += 1 }
                                while j < b.count { out[c] = b[j]; outWeights[c] = weight; j += 1; c += 1 }
                            }
                        }
                    }
                }
            }
            values = Array(mergedValues[..<total])
            weights = Array(mergedWeights[..<total])
        }
        var running: UInt64 = 0
        for i in weights.indices {
            running += weights[i]
            weights[i] = running
        }
        return SortedView(values: values, cumulativeWeights: weights)
    }

    /// The value at normalized rank r ∈ [0, 1]; `nil` when empty or r is outside [0, 1].
    public func quantile(_ r: Double, inclusive: Bool = false) -> Double? {
        isEmpty ? nil : sortedView().quantile(r, inclusive: inclusive)
    }

    /// The values at several ranks, from one sorted view.
    public func quantiles(_ ranks: [Double], inclusive: Bool = false) -> [Double?] {
        guard !isEmpty else { return ranks.map { _ in nil } }
        let view = sortedView()
        return ranks.map { view.quantile($0, inclusive: inclusive) }
    }

    /// Normalized rank of x (fraction ≤ x when inclusive, < x otherwise); 0 when empty.
    public func rank(_ x: Double, inclusive: Bool = false) -> Double {
        sortedView().rank(x, inclusive: inclusive)
    }

    /// CDF at ascending split points, plus a final 1 (DataSketches' `get_CDF`); `[]` when empty.
    public func cdf(_ splitPoints: [Double], inclusive: Bool = false) -> [Double] {
        guard !isEmpty else { return [] }
        let view = sortedView()
        return splitPoints.map { view.rank($0, inclusive: inclusive) } + [1]
    }
}
