import Testing
@testable import Profiles

/// A merge is a function of the data merged: the same sketches give the same bytes in any process, and a
/// sketch read back from its serialization merges exactly like the sketch that was serialized.
@Suite struct KLLDeterminismTests {
    /// Sketches of different sizes (some past their first compactions, some tiny), from a seeded generator.
    static func parts(seed: UInt64) -> [KLLSketch] {
        var generator = SplitMix64(seed: seed)
        return [1, 7, 150, 201, 3_000, 40_000, 500, 12_345].map { n in
            var sketch = KLLSketch()
            for _ in 0..<n { sketch.update(Double.random(in: -50...50, using: &generator) * Double(n % 7 + 1)) }
            return sketch
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func aSketchReadBackMergesLikeTheSketchThatWasWritten(seed: UInt64) throws {
        let parts = Self.parts(seed: seed)
        var inMemory = parts[0]
        var readBack = try KLLSketch(serialized: parts[0].serialized())
        for (index, part) in parts.enumerated().dropFirst() {
            inMemory.merge(part)
            readBack.merge(try KLLSketch(serialized: part.serialized()))
            // As compaction does: store the running merge and read it back.
            if index % 2 == 0 { readBack = try KLLSketch(serialized: readBack.serialized()) }
            #expect(readBack.serialized().dropFirst(4) == inMemory.serialized().dropFirst(4), "after part \(index)")
        }
        #expect(inMemory.count == UInt64(parts.reduce(0) { $0 + Int($1.count) }))
    }

    @Test func theSameValuesGiveTheSameBytesWhateverTheSeedOfTheSketchesMerged() throws {
        var a = try KLLSketch(seed: 1), b = try KLLSketch(seed: 99)
        var generator = SplitMix64(seed: 5)
        let values = (0..<10_000).map { _ in Double.random(in: 0..<1, using: &generator) }
        for x in values[..<5000] { a.update(x) }
        for x in values[..<5000] { b.update(x) }
        var left = try KLLSketch(serialized: a.serialized()), right = try KLLSketch(serialized: a.serialized())
        var extra = KLLSketch()
        for x in values[5000...] { extra.update(x) }
        left.merge(extra)
        right.merge(extra)
        #expect(left.serialized() == right.serialized())
        // Two fresh sketches fed the same values agree too: no coin comes from the system generator.
        var c = KLLSketch(), d = KLLSketch()
        for x in values { c.update(x); d.update(x) }
        #expect(c.serialized() == d.serialized())
    }
}
