import Testing
@testable import Profiles

@Suite struct KLLSketchTests {
    static func values(_ n: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<n).map { _ in Double.random(in: 0..<1, using: &generator) }
    }

    /// Largest distance between a rank and the true rank interval of the sketch's quantile there.
    static func maxRankError(_ sketch: KLLSketch, sorted: [Double]) -> Double {
        var worst = 0.0
        for i in 1..<100 {
            let r = Double(i) / 100
            guard let q = sketch.quantile(r) else { return 1 }
            let below = Double(sorted.partitioningIndex { $0 >= q }) / Double(sorted.count)
            let atOrBelow = Double(sorted.partitioningIndex { $0 > q }) / Double(sorted.count)
            worst = max(worst, below - r, r - atOrBelow)
        }
        return worst
    }

    @Test(arguments: [10, 1_000, 100_000])
    func quantilesStayWithinTheStatedRankError(n: Int) throws {
        let values = Self.values(n, seed: 3)
        var sketch = try KLLSketch(seed: 42)
        for x in values { sketch.update(x) }
        #expect(sketch.count == UInt64(n))
        #expect(Self.maxRankError(sketch, sorted: values.sorted()) <= 0.017)
        #expect(sketch.min == values.min() && sketch.max == values.max())
    }

    /// The level sort (networks, then branchless merges) orders every length a level can have like the
    /// standard library does, with duplicates, and writes nothing outside the run.
    @Test func levelSortOrdersEveryLengthAndStaysInsideTheRun() {
        var generator = SplitMix64(seed: 42)
        for count in 1...450 {
            let guardValue = -12345.0
            var buffer = [Double](repeating: guardValue, count: count + 20)
            for i in 10..<(10 + count) {
                // A tenth of the values repeat (few distinct ones), the rest are spread.
                buffer[i] = i % 10 == 0 ? Double(generator.next() % 3) : Double.random(in: -1e6..<1e6, using: &generator)
            }
            let expected = buffer[10..<(10 + count)].sorted()
            buffer.withUnsafeMutableBufferPointer { KLLSketch.sort($0, 10, 10 + count) }
            #expect(Array(buffer[10..<(10 + count)]) == expected, "length \(count)")
            #expect(buffer[0..<10].allSatisfy { $0 == guardValue } && buffer[(10 + count)...].allSatisfy { $0 == guardValue },
                    "length \(count) wrote outside its run")
        }
    }

    @Test func exactBelowCapacity() throws {
        var sketch = try KLLSketch(seed: 1)
        for x in [5.0, 1, 3, 2, 4] { sketch.update(x) }
        #expect(!sketch.isEstimationMode)
        // Exclusive quantile (DataSketches' Python default): the first item whose cumulative weight exceeds r·n.
        #expect(sketch.quantile(0.0) == 1 && sketch.quantile(0.2) == 2 && sketch.quantile(0.5) == 3 && sketch.quantile(1) == 5)
        #expect(sketch.quantile(0.2, inclusive: true) == 1)
        #expect(sketch.rank(3) == 0.4 && sketch.rank(3, inclusive: true) == 0.6)
        #expect(sketch.cdf([0, 3, 10]) == [0, 0.4, 1, 1])
    }

    @Test func nanIsIgnoredAndEmptyAnswersNil() throws {
        var sketch = KLLSketch()
        sketch.update(.nan)
        #expect(sketch.isEmpty && sketch.quantile(0.5) == nil && sketch.cdf([1]) == [])
        #expect(sketch.quantile(1.5) == nil)
    }

    @Test func seededSketchesAreReproducible() throws {
        var a = try KLLSketch(seed: 9), b = try KLLSketch(seed: 9)
        for x in Self.values(50_000, seed: 1) { a.update(x); b.update(x) }
        #expect(a.serialized() == b.serialized())
    }

    @Test(arguments: [2, 7, 1_000])
    func mergedPiecesStayWithinError(pieces: Int) throws {
        let values = Self.values(200_000, seed: 5)
        var merged = try KLLSketch(seed: 1)
        let size = (values.count + pieces - 1) / pieces
        for (index, start) in stride(from: 0, to: values.count, by: size).enumerated() {
            var part = try KLLSketch(seed: UInt64(index) + 2)
            for x in values[start..<min(start + size, values.count)] { part.update(x) }
            merged.merge(part)
        }
        #expect(merged.count == UInt64(values.count))
        #expect(merged.min == values.min() && merged.max == values.max())
        #expect(Self.maxRankError(merged, sorted: values.sorted()) <= 0.017)
    }

    @Test func serializationRoundTrips() throws {
        for n in [0, 1, 2, 199, 200, 201, 12_345] {
            var sketch = try KLLSketch(seed: 3)
            for x in Self.values(n, seed: UInt64(n)) { sketch.update(x) }
            let bytes = sketch.serialized()
            let back = try KLLSketch(serialized: bytes)
            #expect(back.serialized() == bytes)
            #expect(back.count == sketch.count && back.quantiles([0.1, 0.5, 0.9]) == sketch.quantiles([0.1, 0.5, 0.9]))
        }
    }

    @Test func knownBytesOfASmallSketch() throws {
        // datasketches 5.2: s = kll_doubles_sketch(200); s.update(0.0); s.update(1.0); s.update(2.0); s.serialize()
        var sketch = KLLSketch()
        for x in [0.0, 1, 2] { sketch.update(x) }
        let hex = sketch.serialized().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "05010f00c80008000300000000000000c8000100c5000000000000000000000000000000000000400000000000000040000000000000f03f0000000000000000")
    }

    @Test func truncatedAndCorruptBytesThrowNeverCrash() throws {
        var sketch = try KLLSketch(seed: 3)
        for x in Self.values(5_000, seed: 8) { sketch.update(x) }
        let bytes = sketch.serialized()
        for length in 0..<min(bytes.count, 120) {
            #expect(throws: ProfileError.self) { try KLLSketch(serialized: Array(bytes[0..<length])) }
        }
        var generator = SplitMix64(seed: 77)
        for _ in 0..<2_000 {
            var corrupt = bytes
            let index = Int.random(in: 0..<min(corrupt.count, 80), using: &generator)
            corrupt[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            if let decoded = try? KLLSketch(serialized: corrupt) {
                _ = decoded.quantiles([0.1, 0.9])   // anything that decodes answers without trapping
            }
        }
    }
}

extension Array {
    /// Index of the first element for which `predicate` holds, assuming it holds for a suffix.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
