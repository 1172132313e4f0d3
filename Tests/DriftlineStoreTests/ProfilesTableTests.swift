import DeltaTable
import DriftlineCore
import Foundation
import Parquet
import Profiles
import Testing
@testable import DriftlineStore

@Suite struct ProfilesTableTests {
    @Test func appendedRowsReadBackExactly() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        var numbers = Numbers(seed: 1)
        let rows = try profileRows(numeric: (0..<500).map { _ in numbers.normal() } + [.nan],
                                   categories: ["a", "b", nil, "a"])
        let version = try profiles.append(rows, transaction: AppTransaction(appId: "tail-iris", version: 1),
                                          commitInfo: ["positions": .object(["iris/w1": .int(77)])])
        #expect(version == 1)
        let back = try profiles.rows()
        #expect(back == rows.sorted { ProfileKey($0) < ProfileKey($1) })
        let commit = try #require(try profiles.lastCommit(ofApplication: "tail-iris"))
        #expect(commit.transaction.version == 1)
        #expect(commit.commitInfo["positions"] == .object(["iris/w1": .int(77)]))
        #expect(try profiles.transactionVersion(appId: "tail-iris") == 1)
    }

    @Test func oneCommitPerAppendWithOneFilePerEndpoint() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        let rows = try profileRows(endpoint: "a", numeric: [1, 2]) + profileRows(endpoint: "b", numeric: [3])
        let version = try profiles.append(rows)
        let actions = try profiles.table.actions(version: version)
        let adds = actions.compactMap { if case let .add(file) = $0 { file } else { nil } }
        #expect(adds.count == 2)
        #expect(Set(adds.map { $0.partitionValues["endpoint"] ?? nil }) == ["a", "b"])
        #expect(adds.allSatisfy { $0.relativePath.hasPrefix("endpoint=") && $0.statistics?.numRecords == 1 })
        #expect(try profiles.rows(endpoint: "a").map(\.endpoint) == ["a"])
    }

    @Test func rowsArePrunedByWindowStart() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        for w in 0..<6 {
            try profiles.append(try profileRows(windowStart: t0 + Int64(w) * fiveMinutes, numeric: [Double(w)]))
        }
        let some = try profiles.rows(endpoint: "iris", from: Timestamp(microsecondsSinceEpoch: t0 + fiveMinutes),
                                     to: Timestamp(microsecondsSinceEpoch: t0 + 3 * fiveMinutes))
        #expect(some.map(\.windowStartMicroseconds) == [t0 + fiveMinutes, t0 + 2 * fiveMinutes])
        let snapshot = try profiles.table.snapshot()
        let range = Timestamp(microsecondsSinceEpoch: t0 + fiveMinutes)..<Timestamp(microsecondsSinceEpoch: t0 + 3 * fiveMinutes)
        #expect(profiles.storage.files(in: snapshot, endpoint: "iris", windowStarts: range).count == 2)
    }

    @Test func dataFilesHaveTheDesignTypes() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        try profiles.append(try profileRows(numeric: [1, 2, 3], categories: ["x"]))
        let file = try #require(try profiles.table.snapshot().files.first)
        let reader = try ParquetReader(path: profiles.path + "/" + file.relativePath)
        let fields = Dictionary(uniqueKeysWithValues: reader.schema.fields.map { ($0.name, $0.type) })
        #expect(fields["endpoint"] == nil)   // the partition column lives in the log
        #expect(fields["window_start"] == .timestampMicros)
        #expect(fields["sketch"] == .binary)
        #expect(fields["model_version"] == .string)
        if case let .list(element)? = fields["histogram"] { #expect(element.type == .int64) } else { Issue.record("histogram is not a list") }
        if case let .list(element)? = fields["categories"] { #expect(element.type == .string) } else { Issue.record("categories is not a list") }
        #expect(reader.metadata.rowGroups.allSatisfy { $0.columns.allSatisfy { $0.metaData.codec == .lz4Raw } })
    }

    @Test func tablesAreCreatedOnceWhenOpenedTwice() throws {
        let test = TestStore()
        _ = try test.store.profiles()
        let again = try test.store.profiles()
        #expect(try again.table.latestVersion() == 0)
        let protocolVersions = try again.table.snapshot().protocolVersions
        #expect(protocolVersions.minReaderVersion == 1 && protocolVersions.minWriterVersion == 2)
    }

    @Test func aTableOfAnotherSchemaIsRefused() throws {
        let test = TestStore()
        _ = try DeltaTable.create(at: test.store.profilesPath, schema: DeltaSchema([DeltaField("endpoint", .string), DeltaField("x", .long)]),
                                  partitionColumns: ["endpoint"])
        #expect(throws: StoreError.self) { try test.store.profiles() }
    }

    @Test(arguments: ["", "..", "a/b", ".hidden", "_x", "tab\there"])
    func unsafeEndpointsAreRejected(endpoint: String) throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        #expect(throws: StoreError.self) { try profiles.append(try profileRows(endpoint: endpoint, numeric: [1])) }
    }

    @Test func endpointsWithSpecialCharactersRoundTrip() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        try profiles.append(try profileRows(endpoint: "fraud model=v2 é", numeric: [1]))
        #expect(try profiles.rows(endpoint: "fraud model=v2 é").count == 1)
        #expect(try profiles.rows(endpoint: "fraud").isEmpty)
    }
}

@Suite struct ProfilesTransactionTests {
    @Test func aRepeatedTransactionVersionIsAConflictAndAddsNothing() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        try profiles.append(try profileRows(numeric: [1]), transaction: AppTransaction(appId: "tail-iris", version: 5))
        #expect {
            try profiles.append(try profileRows(numeric: [2]), transaction: AppTransaction(appId: "tail-iris", version: 5))
        } throws: { error in
            guard case StoreError.delta(_, .conflict) = error else { return false }
            return true
        }
        #expect(try profiles.rows().count == 1)
        // Progress without data: an empty append still moves the txn.
        try profiles.append([], transaction: AppTransaction(appId: "tail-iris", version: 6), commitInfo: ["positions": .object([:])])
        #expect(try profiles.transactionVersion(appId: "tail-iris") == 6)
        #expect(try profiles.lastCommit(ofApplication: "tail-iris")?.commitInfo["positions"] == .object([:]))
    }
}

@Suite struct ProfilesConcurrencyTests {
    @Test func appendsFromManyWritersAtOnceLoseNothing() throws {
        let test = TestStore()
        _ = try test.store.profiles()
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            do {
                // Each writer has its own table value, as a separate process would.
                let mine = try Store(root: test.root).profiles()
                for i in 1...15 {
                    try mine.append(try profileRows(numeric: [Double(writer * 100 + i)]),
                                    transaction: AppTransaction(appId: "writer-\(writer)", version: Int64(i)))
                }
                outcomes.add(nil)
            } catch {
                outcomes.add(error)
            }
        }
        #expect(outcomes.errors.isEmpty)
        let profiles = try test.store.profiles()
        #expect(try profiles.merged().first?.profile.count == 60)
        for writer in 0..<4 { #expect(try profiles.transactionVersion(appId: "writer-\(writer)") == 15) }
    }

    @Test func largeAppendsAreSplitIntoBoundedRowGroups() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        var rows: [ProfileRow] = []
        for i in 0..<(TableStorage.rowsPerRowGroup * 2 + 10) {
            rows.append(ProfileRow(endpoint: "iris", modelVersion: "1", windowStartMicroseconds: t0, windowEndMicroseconds: t0 + fiveMinutes,
                                   columnName: "c\(i)", columnKind: "categorical", count: 1, missingCount: 0,
                                   categories: ["v"], categoryCounts: [1]))
        }
        try profiles.append(rows)
        let file = try #require(try profiles.table.snapshot().files.first)
        let reader = try ParquetReader(path: profiles.path + "/" + file.relativePath)
        #expect(reader.rowGroupCount == 3)
        #expect(reader.metadata.rowGroups.allSatisfy { $0.numRows <= Int64(TableStorage.rowsPerRowGroup) })
        #expect(try profiles.rows().count == rows.count)
    }
}

@Suite struct ProfilesProjectionTests {
    @Test func rowsAndMergedCanBeLimitedToSomeColumns() throws {
        let test = TestStore()
        let profiles = try test.store.profiles()
        try profiles.append(try profileRows(numeric: [1, 2], categories: ["a"]))
        try profiles.append(try profileRows(numeric: [3], categories: ["b"]))
        #expect(try profiles.rows(columns: ["c"]).map(\.columnName) == ["c", "c"])
        let merged = try profiles.merged(columns: ["x"])
        #expect(merged.count == 1 && merged.first?.profile.count == 3)
        #expect(try profiles.merged(columns: []).isEmpty)
    }
}
