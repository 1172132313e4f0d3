import DeltaTable
import DriftlineCore
import Foundation
import Profiles
import Testing
@testable import DriftlineStore

@Suite struct CompactionTests {
    /// Sums that must survive compaction exactly, per key.
    struct Totals: Equatable {
        var count: Int64, missing: Int64, histogram: [Int64]?, categories: [String: Int64]?, min: Double?, max: Double?
    }

    func totals(_ merged: [MergedProfile]) -> [ProfileKey: Totals] {
        Dictionary(uniqueKeysWithValues: merged.map { m in
            (m.key, Totals(count: m.profile.count, missing: m.profile.missingCount, histogram: m.histogram,
                           categories: m.profile.categorical?.counts, min: m.profile.numeric?.moments.min, max: m.profile.numeric?.moments.max))
        })
    }

    @Test func closedWindowsBecomeOneRowPerKeyAndTotalsStay() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        let bins = try ReferenceBins(referenceID: "r", edges: [-1, 0, 1])
        var numbers = Numbers(seed: 3)
        // 4 windows, each in 3 partial commits; the last window stays open.
        for part in 0..<3 {
            var rows: [ProfileRow] = []
            for w in 0..<4 {
                rows += try profileRows(windowStart: t0 + Int64(w) * fiveMinutes,
                                        numeric: (0..<200).map { _ in numbers.normal() },
                                        categories: (0..<50).map { ["u", "v", nil][($0 + part) % 3] }, bins: bins)
            }
            try profiles.append(rows, transaction: AppTransaction(appId: "tail", version: Int64(part + 1)))
        }
        let before = try profiles.merged()
        let cutoff = Timestamp(microsecondsSinceEpoch: t0 + 3 * fiveMinutes)   // windows 0, 1, 2 are closed
        let result = try profiles.compact(olderThan: cutoff)
        #expect(result.versions.count == 1 && result.filesRemoved == 3 && result.filesAdded == 2)
        #expect(result.rowsBefore == 24 && result.rowsAfter == 3 * 2 + 3 * 2)
        let after = try profiles.merged()
        #expect(totals(after) == totals(before))
        for (a, b) in zip(before, after) {
            let ma = a.profile.numeric?.moments, mb = b.profile.numeric?.moments
            #expect(abs((ma?.mean ?? 0) - (mb?.mean ?? 0)) < 1e-12)
            #expect(abs((ma?.m2 ?? 0) - (mb?.m2 ?? 0)) <= 1e-9 * (ma?.m2 ?? 1))
        }
        let rows = try profiles.rows()
        let closed = rows.filter { $0.windowEndMicroseconds <= cutoff.microsecondsSinceEpoch }
        #expect(Set(closed.map(ProfileKey.init)).count == closed.count)
        #expect(rows.filter { $0.windowEndMicroseconds > cutoff.microsecondsSinceEpoch }.count == 6)
        #expect(try profiles.transactionVersion(appId: "tail") == 3)
        // A second run finds nothing more to do.
        #expect(try profiles.compact(olderThan: cutoff).versions.isEmpty)
        let tagged = try profiles.table.snapshot().files.filter { ($0.tags?[ProfilesTable.compactedTag] ?? nil) == "true" }
        #expect(tagged.count == 1)
        // A late part of an old window (a delayed label, say) is merged into that window's row next time.
        try profiles.append(try profileRows(windowStart: t0, numeric: [100], bins: bins))
        let late = try profiles.compact(olderThan: cutoff)
        #expect(late.filesRemoved == 2 && late.rowsAfter == 6)
        let window0 = try profiles.rows(endpoint: "iris", from: Timestamp(microsecondsSinceEpoch: t0), to: Timestamp(microsecondsSinceEpoch: t0 + 1))
        #expect(window0.count == 2)
        #expect(window0.first { $0.columnName == "x" }?.max == 100)
        #expect(try profiles.merged().first { $0.key.columnName == "x" }?.profile.count == 601)
    }

    @Test func compactedHoursAreWrittenOneFilePerHour() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        for part in 0..<2 {
            var rows: [ProfileRow] = []
            for h in 0..<3 { rows += try profileRows(windowStart: t0 + Int64(h) * hour + fiveMinutes, numeric: [Double(part)]) }
            try profiles.append(rows)
        }
        let result = try profiles.compact(olderThan: Timestamp(microsecondsSinceEpoch: t0 + 4 * hour))
        #expect(result.filesAdded == 3 && result.rowsAfter == 3)
        let files = try profiles.table.snapshot().files
        #expect(files.count == 3 && files.allSatisfy { $0.statistics?.numRecords == 1 })
    }

    @Test func partsOverDifferentReferencesStaySeparate() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        let a = try ReferenceBins(referenceID: "A", edges: [0])
        let b = try ReferenceBins(referenceID: "B", edges: [0, 5])
        try profiles.append(try profileRows(numeric: [-1, 1], bins: a))
        try profiles.append(try profileRows(numeric: [2], bins: a))
        try profiles.append(try profileRows(numeric: [6, 7], bins: b))
        try profiles.compact(olderThan: Timestamp(microsecondsSinceEpoch: t0 + hour))
        let rows = try profiles.rows()
        #expect(rows.count == 2)
        #expect(Set(rows.map { $0.referenceID ?? "-" }) == ["A", "B"])
        #expect(rows.first { $0.referenceID == "A" }?.histogram == [1, 2])
        #expect(try profiles.merged().first?.profile.count == 5)
    }

    @Test func aTailAppendDuringCompactionIsNotLost() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        for part in 0..<3 { try profiles.append(try profileRows(numeric: [Double(part)])) }
        // Another writer (a second value of the table, as another process would) appends rows of the
        // same window after compaction has read its snapshot: the replace conflicts and starts over.
        let rival = try Store(root: test.root).profiles()
        var appended = false
        let result = try profiles.compact(olderThan: Timestamp(microsecondsSinceEpoch: t0 + hour), endpoint: nil, maxAttempts: 5) {
            guard !appended else { return }
            appended = true
            try rival.append(try profileRows(numeric: [10, 11]), transaction: AppTransaction(appId: "tail", version: 1))
        }
        #expect(result.retries == 1)
        #expect(result.rowsAfter == 1)
        #expect(try profiles.transactionVersion(appId: "tail") == 1)
        let merged = try profiles.merged()
        #expect(merged.first?.profile.count == 5)
        #expect(merged.first?.partialRows == 1)
    }

    @Test func aCompactionThatAlwaysLosesFailsCleanly() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        for part in 0..<3 { try profiles.append(try profileRows(numeric: [Double(part)])) }
        let rival = try Store(root: test.root).profiles()
        #expect(throws: StoreError.self) {
            try profiles.compact(olderThan: Timestamp(microsecondsSinceEpoch: t0 + hour), endpoint: nil, maxAttempts: 2) {
                try rival.append(try profileRows(numeric: [1]))
            }
        }
        let merged = try profiles.merged()
        #expect(merged.first?.profile.count == 5 && merged.first?.partialRows == 5)
        // No orphan data file of the failed attempts is left in the table folder.
        let files = try FileManager.default.contentsOfDirectory(atPath: profiles.path + "/endpoint=iris")
        #expect(files.filter { $0.hasSuffix(".parquet") }.count == 5)
    }

    @Test func concurrentCompactionsNeverLoseOrDuplicateRows() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        for part in 0..<20 {
            try profiles.append(try profileRows(windowStart: t0 + Int64(part % 4) * fiveMinutes, numeric: [Double(part)]))
        }
        let cutoff = Timestamp(microsecondsSinceEpoch: t0 + hour)
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            do {
                let mine = try Store(root: test.root).profiles()
                _ = try mine.compact(olderThan: cutoff, maxAttempts: 20)
                outcomes.add(nil)
            } catch {
                outcomes.add(error)
            }
        }
        #expect(outcomes.errors.allSatisfy { if case StoreError.compactionConflict = $0 { true } else { false } })
        let merged = try profiles.merged()
        #expect(merged.map(\.profile.count) == [5, 5, 5, 5])
    }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var errors: [any Error] = []
    func add(_ error: (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        if let error { errors.append(error) }
    }
}
