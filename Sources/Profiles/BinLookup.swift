/// A bin search by table: the edges' span is cut into `slotCount` equal slots, and a value's slot says how many
/// edges lie in slots below it (all of them < the value); the at most two edges in its own slot are compared
/// directly. About a dozen instructions and no branch per value, where comparing every edge takes ~40.
///
/// Exact: the slot of x, `slot(x)`, never decreases as x grows (a subtraction and a multiplication by a
/// positive constant, each correctly rounded, then clamping and rounding, are all monotone), so an edge in a
/// lower slot is < x and one in a higher slot is > x, and `index(of:)` is the count of edges ≤ x, as
/// ``ReferenceBins/binIndex(of:)`` says. Bins whose edges crowd more than two into one slot get no table
/// (`init` returns nil) and are searched by comparing every edge.
struct BinLookup: Sendable {
    static let slotCount = 4096
    /// For each slot, the number of edges in lower slots (UInt16: at most 65,535 edges).
    private let below: [UInt16]
    /// The edges followed by two +∞ (compared when a slot's edges are fewer than two, never ≤ a finite x).
    private let paddedEdges: [Double]
    private let low: Double
    private let scale: Double

    init?(edges: [Double]) {
        guard edges.count >= 2, edges.count < Int(UInt16.max), let first = edges.first, let last = edges.last else { return nil }
        let span = last - first
        let scale = Double(Self.slotCount) / span
        guard span.isNormal, scale.isNormal, scale > 0 else { return nil }
        low = first
        self.scale = scale
        var below = [UInt16](repeating: 0, count: Self.slotCount)
        var perSlot = [Int](repeating: 0, count: Self.slotCount)
        for edge in edges { perSlot[Self.slot(edge, low: first, scale: scale)] += 1 }
        guard perSlot.allSatisfy({ $0 <= 2 }) else { return nil }
        var running = 0
        for slot in 0..<Self.slotCount {
            below[slot] = UInt16(running)
            running += perSlot[slot]
        }
        self.below = below
        paddedEdges = edges + [.infinity, .infinity]
    }

    /// The slot of x: (x − low)·scale clamped to the table, then rounded to the nearest integer by adding
    /// 1.5·2⁵² (whose ulp is 1) and reading the low bits, where `Int(_:)` would check for NaN and magnitude on
    /// every value. Monotone in x like any clamp and rounding, which is all the table needs; `init` places the
    /// edges with this same function.
    @inline(__always)
    static func slot(_ x: Double, low: Double, scale: Double) -> Int {
        let position = (x - low) * scale
        let clamped = Swift.min(Swift.max(position, 0), Double(slotCount - 1))
        return Int(truncatingIfNeeded: (clamped + 0x1.8p52).bitPattern) & 0xFFFF
    }

    /// Adds 1 to `counts[bin]` for each value (all finite), and returns what ``NumericMoments``' first pass
    /// over the block computes (the sum of x − `origin` in order, min, max): one loop, so that the sum's chain
    /// of additions overlaps the table lookups.
    func count(_ values: UnsafeBufferPointer<Double>, into counts: UnsafeMutableBufferPointer<Int64>,
               origin: Double) -> (sum: Double, min: Double, max: Double) {
        guard let first = values.first else { return (0, .infinity, -.infinity) }
        var sum = 0.0
        var low = first, high = first
        below.withUnsafeBufferPointer { table in
            paddedEdges.withUnsafeBufferPointer { edges in
                for x in values {
                    sum += x - origin
                    low = x < low ? x : low
                    high = x > high ? x : high
                    let base = Int(table[Self.slot(x, low: self.low, scale: scale)])
                    let bin = base &+ (edges[base] <= x ? 1 : 0) &+ (edges[base &+ 1] <= x ? 1 : 0)
                    counts[bin] &+= 1
                }
            }
        }
        return (sum, low, high)
    }

    /// ``count(_:into:origin:)`` over `values`, fused with the moments' second pass over the previous block `held`
    /// (as many values): the sum of ((h − origin) − `heldMean`)² in order. Two independent chains of additions
    /// in one loop, where two loops would each wait on their own chain.
    func count(_ values: UnsafeBufferPointer<Double>, into counts: UnsafeMutableBufferPointer<Int64>, origin: Double,
               held: UnsafeBufferPointer<Double>, heldMean: Double) -> (sum: Double, min: Double, max: Double, heldM2: Double) {
        precondition(held.count == values.count)
        guard let first = values.first else { return (0, .infinity, -.infinity, 0) }
        var sum = 0.0, m2 = 0.0
        var low = first, high = first
        below.withUnsafeBufferPointer { table in
            paddedEdges.withUnsafeBufferPointer { edges in
                for i in 0..<values.count {
                    let x = values[i]
                    sum += x - origin
                    let d = (held[i] - origin) - heldMean
                    m2 += d * d
                    low = x < low ? x : low
                    high = x > high ? x : high
                    let base = Int(table[Self.slot(x, low: self.low, scale: scale)])
                    let bin = base &+ (edges[base] <= x ? 1 : 0) &+ (edges[base &+ 1] <= x ? 1 : 0)
                    counts[bin] &+= 1
                }
            }
        }
        return (sum, low, high, m2)
    }

    /// Adds 1 to `counts[bin]` for each value (all finite).
    func count(_ values: UnsafeBufferPointer<Double>, into counts: UnsafeMutableBufferPointer<Int64>) {
        _ = count(values, into: counts, origin: 0)
    }
}
