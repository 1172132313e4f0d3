import Testing
@testable import Profiles

/// The table search counts every value into the bin that comparing every edge gives, on edges of any spacing
/// and on values at, just beside and far from the edges.
@Suite struct BinLookupTests {
    static func edgeSets() -> [[Double]] {
        var generator = SplitMix64(seed: 16)
        let sortedRandom = (0..<19).map { _ in Double.random(in: -5..<5, using: &generator) }.sorted()
        return [
            [-1, 0, 1],
            [0.25, 0.5],
            sortedRandom,
            (0..<19).map { Double($0) * 0.05 },                           // probabilities' edges
            (0..<30).map { pow2(Double($0) - 10) },                         // crowded at the bottom: no table
            [-1e300, -1, 0, 1e-300, 1, 1e300],                              // the span overflows: no table
            [1e15, 1e15 + 2, 1e15 + 4, 1e15 + 8],                           // a few ulps apart
            (0..<300).map { Double($0) },                                   // more edges than one byte counts
        ]
    }

    static func pow2(_ e: Double) -> Double {
        var x = 1.0
        if e >= 0 { for _ in 0..<Int(e) { x *= 2 } } else { for _ in 0..<Int(-e) { x /= 2 } }
        return x
    }

    @Test func tableCountsEqualComparingEveryEdge() throws {
        var generator = SplitMix64(seed: 7)
        var tables = 0
        for edges in Self.edgeSets() {
            var values: [Double] = [0, -0.0, 1e100, -1e100, 1e-300, -1e-300]
            for e in edges { values += [e, e.nextUp, e.nextDown, e * 0.5, e * 2] }
            let lowest = edges[0], highest = edges[edges.count - 1]
            let span = highest - lowest
            for _ in 0..<5_000 {
                let spread = span.isFinite && span > 0 ? span : 1
                values.append(Double.random(in: -0.1...1.1, using: &generator) * spread + lowest)
            }
            values = values.filter { $0.isFinite && $0.magnitude <= NumericProfile.maxMagnitude }
            let bins = try ReferenceBins(referenceID: "lookup", edges: edges)
            guard let lookup = BinLookup(edges: edges) else { continue }
            tables += 1
            var counts = [Int64](repeating: 0, count: bins.binCount)
            values.withUnsafeBufferPointer { v in counts.withUnsafeMutableBufferPointer { lookup.count(v, into: $0) } }
            #expect(counts == bins.counts(of: values), "edges \(edges.prefix(4))…")
            for x in values.prefix(200) {
                var one = [Int64](repeating: 0, count: bins.binCount)
                [x].withUnsafeBufferPointer { v in one.withUnsafeMutableBufferPointer { lookup.count(v, into: $0) } }
                #expect(one.firstIndex(of: 1) == bins.binIndex(of: x), "x \(x)")
            }
        }
        #expect(tables >= 5)
        #expect(BinLookup(edges: [-1e300, -1, 0, 1e-300, 1, 1e300]) == nil)
        #expect(BinLookup(edges: [1]) == nil)
    }
}
