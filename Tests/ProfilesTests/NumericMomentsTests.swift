import Testing
@testable import Profiles

@Suite struct NumericMomentsTests {
    @Test func welfordMatchesTwoPassOnSmallData() {
        var m = NumericMoments()
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] { m.add(x) }
        #expect(m.count == 8)
        #expect(m.mean == 5)
        #expect(abs(m.m2 - 32) < 1e-12)
        #expect(abs((m.variance ?? 0) - 32.0 / 7.0) < 1e-12)
        #expect(m.min == 2 && m.max == 9)
    }

    @Test func nonFiniteValuesAreMissingAndNeverReachTheMoments() {
        var m = NumericMoments()
        for x in [1.0, .nan, .infinity, -.infinity, 3.0] { m.add(x) }
        #expect(m.count == 2 && m.missingCount == 3)
        #expect(m.mean == 2 && m.m2 == 2)
        #expect(m.min == 1 && m.max == 3)
    }

    @Test func emptyMomentsHaveNoMinMaxOrVariance() {
        let m = NumericMoments()
        #expect(m.min == nil && m.max == nil && m.variance == nil && m.mean == 0)
        var one = NumericMoments()
        one.add(4)
        #expect(one.variance == nil && one.standardDeviation == nil)
    }

    @Test(arguments: [1, 2, 7, 100])
    func mergeOfPiecesEqualsOnePass(pieces: Int) {
        var generator = SplitMix64(seed: UInt64(pieces))
        let values = (0..<10_000).map { _ in Double.random(in: -3...7, using: &generator) * 1e3 }
        var whole = NumericMoments()
        for x in values { whole.add(x) }
        var merged = NumericMoments()
        let size = (values.count + pieces - 1) / pieces
        for start in stride(from: 0, to: values.count, by: size) {
            var part = NumericMoments()
            for x in values[start..<min(start + size, values.count)] { part.add(x) }
            merged.merge(part)
        }
        #expect(merged.count == whole.count && merged.min == whole.min && merged.max == whole.max)
        #expect(abs(merged.mean - whole.mean) <= 1e-12 * abs(whole.mean))
        #expect(abs(merged.m2 - whole.m2) <= 1e-11 * whole.m2)
    }

    @Test func largeOffsetKeepsVariance() {
        // 1e9 + {−1e-3, 0, +1e-3} repeated: the exact sample variance is 1e-6 · (2n/3)/(n − 1).
        var m = NumericMoments()
        let n = 30_000
        for i in 0..<n { m.add(1e9 + Double(i % 3 - 1) * 1e-3) }
        let spread = (1e9 + 1e-3) - 1e9   // the representable step
        let exact = spread * spread * Double(2 * n / 3) / Double(n - 1)
        #expect(abs((m.variance ?? 0) - exact) <= 1e-6 * exact)
    }

    @Test func rowFieldsAreValidated() {
        #expect(throws: ProfileError.self) { try NumericMoments(count: 2, missingCount: 0, min: 3, max: 1, mean: 2, m2: 0) }
        #expect(throws: ProfileError.self) { try NumericMoments(count: -1, missingCount: 0, min: nil, max: nil, mean: 0, m2: 0) }
        let back = try? NumericMoments(count: 0, missingCount: 4, min: nil, max: nil, mean: 0, m2: 0)
        #expect(back?.missingCount == 4)
    }
}
