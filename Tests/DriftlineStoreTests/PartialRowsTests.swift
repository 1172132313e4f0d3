import DeltaTable
import DriftlineCore
import Foundation
import Profiles
import Testing
@testable import DriftlineStore

/// One canonical merge order: the merged profile of a key depends on its set of partial rows only,
/// not on their order, their files, or which of them compaction merged already.
@Suite struct PartialRowsTests {
    /// Partial rows of one window: parts counted over reference A, over reference B, without bins, and
    /// one with no value at all; numeric parts large enough for the sketches to have compacted.
    static func parts(seed: UInt64) throws -> [ProfileRow] {
        var numbers = Numbers(seed: seed)
        let a = try ReferenceBins(referenceID: "refA", edges: [8, 10, 12])
        let b = try ReferenceBins(referenceID: "refB", edges: [9, 11])
        var rows: [ProfileRow] = []
        for (index, bins) in [a, a, nil, b, a, nil].enumerated() {
            let values = (0..<(700 + 900 * index)).map { i in i % 89 == 0 ? Double.nan : numbers.normal(mean: 10, sd: 2) }
            let categories: [String?] = (0..<300).map { i in i % 41 == 0 ? nil : "v\(Int(numbers.uniform() * 300))" }
            rows += try profileRows(numeric: values, categories: categories, bins: bins)
        }
        rows += try profileRows(numeric: [.nan, .nan, .nan])
        return rows
    }

    static func merged(_ rows: [ProfileRow]) throws -> [ProfileRow] {
        try MergedProfile.merge(rows).map(\.row)
    }

    @Test(arguments: [UInt64(1), 2])
    func theMergedRowIsTheSameInAnyOrder(seed: UInt64) throws {
        let rows = try Self.parts(seed: seed)
        let expected = try Self.merged(rows)
        var generator = SplitMix64(seed: seed)
        for _ in 0..<6 {
            #expect(try Self.merged(rows.shuffled(using: &generator)) == expected)
        }
        #expect(try Self.merged(rows.reversed()) == expected)
    }

    /// Whatever the store holds — parts, rows compaction wrote, parts that arrived after it — compacting
    /// it changes no merged profile. (Parts that arrive after a compaction merge with the compacted row,
    /// so the result is not the merge of every original part: it is what the store holds that counts.)
    @Test(arguments: [UInt64(3), 4])
    func compactingChangesNoMergedProfile(seed: UInt64) throws {
        let rows = try Self.parts(seed: seed)
        for seen in [4, 7, rows.count] {
            let early = Array(rows.prefix(seen)), late = Array(rows.dropFirst(seen))
            let compacted = try ProfilesTable.compacted(early, cutoff: .max).closed
            #expect(try Self.merged(compacted) == (try Self.merged(early)), "compacting \(seen) parts")
            let store = compacted + late
            let again = try ProfilesTable.compacted(store, cutoff: .max).closed
            #expect(try Self.merged(again) == (try Self.merged(store)), "compacting again after \(seen) parts")
            #expect(try Self.merged(again.shuffled()) == (try Self.merged(store)))
        }
    }

    @Test func theStoreMergesTheSameBeforeAndAfterCompaction() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        let rows = try Self.parts(seed: 9)
        for chunk in stride(from: 0, to: rows.count, by: 3) {
            try profiles.append(Array(rows[chunk..<min(chunk + 3, rows.count)]))
        }
        let before = try profiles.merged().map(\.row)
        try profiles.compact(olderThan: Timestamp(microsecondsSinceEpoch: .max))
        let after = try profiles.merged().map(\.row)
        #expect(after == before)
        #expect(before == (try Self.merged(rows)))
    }
}
