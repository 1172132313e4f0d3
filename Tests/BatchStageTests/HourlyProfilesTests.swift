import DriftlineStore
import Profiles
import Testing
@testable import BatchStage

@Suite struct HourlyProfilesTests {
    func rows(_ values: [[Double]], bins: ReferenceBins?, referenceID: String?) throws -> [ProfileRow] {
        try values.enumerated().map { index, part in
            let profile = try numericProfile("x", part, bins: bins)
            var row = profile.row(endpoint: "m", modelVersion: "1", windowStartMicroseconds: hour0.startMicroseconds + Int64(index) * 300_000_000,
                                  windowEndMicroseconds: hour0.startMicroseconds + Int64(index + 1) * 300_000_000)
            if bins != nil { row.referenceID = referenceID }
            return row
        }
    }

    @Test func histogramsOverTheCurrentReferenceAreSummedExactly() throws {
        let bins = try ReferenceBins(referenceID: "r1", trainingValues: normals(2000, seed: 1), binCount: 10)
        let parts = [normals(500, seed: 2), normals(700, seed: 3), []]
        var hourly = HourlyProfiles()
        try hourly.add(try rows(parts, bins: bins, referenceID: "r1")) { _, _ in ["x": bins] }
        let hour = try #require(hourly.hourProfiles { _, _ in ["x": bins] }.values.first)
        let numeric = try #require(hour.columns["x"]?.numeric)
        #expect(numeric.histogram == bins.counts(of: parts.flatMap { $0 }))
        #expect(numeric.moments.count == 1200)
    }

    @Test func histogramsOverAnotherReferenceFallBackToTheSketch() throws {
        let old = try ReferenceBins(referenceID: "old", trainingValues: normals(2000, seed: 4), binCount: 10)
        let current = try ReferenceBins(referenceID: "new", edges: old.edges)
        var all = try rows([normals(400, seed: 5)], bins: old, referenceID: "old")
        all += try rows([normals(400, seed: 6)], bins: current, referenceID: "new").map { row in
            var shifted = row
            shifted.windowStartMicroseconds += 600_000_000
            shifted.windowEndMicroseconds += 600_000_000
            return shifted
        }
        var hourly = HourlyProfiles()
        try hourly.add(all) { _, _ in ["x": current] }
        let hour = try #require(hourly.hourProfiles { _, _ in ["x": current] }.values.first)
        let numeric = try #require(hour.columns["x"]?.numeric)
        #expect(numeric.histogram == nil)
        #expect(numeric.moments.count == 800)
    }

    @Test func mergingTheSameRowsTwiceGivesTheSameSketch() throws {
        let parts = (0..<12).map { normals(3000, seed: UInt64(10 + $0)) }
        let input = try rows(parts, bins: nil, referenceID: nil)
        func merged() throws -> [UInt8] {
            var hourly = HourlyProfiles()
            try hourly.add(input) { _, _ in [:] }
            return try #require(hourly.hourProfiles { _, _ in [:] }.values.first?.columns["x"]?.numeric).sketch.serialized()
        }
        #expect(try merged() == (try merged()))
    }
}
