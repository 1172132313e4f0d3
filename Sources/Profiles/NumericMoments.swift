/// Count, missing count, min, max, mean and the sum of squared deviations (m2) of a numeric column,
/// updated by Welford's method and merged by Chan et al.'s formula.
///
/// Internally the values are shifted by the first value seen, so that a large common offset
/// (values around 1e9 with a spread of 1e-3) does not eat the variance's precision.
///
/// Missing values: NaN **and ±Infinity** count as missing (`missingCount`) and are kept out of every
/// other field, so no infinity or NaN can reach a mean, a variance or a distance. `count` is the number
/// of finite values; `count + missingCount` is the number of records seen.
///
/// ```swift
/// var m = NumericMoments()
/// for x in [1.0, 2.0, .nan] { m.add(x) }      // count 2, missingCount 1, mean 1.5
/// ```
public struct NumericMoments: Sendable {
    /// Number of finite values.
    public private(set) var count: Int64 = 0
    /// Number of NaN, infinite or absent values.
    public var missingCount: Int64 = 0
    /// Smallest finite value; `nil` while `count == 0`.
    public var min: Double? { count > 0 ? minimum : nil }
    /// Largest finite value; `nil` while `count == 0`.
    public var max: Double? { count > 0 ? maximum : nil }
    /// Mean of the finite values (0 while `count == 0`).
    public var mean: Double { shift + shiftedMean }
    /// Sum of squared deviations from the mean.
    public private(set) var m2: Double = 0

    /// The first value seen (or the stored mean); values are accumulated as x − shift.
    var shift: Double = 0
    var shiftedMean: Double = 0
    var minimum: Double = .infinity
    var maximum: Double = -.infinity

    public init() {}

    /// Rebuilds moments from stored fields (a `profiles` row); `min`/`max` are ignored when `count == 0`.
    public init(count: Int64, missingCount: Int64, min: Double?, max: Double?, mean: Double, m2: Double) throws(ProfileError) {
        guard count >= 0, missingCount >= 0 else {
            throw .invalidArgument(name: "count", detail: "counts must be ≥ 0, got \(count) and \(missingCount)")
        }
        self.count = count
        self.missingCount = missingCount
        guard count > 0 else { return }
        guard let min, let max, min.isFinite, max.isFinite, min <= max, mean.isFinite, m2.isFinite, m2 >= 0 else {
            throw .invalidArgument(name: "moments", detail: "min \(String(describing: min)), max \(String(describing: max)), mean \(mean), m2 \(m2) are not finite and ordered")
        }
        minimum = min
        maximum = max
        shift = mean
        self.m2 = m2
    }

    /// Adds one value; non-finite values and values beyond ±``NumericProfile/maxMagnitude`` count as missing.
    public mutating func add(_ x: Double) {
        guard x.magnitude <= NumericProfile.maxMagnitude else {
            missingCount += 1
            return
        }
        if count == 0 { shift = x }
        count += 1
        let shifted = x - shift
        let delta = shifted - shiftedMean
        shiftedMean += delta / Double(count)
        m2 += delta * (shifted - shiftedMean)
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
    }

    /// Adds a block of finite values: a two-pass mean and m2 over the block (shifted like every value),
    /// combined with Chan et al.'s formula. Faster than one `add` per value and at least as accurate.
    /// The caller guarantees every value is finite.
    /// Returns the block's min and max.
    @discardableResult
    mutating func add(finiteBlock block: UnsafeBufferPointer<Double>) -> (min: Double, max: Double) {
        guard !block.isEmpty else { return (.infinity, -.infinity) }
        let origin = blockOrigin(first: block[0])
        var sum = 0.0
        var low = block[0], high = block[0]
        for x in block {
            sum += x - origin
            low = x < low ? x : low
            high = x > high ? x : high
        }
        add(finiteBlock: block, shiftedSum: sum, min: low, max: high)
        return (low, high)
    }

    /// ``add(finiteBlock:)``'s first pass over `block` (the sum of x − `origin` in order, min, max), fused with the
    /// second pass over an earlier block `held` of as many values: the sum of ((h − origin) − `heldMean`)² in order.
    static func firstPass(_ block: UnsafeBufferPointer<Double>, origin: Double, held: UnsafeBufferPointer<Double>,
                          heldMean: Double) -> (sum: Double, min: Double, max: Double, heldM2: Double) {
        precondition(held.count == block.count)
        guard let first = block.first else { return (0, .infinity, -.infinity, 0) }
        var sum = 0.0, m2 = 0.0
        var low = first, high = first
        for i in 0..<block.count {
            let x = block[i]
            sum += x - origin
            let d = (held[i] - origin) - heldMean
            m2 += d * d
            low = x < low ? x : low
            high = x > high ? x : high
        }
        return (sum, low, high, m2)
    }

    /// The shift a block's first pass subtracts: the first value ever, else the current shift.
    func blockOrigin(first: Double) -> Double { count == 0 ? first : shift }

    /// The second pass of ``add(finiteBlock:)`` and the combination, given the first pass's results (the sum of
    /// x − ``blockOrigin(first:)`` in order, min and max), so that a caller can fold other work into the first pass.
    mutating func add(finiteBlock block: UnsafeBufferPointer<Double>, shiftedSum sum: Double, min low: Double, max high: Double) {
        guard !block.isEmpty else { return }
        if count == 0 { shift = block[0] }
        let blockM2 = Self.secondPass(block, origin: shift, mean: sum / Double(block.count))
        combine(blockCount: block.count, first: block[0], shiftedSum: sum, m2: blockM2, min: low, max: high)
    }

    /// A block's second pass: the sum of ((x − `origin`) − `mean`)² in order.
    @inline(__always)
    static func secondPass(_ block: UnsafeBufferPointer<Double>, origin: Double, mean: Double) -> Double {
        var m2 = 0.0
        for x in block {
            let d = (x - origin) - mean
            m2 += d * d
        }
        return m2
    }

    /// The last step of ``add(finiteBlock:shiftedSum:min:max:)``: folds in a block whose second pass (`m2`, the sum
    /// of ((x − origin) − mean)² in order, mean = `sum` / count) was done elsewhere, with origin =
    /// ``blockOrigin(first:)`` of its `first` value as it was before the block. Same arithmetic, same bits.
    mutating func combine(blockCount: Int, first: Double, shiftedSum sum: Double, m2 blockM2: Double,
                          min low: Double, max high: Double) {
        guard blockCount > 0 else { return }
        if count == 0 { shift = first }
        let nb = Double(blockCount)
        let blockMean = sum / nb
        minimum = Swift.min(minimum, low)
        maximum = Swift.max(maximum, high)
        defer { count += Int64(blockCount) }
        if count == 0 {
            shiftedMean = blockMean
            m2 = blockM2
        } else {
            let na = Double(count)
            let n = na + nb
            let delta = blockMean - shiftedMean
            shiftedMean += delta * (nb / n)
            m2 += blockM2 + delta * delta * (na * nb / n)
        }
    }

    /// Records a value that is absent from a record.
    @inlinable
    public mutating func addMissing(_ n: Int64 = 1) { missingCount += n }

    /// Sample variance m2 / (count − 1); `nil` with fewer than two values.
    public var variance: Double? { count > 1 ? m2 / Double(count - 1) : nil }

    /// Sample standard deviation √variance; `nil` with fewer than two values.
    public var standardDeviation: Double? { variance.map { $0.squareRoot() } }

    /// Combines with moments of another part of the same column (Chan et al.).
    public mutating func merge(_ other: NumericMoments) {
        missingCount += other.missingCount
        guard other.count > 0 else { return }
        guard count > 0 else {
            let missing = missingCount
            self = other
            missingCount = missing
            return
        }
        let na = Double(count), nb = Double(other.count)
        let n = na + nb
        let delta = (other.shift - shift) + (other.shiftedMean - shiftedMean)
        shiftedMean += delta * (nb / n)
        m2 += other.m2 + delta * delta * (na * nb / n)
        count += other.count
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
    }

    /// The merge of two moments.
    public func merging(_ other: NumericMoments) -> NumericMoments {
        var copy = self
        copy.merge(other)
        return copy
    }
}
