import Profiles
import Testing
@testable import DriftlineStore

/// A column profile as a `profiles` row and back.
@Suite struct ColumnProfileRowTests {
    static let bins = try! ReferenceBins(referenceID: "ref-1", edges: [1, 2, 3])

    @Test func numericProfileRoundTripsThroughARow() throws {
        var profile = ColumnProfile.numeric("x", bins: Self.bins)
        for x in [0.5, 1.0, 1.5, 2.5, 3.0, 9.0, .nan, .infinity] { try profile.add(x) }
        profile.addMissing(2)
        let row = profile.row(endpoint: "iris", modelVersion: "3", windowStartMicroseconds: 0, windowEndMicroseconds: 300_000_000)
        #expect(row.columnKind == "numeric" && row.count == 6 && row.missingCount == 4)
        #expect(row.histogram == [1, 2, 1, 2] && row.referenceID == "ref-1")
        #expect(row.min == 0.5 && row.max == 9 && row.p50 == 2.5)
        #expect(row.categories == nil && row.categoryCounts == nil)
        let back = try ColumnProfile(row: row, bins: Self.bins)
        #expect(back.row(endpoint: "iris", modelVersion: "3", windowStartMicroseconds: 0, windowEndMicroseconds: 300_000_000) == row)
    }

    @Test func aRowWithAHistogramNeedsItsBins() throws {
        var profile = ColumnProfile.numeric("x", bins: Self.bins)
        try profile.add(1)
        let row = profile.row(endpoint: "e", modelVersion: "1", windowStartMicroseconds: 0, windowEndMicroseconds: 1)
        #expect(throws: ProfileError.self) { try ColumnProfile(row: row) }
        let other = try ReferenceBins(referenceID: "ref-2", edges: [1, 2, 3])
        #expect(throws: ProfileError.self) { try ColumnProfile(row: row, bins: other) }
    }

    @Test func categoricalProfileRoundTripsThroughARow() throws {
        var profile = ColumnProfile.categorical("region")
        for value in ["eu", "us", "eu", nil, "apac", "eu"] { try profile.add(category: value) }
        let row = profile.row(endpoint: "e", modelVersion: "1", windowStartMicroseconds: 10, windowEndMicroseconds: 20)
        #expect(row.categories == ["eu", "apac", "us"] && row.categoryCounts == [3, 1, 1])
        #expect(row.count == 5 && row.missingCount == 1 && row.sketch == nil && row.mean == nil)
        let back = try ColumnProfile(row: row)
        #expect(back.categorical == profile.categorical)
    }

    @Test func malformedRowsThrow() throws {
        var row = ProfileRow(endpoint: "e", modelVersion: "1", windowStartMicroseconds: 0, windowEndMicroseconds: 1,
                             columnName: "x", columnKind: "numeric", count: 1, missingCount: 0)
        #expect(throws: ProfileError.self) { try ColumnProfile(row: row) }          // no sketch
        row.sketch = [1, 2, 3]
        #expect(throws: ProfileError.self) { try ColumnProfile(row: row) }          // bad sketch
        row.columnKind = "text"
        #expect(throws: ProfileError.self) { try ColumnProfile(row: row) }
        row.columnKind = "categorical"
        row.categories = ["a"]
        row.categoryCounts = [2]
        #expect(throws: ProfileError.self) { try ColumnProfile(row: row) }          // counts disagree with count
    }
}
