import Foundation
import Testing
@testable import DeltaTable
import DurableFiles

/// A damaged commit file is reported, never read as an empty commit; the newest is moved aside by a writer.
@Suite struct DamagedCommitTests {
    /// A table with versions 0 (create), 1 and 2 (appends of one file each), version 2's file replaced by `bytes`
    /// and aged by `age` seconds.
    func damaged(_ bytes: (inout [UInt8]) -> Void, age: TimeInterval = 3600) throws -> (TemporaryFolder, DeltaTable, String) {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "a", times: [hour(0)])], transactions: [AppTransaction(appId: "t", version: 1)])
        try table.append([try dataFile(table, "b", times: [hour(1)])], transactions: [AppTransaction(appId: "t", version: 2)])
        let file = folder.path + "/_delta_log/00000000000000000002.json"
        var content = try DurableFile.read(file)
        bytes(&content)
        try Data(content).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: file)
        return (folder, DeltaTable(path: folder.path), file)
    }

    static let damages: [(String, @Sendable (inout [UInt8]) -> Void)] = [
        ("empty", { $0 = [] }),
        ("cut at a line end", { bytes in
            let lineEnds = bytes.indices.filter { bytes[$0] == 10 }
            bytes = Array(bytes[...lineEnds[lineEnds.count - 2]])
        }),
        ("cut inside a line", { $0 = Array($0.prefix($0.count - 7)) }),
        ("garbage", { $0 = Array("\u{01}\u{02} not a commit at all".utf8) }),
    ]

    @Test(arguments: 0..<damages.count)
    func aDamagedCommitIsAnErrorNamingTheFile(index: Int) throws {
        let (folder, table, file) = try damaged(Self.damages[index].1)
        #expect {
            _ = try table.snapshot()
        } throws: { error in
            guard let error = error as? DeltaError, error.isDamagedCommit else { return false }
            return error.description.contains(file)
        }
        withExtendedLifetime(folder) {}
    }

    @Test(arguments: 0..<damages.count)
    func aWriterMovesTheDamagedNewestCommitAsideAndWritesTheVersionAgain(index: Int) throws {
        let (folder, table, file) = try damaged(Self.damages[index].1)
        let result = try table.append([try dataFile(table, "c", times: [hour(2)])], transactions: [AppTransaction(appId: "t", version: 2)])
        #expect(result.version == 2)
        let snapshot = try DeltaTable(path: folder.path).snapshot()
        #expect(Set(snapshot.files.map(\.relativePath)) == ["endpoint=iris/a.parquet", "endpoint=iris/c.parquet"])
        #expect(snapshot.transactionVersion(appId: "t") == 2)
        let kept = try Folder.list(folder.path + "/_delta_log_damaged")
        #expect(kept.count == 1 && kept[0].hasPrefix("00000000000000000002.json."))
        #expect(DurableFile.exists(file))
    }

    @Test func aYoungDamagedCommitIsLeftAloneAndAnOlderOneIsNeverMoved() throws {
        let (folder, table, _) = try damaged({ $0 = [] }, age: 0)
        #expect(throws: DeltaError.self) { try table.repairNewestCommit(minimumAge: .seconds(30)) }
        #expect(try table.repairNewestCommit(minimumAge: .zero) != nil)
        // Version 1 damaged below a readable version 2: an error to restore from a backup, nothing moved.
        let (older, olderTable, _) = try damaged({ _ in })
        try Data().write(to: URL(fileURLWithPath: older.path + "/_delta_log/00000000000000000001.json"))
        #expect(try olderTable.repairNewestCommit(minimumAge: .zero) == nil)
        #expect(throws: DeltaError.self) { try olderTable.snapshot() }
        _ = folder
    }

    @Test(arguments: 0..<damages.count)
    func aReaderReadsAroundADamagedNewestCommitAndNamesIt(index: Int) throws {
        let (folder, table, file) = try damaged(Self.damages[index].1)
        let (snapshot, skipped) = try table.readableSnapshot()
        #expect(snapshot.version == 1)
        #expect(Set(snapshot.files.map(\.relativePath)) == ["endpoint=iris/a.parquet"])
        let skip = try #require(skipped)
        #expect(skip.version == 2 && skip.file == file && skip.description.contains(file))
        // Nothing was moved, and the damage stays visible to a strict read.
        #expect(!DurableFile.exists(folder.path + "/_delta_log_damaged"))
        #expect(throws: DeltaError.self) { try DeltaTable(path: folder.path).snapshot() }
        // Healed (the version written again): the reader sees it, and nothing is skipped.
        #expect(try table.repairNewestCommit(minimumAge: .zero) != nil)
        try table.append([try dataFile(table, "c", times: [hour(2)])], transactions: [AppTransaction(appId: "t", version: 2)])
        let (healed, none) = try table.readableSnapshot()
        #expect(healed.version == 2 && none == nil)
        #expect(Set(healed.files.map(\.relativePath)) == ["endpoint=iris/a.parquet", "endpoint=iris/c.parquet"])
    }

    @Test func aDamagedCommitBelowTheNewestIsStillAnError() throws {
        let (folder, table, _) = try damaged({ _ in })
        try Data().write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000001.json"))
        #expect(throws: DeltaError.self) { try table.readableSnapshot() }
    }

    @Test func aCommitRecordsItsActionCount() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "a", times: [hour(0)]), try dataFile(table, "b", times: [hour(0)])])
        let info = try #require(try table.commitInfo(version: 1))
        #expect(info[ActionCoding.actionCountKey] == .int(3))
    }
}
