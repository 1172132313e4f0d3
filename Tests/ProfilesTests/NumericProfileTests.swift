import Testing
@testable import Profiles

@Suite struct NumericProfileTests {
    static func values(_ n: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<n).map { _ in Double.random(in: -50..<50, using: &generator) }
    }

    @Test(arguments: [0, 1, 63, 64, 65, 1_000, 54_321])
    func stagedValuesAreVisibleAndEqualOneByOneUpdates(n: Int) throws {
        let values = Self.values(n, seed: UInt64(n))
        let bins = try ReferenceBins(referenceID: "r", trainingValues: values, binCount: 10)
        var profile = try NumericProfile(bins: bins, seed: 5)
        var sketch = try KLLSketch(seed: 5)
        var moments = NumericMoments()
        for x in values {
            profile.add(x)
            sketch.update(x)
            moments.add(x)
        }
        // Bulk insertion leaves the sketch exactly as one-by-one updates with the same coin would.
        #expect(profile.sketch.serialized() == sketch.serialized())
        #expect(profile.moments.count == Int64(n) && profile.moments.min == moments.min && profile.moments.max == moments.max)
        #expect(abs(profile.moments.mean - moments.mean) <= 1e-12 * Swift.max(1, abs(moments.mean)))
        #expect(abs(profile.moments.m2 - moments.m2) <= 1e-10 * Swift.max(1, moments.m2))
        #expect(profile.histogram == bins.counts(of: values))
    }

    @Test func nonFiniteValuesAreMissingEverywhere() {
        var profile = NumericProfile()
        for x in [1.0, .nan, .infinity, -.infinity, 2.0] { profile.add(x) }
        profile.addMissing(3)
        #expect(profile.moments.count == 2 && profile.moments.missingCount == 6)
        #expect(profile.sketch.count == 2 && profile.sketch.max == 2)
    }

    @Test func bulkSketchUpdateWithNaNFallsBackToOneByOne() throws {
        var bulk = try KLLSketch(seed: 1), single = try KLLSketch(seed: 1)
        let values = [3.0, .nan, 1.0, 2.0, -.infinity]
        values.withUnsafeBufferPointer { bulk.update(contentsOf: $0) }
        for x in values { single.update(x) }
        #expect(bulk.serialized() == single.serialized() && bulk.count == 4 && bulk.min == -.infinity)
    }

    @Test func binIndexVectorsAgreeWithBinarySearch() throws {
        for edgeCount in [0, 1, 3, 4, 5, 19, 40] {
            let edges = (0..<edgeCount).map { Double($0) * 1.5 - 10 }
            let bins = try ReferenceBins(referenceID: "r", edges: edges)
            let vectors = bins.vectorEdges
            for x in stride(from: -12.0, through: 60, by: 0.25) {
                let vectorIndex = vectors.withUnsafeBufferPointer { ReferenceBins.binIndex(of: x, in: $0) }
                #expect(vectorIndex == bins.binIndex(of: x))
            }
        }
    }
}

import Foundation

@Suite struct ReferenceBinsCodingTests {
    @Test func binsRoundTripThroughJSONAndBadEdgesAreRejected() throws {
        let bins = try ReferenceBins(referenceID: "iris-3", edges: [0.5, 1.5, 2.25])
        let data = try JSONEncoder().encode(bins)
        #expect(try JSONDecoder().decode(ReferenceBins.self, from: data) == bins)
        let bad = Data(#"{"reference_id": "x", "edges": [2, 1]}"#.utf8)
        #expect(throws: ProfileError.self) { try JSONDecoder().decode(ReferenceBins.self, from: bad) }
    }
}

@Suite struct TrainingRangeCountTests {
    /// Values beyond the training range are counted exactly, merge by adding, and a part without the counts
    /// (a row written before them) makes the sum unknown rather than wrong.
    @Test func valuesOutsideTheTrainingRangeAreCountedAndMerged() throws {
        let bins = try ReferenceBins(referenceID: "r", edges: [0, 1]).withTrainingRange(-1...2)
        var a = NumericProfile(bins: bins), b = NumericProfile(bins: bins)
        for x in [-3.0, -1, 0.5, 2, 2.5, .nan] { a.add(x) }
        for i in 0..<200 { b.add(Double(i) / 10 - 5) }   // -5 … 14.9: 40 below -1, 129 above 2
        #expect(a.outsideTrainingRange?.below == 1 && a.outsideTrainingRange?.above == 1)
        #expect(b.outsideTrainingRange?.below == 40 && b.outsideTrainingRange?.above == 129)
        try a.merge(b)
        #expect(a.outsideTrainingRange?.below == 41 && a.outsideTrainingRange?.above == 130)
        let stored = try NumericProfile(moments: b.moments, sketch: b.sketch, bins: bins, histogram: b.histogram)
        try a.merge(stored)
        #expect(a.outsideTrainingRange == nil)
        #expect(NumericProfile(bins: try ReferenceBins(referenceID: "r", edges: [0])).outsideTrainingRange == nil)
    }
}
