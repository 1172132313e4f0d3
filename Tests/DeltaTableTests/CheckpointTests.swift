import DriftlineCore
import Foundation
import Testing
@testable import DeltaTable
import DurableFiles

@Suite struct CheckpointTests {
    /// Everything a snapshot holds, comparable.
    struct State: Equatable {
        var version: Int64
        var protocolVersions: ProtocolVersions
        var metadata: TableMetadata
        var files: [AddFile]
        var tombstones: [String]
        var transactions: [String: Int64]

        init(_ snapshot: Snapshot) {
            version = snapshot.version
            protocolVersions = snapshot.protocolVersions
            metadata = snapshot.metadata
            files = snapshot.files
            tombstones = snapshot.tombstones.map(\.relativePath)
            transactions = snapshot.transactions
        }
    }

    func populate(_ table: DeltaTable, commits: Int) throws {
        for index in 1...commits {
            let endpoint = index % 3 == 0 ? "wine" : "iris"
            let file = try dataFile(table, "f\(index)", endpoint: endpoint, times: [hour(Int64(index))])
            try table.append([file], transactions: [AppTransaction(appId: "tail-\(endpoint)", version: Int64(index))])
        }
    }

    @Test func checkpointReplaysToTheSameStateAsTheJSONLog() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"],
                                          configuration: ["delta.checkpointInterval": "1000"], name: "profiles")
        try populate(table, commits: 6)
        try table.replace(FileSelection(partitionValues: ["endpoint": "wine"]), with: [try dataFile(table, "w", endpoint: "wine", times: [hour(0)])])
        let odd = AddFile(relativePath: "endpoint=iris/a b%.parquet", size: 1, partitionValues: ["endpoint": nil],
                          modificationTime: Timestamp(milliseconds: 5))
        try table.append([odd])
        let fromJSON = State(try DeltaTable(path: folder.path).snapshot())

        let info = try table.checkpoint()
        #expect(info.version == 8 && info.numOfAddFiles == Int64(fromJSON.files.count))
        #expect(info.size == 2 + 2 + Int64(fromJSON.files.count) + 2)  // protocol, metaData, 2 txn, adds, 2 tombstones
        #expect(FileManager.default.fileExists(atPath: folder.path + "/_delta_log/00000000000000000008.checkpoint.parquet"))
        #expect(try table.readLastCheckpoint()?.version == 8)

        // Drop the JSON commits the checkpoint covers: the snapshot now comes from the checkpoint alone.
        for version in 0..<8 {
            try FileManager.default.removeItem(atPath: folder.path + "/_delta_log/" + LogFiles.padded(Int64(version)) + ".json")
        }
        let fromCheckpoint = State(try DeltaTable(path: folder.path).snapshot())
        #expect(fromCheckpoint == fromJSON)
        // And commits after it replay on top.
        try table.append([try dataFile(table, "after", times: [hour(9)])], transactions: [AppTransaction(appId: "tail-iris", version: 99)])
        let later = try DeltaTable(path: folder.path).snapshot()
        #expect(later.version == 9 && later.files.count == fromJSON.files.count + 1 && later.transactionVersion(appId: "tail-iris") == 99)
    }

    @Test func commitsCheckpointEveryIntervalAndCleanUpExpiredLog() throws {
        let folder = TemporaryFolder()
        let options = DeltaTable.Options(checkpointInterval: 5, logRetention: .zero)
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"], options: options)
        var checkpointed: [Int64] = []
        for index in 1...12 {
            let result = try table.append([try dataFile(table, "f\(index)", times: [hour(0)])])
            #expect(result.checkpointError == nil)
            if let checkpoint = result.checkpoint { checkpointed.append(checkpoint.version) }
        }
        #expect(checkpointed == [5, 10])
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/_delta_log"))
        #expect(names == ["_last_checkpoint", "00000000000000000010.checkpoint.parquet", "00000000000000000010.json",
                          "00000000000000000011.json", "00000000000000000012.json"])
        let snapshot = try DeltaTable(path: folder.path).snapshot()
        #expect(snapshot.version == 12 && snapshot.files.count == 12)
        #expect(try DeltaTable(path: folder.path).snapshot(version: 10).files.count == 10)
        #expect(throws: DeltaError.self) { try table.snapshot(version: 4) }
    }

    @Test func logWithinRetentionIsKept() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"],
                                          options: DeltaTable.Options(checkpointInterval: 3))
        try populate(table, commits: 7)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/_delta_log")
        #expect(names.filter { $0.hasSuffix(".json") }.count == 8)
        #expect(names.filter { $0.hasSuffix(".checkpoint.parquet") }.count == 2)
        // A month later, cleanup keeps the newest checkpoint and everything after it.
        let deleted = try table.cleanUpLog(now: Timestamp.now().advanced(by: .seconds(31 * 86_400)))
        #expect(deleted.count == 6 + 1)
        #expect(try DeltaTable(path: folder.path).snapshot().files.count == 7)
    }

    @Test func abandonedTemporaryFilesAreCleanedAfterAnHour() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema)
        let stale = folder.path + "/_delta_log/.00000000000000000001.json.abc.tmp"
        try Data([1]).write(to: URL(fileURLWithPath: stale))
        #expect(try table.cleanUpLog().isEmpty)
        #expect(try table.snapshot().version == 0)
        #expect(try table.cleanUpLog(now: Timestamp.now().advanced(by: .seconds(3700))) == [".00000000000000000001.json.abc.tmp"])
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func corruptCheckpointIsATypedError() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try populate(table, commits: 2)
        try table.checkpoint()
        let file = folder.path + "/_delta_log/00000000000000000002.checkpoint.parquet"
        let bytes = try DurableFile.read(file)
        for cut in stride(from: 0, to: bytes.count, by: 97) {
            try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: file))
            #expect {
                try DeltaTable(path: folder.path).snapshot()
            } throws: { error in
                guard case let DeltaError.malformedCheckpoint(name, _) = error else { return false }
                return name == file
            }
        }
    }

    @Test func tombstonesSurviveCheckpointsUntilVacuumed() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try populate(table, commits: 2)
        try table.replace(FileSelection(partitionValues: ["endpoint": "iris"]), with: [])
        let later = Timestamp.now().advanced(by: .seconds(8 * 86_400))
        // Expired but still on disk: the checkpoint keeps the tombstone so vacuum can find the file.
        try table.checkpoint(now: later)
        #expect(try DeltaTable(path: folder.path).snapshot().tombstones.count == 2)
        #expect(try DeltaTable(path: folder.path).vacuum(now: later).count == 2)
        try table.append([])
        try table.checkpoint(now: later)
        #expect(try DeltaTable(path: folder.path).snapshot().tombstones.isEmpty)
    }
}

@Suite struct TablePropertyTests {
    @Test func tablePropertiesSetCheckpointIntervalAndRetentions() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(
            at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"],
            configuration: ["delta.checkpointInterval": "2", "delta.logRetentionDuration": "interval 0 seconds",
                            "delta.deletedFileRetentionDuration": "interval 1 hour"])
        var checkpoints: [Int64] = []
        for index in 1...5 {
            if let checkpoint = try table.append([try dataFile(table, "f\(index)", times: [hour(0)])]).checkpoint {
                checkpoints.append(checkpoint.version)
            }
        }
        #expect(checkpoints == [2, 4])
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/_delta_log").filter { $0.hasSuffix(".json") }
        #expect(names.sorted() == ["00000000000000000004.json", "00000000000000000005.json"])
        try table.replace(FileSelection(partitionValues: ["endpoint": "iris"]), with: [])
        #expect(try table.vacuum(now: Timestamp.now().advanced(by: .seconds(1800))).isEmpty)
        #expect(try table.vacuum(now: Timestamp.now().advanced(by: .seconds(3700))).count == 5)
    }

    @Test(arguments: [("interval 7 days", Int64(604_800)), ("interval 1 week", 604_800), ("INTERVAL 36 HOURS", 129_600),
                      ("interval 30 minutes", 1_800), ("interval 1 second", 1)])
    func intervalsParse(text: String, seconds: Int64) {
        #expect(DeltaTable.Options.interval(text) == .seconds(seconds))
    }

    @Test(arguments: ["7 days", "interval x days", "interval 7 fortnights", "interval -1 days", ""])
    func badIntervalsAreIgnored(text: String) {
        #expect(DeltaTable.Options.interval(text) == nil)
    }
}

@Suite struct UnsupportedCheckpointTests {
    @Test func multiPartCheckpointAloneIsReportedAsUnsupported() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema)
        try table.append([])
        try Data([1]).write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000001.checkpoint.0000000001.0000000002.parquet"))
        try FileManager.default.removeItem(atPath: folder.path + "/_delta_log/00000000000000000000.json")
        #expect {
            try DeltaTable(path: folder.path).snapshot()
        } throws: { error in
            guard case let DeltaError.unsupportedProtocol(_, detail) = error else { return false }
            return detail.contains("multi-part")
        }
    }
}
