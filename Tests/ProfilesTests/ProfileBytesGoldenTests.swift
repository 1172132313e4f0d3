import Testing
@testable import Profiles

/// A sketch, a histogram and the moments are a fixed function of the values fed, in order: stored profiles
/// must come out byte-identical whatever the update path does inside. The digests below were taken from the
/// code before the update path was rewritten for speed (issue 16); a change to them changes every stored
/// profile and must be deliberate.
@Suite struct ProfileBytesGoldenTests {
    /// FNV-1a, 64 bits.
    struct Digest {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        mutating func add(_ bytes: [UInt8]) { for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 } }
        mutating func add(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { add(Array($0)) } }
        mutating func add(_ x: Double) { add(x.bitPattern) }
        mutating func add(_ x: Int64) { add(UInt64(bitPattern: x)) }
    }

    /// `zeros`: ±0 (equal but serialized apart: the sort's and merge's tie order shows), ±∞ (a sketch keeps them) and small integers.
    /// `lateNegativeZero`: small integers with +0 only, then with −0 too (a sketch that stops deferring order).
    enum Pattern: CaseIterable { case uniform, ascending, descending, constant, roundedNormal, zeros, lateNegativeZero }

    static func values(_ pattern: Pattern, count: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        switch pattern {
        case .uniform: return (0..<count).map { _ in Double.random(in: -1e3..<1e3, using: &generator) }
        case .ascending: return (0..<count).map { Double($0) * 0.5 }
        case .descending: return (0..<count).map { Double(count - $0) }
        case .constant: return [Double](repeating: 3.25, count: count)
        case .zeros:
            let choices: [Double] = [0.0, -0.0, 1, -1, 0.0, -0.0, .infinity, -.infinity, 2]
            return (0..<count).map { _ in choices[Int(generator.next() % UInt64(choices.count))] }
        case .lateNegativeZero:
            return (0..<count).map { i in
                let x = Double.random(in: -4..<4, using: &generator).rounded()
                return i < count / 2 ? x + 0.0 : x   // −0 + 0 is +0
            }
        case .roundedNormal:
            return (0..<count).map { _ in
                let u = Double.random(in: 0.001..<1, using: &generator), v = Double.random(in: 0..<1, using: &generator)
                return ((-2 * _log(u)).squareRoot() * _cos(6.283185307179586 * v) * 3).rounded()
            }
        }
    }

    // Avoids importing Foundation into the test for two functions.
    static func _log(_ x: Double) -> Double {
        // ln x by argument reduction to [1, 2) and the atanh series; exact enough and deterministic.
        var m = x, e = 0.0
        while m >= 2 { m /= 2; e += 1 }
        while m < 1 { m *= 2; e -= 1 }
        let t = (m - 1) / (m + 1), t2 = t * t
        var term = t, sum = 0.0
        for n in stride(from: 1.0, through: 41, by: 2) { sum += term / n; term *= t2 }
        return 2 * sum + e * 0.6931471805599453
    }

    static func _cos(_ x: Double) -> Double {
        var sum = 0.0, term = 1.0
        for n in 0..<30 { sum += term; term *= -x * x / Double((2 * n + 1) * (2 * n + 2)) }
        return sum
    }

    static let sizes = [1, 7, 8, 9, 16, 17, 199, 200, 201, 1_000, 4_321, 65_537, 300_001]

    /// Every pattern and size through `KLLSketch.update` one by one, for several k.
    static func sketchDigest(k: UInt16) throws -> UInt64 {
        var digest = Digest()
        for pattern in Pattern.allCases {
            for (index, size) in sizes.enumerated() where k == 200 || size <= 65_537 {
                var sketch = try KLLSketch(k: k, seed: UInt64(index) &+ 11)
                for x in values(pattern, count: size, seed: UInt64(index)) { sketch.update(x) }
                digest.add(sketch.serialized())
            }
        }
        return digest.value
    }

    @Test(arguments: [(UInt16(200), UInt64(0xc8c7de6a8f7b1f6c)), (8, 0xed90cdc8aead9356), (9, 0x957db1b006fed5da), (333, 0x5f244e840cfa487e)])
    func sketchBytesAreUnchanged(k: UInt16, expected: UInt64) throws {
        let digest = try Self.sketchDigest(k: k)
        print("golden sketch k=\(k): \(String(digest, radix: 16))")
        #expect(digest == expected)
    }

    /// Bulk updates in uneven chunks, and merges of the parts, give the bytes of updates one by one.
    @Test func bulkUpdatesAndMergesAreUnchanged() throws {
        var digest = Digest()
        for pattern in Pattern.allCases {
            let all = Self.values(pattern, count: 123_457, seed: 7)
            var single = KLLSketch(), bulk = KLLSketch()
            for x in all { single.update(x) }
            var start = 0, chunk = 1
            while start < all.count {
                let end = min(all.count, start + chunk)
                all[start..<end].withUnsafeBufferPointer { bulk.update(contentsOf: $0) }
                start = end
                chunk = chunk * 7 % 301 + 1
            }
            #expect(bulk.serialized() == single.serialized())
            digest.add(single.serialized())
            var merged = KLLSketch()
            for piece in stride(from: 0, to: all.count, by: 20_000) {
                var part = KLLSketch()
                for x in all[piece..<min(all.count, piece + 20_000)] { part.update(x) }
                merged.merge(part)
            }
            digest.add(merged.serialized())
        }
        print("golden bulk+merge: \(String(digest.value, radix: 16))")
        #expect(digest.value == 0xf095511b577ac16e)
    }

    /// `NumericProfile`: moments, sketch, histogram and the counts outside the training range, with missing values
    /// mixed in and accessors read at odd points.
    @Test func numericProfilesAreUnchanged() throws {
        var digest = Digest()
        let bins = try ReferenceBins(referenceID: "golden", trainingValues: Self.values(.uniform, count: 5_000, seed: 3), binCount: 20)
            .withTrainingRange(-900...900)
        let narrow = try ReferenceBins(referenceID: "narrow", edges: [-1, 0, 1])
        for pattern in Pattern.allCases {
            for (index, size) in Self.sizes.enumerated() {
                for profileBins in [nil, bins, narrow] {
                    var profile = NumericProfile(bins: profileBins)
                    for (i, x) in Self.values(pattern, count: size, seed: UInt64(index) &+ 100).enumerated() {
                        if i % 97 == 5 { profile.add(.nan) }
                        if i % 1013 == 7 { profile.add(.infinity) }
                        if i % 4099 == 9 { _ = profile.sketch.count }
                        profile.add(x)
                    }
                    let m = profile.moments
                    digest.add(m.count)
                    digest.add(m.missingCount)
                    digest.add(m.mean)
                    digest.add(m.m2)
                    digest.add(m.min ?? -0.0)
                    digest.add(m.max ?? -0.0)
                    digest.add(profile.sketch.serialized())
                    for c in profile.histogram ?? [] { digest.add(c) }
                    if let outside = profile.outsideTrainingRange {
                        digest.add(outside.below)
                        digest.add(outside.above)
                    }
                }
            }
        }
        print("golden numeric profiles: \(String(digest.value, radix: 16))")
        #expect(digest.value == 0x7f1c13b6ef1e4073)
    }
}
