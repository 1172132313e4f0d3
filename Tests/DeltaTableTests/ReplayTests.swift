import Foundation
import Testing
@testable import DeltaTable

@Suite struct ReplayTests {
    @Test func createdTableHasProtocolMetadataAndNoFiles() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path + "/t", schema: profilesSchema, partitionColumns: ["endpoint"],
                                          configuration: ["delta.appendOnly": "false"])
        let snapshot = try table.snapshot()
        #expect(snapshot.version == 0)
        #expect(snapshot.protocolVersions == ProtocolVersions(minReaderVersion: 1, minWriterVersion: 2))
        #expect(snapshot.schema == profilesSchema)
        #expect(snapshot.partitionColumns == ["endpoint"])
        #expect(snapshot.metadata.configuration["delta.appendOnly"] == "false")
        #expect(snapshot.files.isEmpty)
        #expect(throws: DeltaError.tableExists(path: folder.path + "/t")) {
            try DeltaTable.create(at: folder.path + "/t", schema: profilesSchema, partitionColumns: ["endpoint"])
        }
    }

    @Test func appendsReplayWithPartitionValuesStatsAndTransactions() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let a = try dataFile(table, "a", times: [hour(0), hour(1)])
        let b = try dataFile(table, "b", endpoint: "wine", times: [hour(2)])
        #expect(try table.append([a], transactions: [AppTransaction(appId: "tail", version: 1)]).version == 1)
        #expect(try table.append([b], transactions: [AppTransaction(appId: "tail", version: 2),
                                                     AppTransaction(appId: "other", version: 7)]).version == 2)

        // A fresh value replays from disk; the first one replays incrementally from its cache.
        for snapshot in [try table.snapshot(), try DeltaTable(path: folder.path + "/").snapshot()] {
            #expect(snapshot.version == 2)
            #expect(snapshot.files.map(\.relativePath) == ["endpoint=iris/a.parquet", "endpoint=wine/b.parquet"])
            #expect(snapshot.file(at: "endpoint=wine/b.parquet")?.partitionValues == ["endpoint": "wine"])
            #expect(snapshot.transactions == ["tail": 2, "other": 7])
            #expect(snapshot.transactionVersion(appId: "missing") == nil)
            #expect(snapshot.numRecords == 3)
            let stats = try #require(snapshot.file(at: "endpoint=iris/a.parquet")?.statistics)
            #expect(stats.timestampBounds("window_start")?.lowerBound == hour(0))
            #expect(stats.minValues["count"] == .int(1))
            #expect(stats.nullCount["window_start"] == .int(0))
        }
        let info = try #require(try table.commitInfo(version: 1))
        #expect(info["operation"] == .string("WRITE"))
        #expect(info["readVersion"] == .int(0))
    }

    @Test func unknownActionsAndFieldsAreIgnored() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let commit = """
            {"commitInfo":{"operation":"WRITE","engineInfo":{"nested":[1,2.5,null,true]}}}
            {"domainMetadata":{"domain":"x","configuration":"{}","removed":false}}
            {"cdc":{"path":"_change_data/c.parquet","partitionValues":{},"size":1,"dataChange":false}}
            {"add":{"path":"endpoint%3Dodd/a%20b.parquet","partitionValues":{"endpoint":null},"size":10,"modificationTime":5,"dataChange":true,"futureField":{"x":1},"baseRowId":4,"deletionVector":null}}
            {"txn":{"appId":"x","version":3,"futureField":1}}

            """
        try Data(commit.utf8).write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000001.json"))
        let snapshot = try table.snapshot()
        #expect(snapshot.version == 1)
        let file = try #require(snapshot.files.first)
        #expect(file.relativePath == "endpoint=odd/a b.parquet")
        #expect(file.partitionValues == ["endpoint": String?.none])
        #expect(snapshot.transactions == ["x": 3])
        #expect(try table.commitInfo(version: 1)?["engineInfo"] == .object(["nested": .array([.int(1), .double(2.5), .null, .bool(true)])]))
    }

    @Test func removeThenAddOfSamePathKeepsNewestAction() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let a = try dataFile(table, "a", times: [hour(0)])
        try table.append([a])
        try table.replace(FileSelection(partitionValues: ["endpoint": "iris"]), with: [])
        var snapshot = try table.snapshot()
        #expect(snapshot.files.isEmpty)
        #expect(snapshot.tombstones.map(\.relativePath) == ["endpoint=iris/a.parquet"])
        // Re-adding the same path (allowed by the protocol) makes it live again and clears the tombstone.
        let again = """
            {"add":{"path":"endpoint=iris/a.parquet","partitionValues":{"endpoint":"iris"},"size":1,"modificationTime":1,"dataChange":true}}

            """
        try Data(again.utf8).write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000003.json"))
        snapshot = try table.snapshot()
        #expect(snapshot.files.map(\.relativePath) == ["endpoint=iris/a.parquet"])
        #expect(snapshot.tombstones.isEmpty)
    }

    @Test func schemaRoundTripsThroughSparkJSON() throws {
        let schema = DeltaSchema([
            DeltaField("s", .string, nullable: false),
            DeltaField("tags", .map(key: .string, value: .long, valueContainsNull: false)),
            DeltaField("nested", .struct(DeltaSchema([DeltaField("b", .binary), DeltaField("f", .boolean),
                                                      DeltaField("d", .other("decimal(10,2)"))]))),
            DeltaField("lists", .array(element: .array(element: .double, containsNull: false), containsNull: true),
                       metadata: ["comment": .string("x")]),
        ])
        #expect(try DeltaSchema(json: schema.json) == schema)
        let spark = #"{"type":"struct","fields":[{"name":"a","type":"integer","nullable":true,"metadata":{}},{"name":"m","type":{"type":"map","keyType":"string","valueType":"string","valueContainsNull":true},"nullable":true,"metadata":{}}]}"#
        #expect(try DeltaSchema(json: spark) == DeltaSchema([
            DeltaField("a", .integer), DeltaField("m", .map(key: .string, value: .string, valueContainsNull: true)),
        ]))
    }

    @Test func invalidSchemasAndFilesAreRejected() throws {
        let folder = TemporaryFolder()
        #expect(throws: DeltaError.self) {
            try DeltaTable.create(at: folder.path + "/a", schema: profilesSchema, partitionColumns: ["nope"])
        }
        #expect(throws: DeltaError.self) {
            try DeltaTable.create(at: folder.path + "/b", schema: DeltaSchema([DeltaField("x", .long), DeltaField("X", .long)]))
        }
        let table = try DeltaTable.create(at: folder.path + "/c", schema: profilesSchema, partitionColumns: ["endpoint"])
        for bad in ["/abs.parquet", "../up.parquet", "_delta_log/x.json", ".hidden", "a//b"] {
            #expect(throws: DeltaError.self) { try table.writeDataFile(relativePath: bad, bytes: [1]) }
        }
        let unpartitioned = AddFile(relativePath: "x.parquet", size: 1, modificationTime: .now())
        #expect(throws: DeltaError.self) { try table.append([unpartitioned]) }
        #expect(try table.latestVersion() == 0)
    }

    @Test func notATableIsATypedError() throws {
        let folder = TemporaryFolder()
        #expect(throws: DeltaError.notATable(path: folder.path)) { try DeltaTable(path: folder.path).snapshot() }
    }
}

@Suite struct TimeTravelTests {
    @Test func earlierVersionsReplayToTheirOwnState() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "a", times: [hour(0)])], transactions: [AppTransaction(appId: "t", version: 1)])
        try table.append([try dataFile(table, "b", times: [hour(1)])], transactions: [AppTransaction(appId: "t", version: 2)])
        try table.replace(FileSelection(partitionValues: ["endpoint": "iris"]), with: [])
        #expect(try table.snapshot().files.isEmpty)
        let one = try table.snapshot(version: 1)
        #expect(one.version == 1 && one.files.map(\.relativePath) == ["endpoint=iris/a.parquet"] && one.transactions == ["t": 1])
        #expect(try table.snapshot(version: 2).files.count == 2)
        #expect(try DeltaTable(path: folder.path).snapshot(version: 0).files.isEmpty)
        #expect(throws: DeltaError.self) { try table.snapshot(version: 4) }
        #expect(try table.snapshot().version == 3)
    }
}

@Suite struct HistoryTests {
    @Test func lastCommitOfAnApplicationCarriesItsCommitInfo() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([], transactions: [AppTransaction(appId: "tail-iris", version: 1)], commitInfo: ["positions": .object(["w1": .int(10)])])
        try table.append([], transactions: [AppTransaction(appId: "tail-wine", version: 1)], commitInfo: ["positions": .object(["w2": .int(3)])])
        try table.append([], transactions: [AppTransaction(appId: "tail-iris", version: 2)], commitInfo: ["positions": .object(["w1": .int(25)])])
        try table.append([try dataFile(table, "x", times: [hour(0)])])

        let iris = try #require(try table.lastCommit(ofApplication: "tail-iris"))
        #expect(iris.version == 3 && iris.transaction.version == 2)
        #expect(iris.commitInfo["positions"] == .object(["w1": .int(25)]))
        #expect(try table.lastCommit(ofApplication: "tail-wine")?.version == 2)
        #expect(try table.lastCommit(ofApplication: "nobody") == nil)
    }

    @Test func filesOverlappingASelectionSkipOtherPartitionsAndHours() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "h0", times: [hour(0)]), try dataFile(table, "h1", times: [hour(1)]),
                          try dataFile(table, "h01", times: [hour(0), hour(1)]), try dataFile(table, "w0", endpoint: "wine", times: [hour(0)])])
        let selection = FileSelection(partitionValues: ["endpoint": "iris"], timeColumn: "window_start", timeRange: hour(0)..<hour(1))
        #expect(try table.snapshot().files(overlapping: selection).map(\.relativePath) == ["endpoint=iris/h0.parquet", "endpoint=iris/h01.parquet"])
    }
}
