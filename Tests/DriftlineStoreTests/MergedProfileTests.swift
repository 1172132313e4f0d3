import DeltaTable
import Foundation
import Profiles
import Testing
@testable import DriftlineStore

@Suite struct MergedProfileTests {
    @Test func partialRowsMergeToTheWholeWindow() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        var numbers = Numbers(seed: 7)
        let values = (0..<3000).map { i in i % 97 == 0 ? Double.nan : numbers.normal(mean: 10, sd: 2) }
        let categories: [String?] = (0..<3000).map { i in i % 50 == 0 ? nil : ["a", "b", "c"][i % 3] }
        let bins = try ReferenceBins(referenceID: "ref1", edges: [8, 10, 12])
        for part in 0..<3 {
            let range = (part * 1000)..<((part + 1) * 1000)
            try profiles.append(try profileRows(numeric: Array(values[range]), categories: Array(categories[range]), bins: bins))
        }
        let merged = try profiles.merged(endpoint: "iris")
        #expect(merged.count == 2)
        let x = try #require(merged.first { $0.key.columnName == "x" })
        #expect(x.partialRows == 3)
        let finite = values.filter(\.isFinite)
        #expect(x.profile.count == Int64(finite.count))
        #expect(x.profile.missingCount == Int64(values.count - finite.count))
        let mean = finite.reduce(0, +) / Double(finite.count)
        let m2 = finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let moments = try #require(x.profile.numeric?.moments)
        #expect(abs(moments.mean - mean) < 1e-12)
        #expect(abs(moments.m2 - m2) / m2 < 1e-12)
        #expect(moments.min == finite.min() && moments.max == finite.max())
        #expect(x.histogram == bins.counts(of: values))
        #expect(x.referenceID == "ref1")
        #expect(x.histogramConflict == false)
        let c = try #require(merged.first { $0.key.columnName == "c" })
        #expect(c.profile.categorical?.counts == ["a": 980, "b": 980, "c": 980])
        #expect(c.profile.missingCount == 60)
        #expect(c.row.categoryCounts == [980, 980, 980])
    }

    @Test func histogramsOverDifferentReferencesAreNotAdded() throws {
        let a = try ReferenceBins(referenceID: "refA", edges: [0])
        let b = try ReferenceBins(referenceID: "refB", edges: [0, 1])
        let rows = try profileRows(numeric: [-1, 2], bins: a) + profileRows(numeric: [0.5], bins: b)
        let merged = try MergedProfile(rows: rows)
        #expect(merged.histogram == nil && merged.referenceID == nil && merged.histogramConflict)
        #expect(merged.profile.count == 3)
        let unbinned = try profileRows(numeric: [3]) + profileRows(numeric: [-1, 2], bins: a)
        #expect(try MergedProfile(rows: unbinned).histogramConflict)
    }

    @Test func allMissingPartsDoNotBreakTheHistogram() throws {
        let a = try ReferenceBins(referenceID: "refA", edges: [0])
        let rows = try profileRows(numeric: [.nan, .nan]) + profileRows(numeric: [-1, 2, 3], bins: a)
        let merged = try MergedProfile(rows: rows)
        #expect(merged.histogram == [1, 2])
        #expect(merged.referenceID == "refA")
        #expect(merged.profile.missingCount == 2)
    }

    @Test func rowsOfDifferentKindsAreUnmergeable() throws {
        var rows = try profileRows(numeric: [1], categories: ["a"])
        rows[1].columnName = "x"
        #expect(throws: StoreError.self) { try MergedProfile(rows: rows) }
    }
}
