import Foundation
import Testing
@testable import DeltaTable
import DurableFiles

@Suite struct ConcurrencyTests {
    @Test func twoThreadsAppendingGetContiguousVersionsAndLoseNothing() async throws {
        let folder = TemporaryFolder()
        _ = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let perWriter = 60
        let path = folder.path
        let versions = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for writer in ["a", "b"] {
                group.addTask {
                    let table = DeltaTable(path: path)
                    var versions: [Int64] = []
                    for index in 1...perWriter {
                        let file = try dataFile(table, "\(writer)-\(index)", times: [hour(0)])
                        let result = try table.append([file], transactions: [AppTransaction(appId: writer, version: Int64(index))])
                        versions.append(result.version)
                    }
                    return versions
                }
            }
            var all: [Int64] = []
            for try await part in group { all += part }
            return all
        }
        #expect(versions.sorted() == Array(1...Int64(2 * perWriter)))
        let snapshot = try DeltaTable(path: path).snapshot()
        #expect(snapshot.version == Int64(2 * perWriter))
        #expect(snapshot.files.count == 2 * perWriter)
        #expect(snapshot.transactions == ["a": Int64(perWriter), "b": Int64(perWriter)])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: path + "/_delta_log").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func transactionGoingBackwardsConflicts() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([], transactions: [AppTransaction(appId: "tail", version: 5)])
        for stale in [Int64(5), 4] {
            #expect {
                try table.append([], transactions: [AppTransaction(appId: "tail", version: stale)])
            } throws: { error in
                guard case let DeltaError.conflict(_, _, reason) = error else { return false }
                return reason.contains("tail") && reason.contains("already at version 5")
            }
        }
        #expect(try table.snapshot().version == 1)
    }

    @Test func concurrentTransactionOfSameApplicationConflicts() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let rival = DeltaTable(path: folder.path)
        #expect {
            try table.commit(adding: [], removing: nil, transactions: [AppTransaction(appId: "tail", version: 1)],
                             commitInfo: [:], operation: "WRITE") {
                try rival.append([], transactions: [AppTransaction(appId: "tail", version: 1)])
            }
        } throws: { error in
            guard case let DeltaError.conflict(_, version, _) = error else { return false }
            return version == 1
        }
        // Another application's txn in the winning commit does not conflict.
        let result = try table.commit(adding: [], removing: nil, transactions: [AppTransaction(appId: "mine", version: 1)],
                                      commitInfo: [:], operation: "WRITE") {
            try rival.append([], transactions: [AppTransaction(appId: "theirs", version: 1)])
        }
        #expect(result.version == 3)
        #expect(try table.snapshot().transactions == ["tail": 1, "theirs": 1, "mine": 1])
    }

    @Test func existingVersionFileIsNeverOverwritten() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let log = folder.path + "/_delta_log/00000000000000000000.json"
        let before = try Data(contentsOf: URL(fileURLWithPath: log))
        #expect(try DurableFile.putIfAbsent(log, contents: [1, 2, 3]) == .alreadyExists)
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == before)
        _ = table
    }

    @Test func dataFilesAreNeverOverwritten() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema)
        let file = try table.writeDataFile(relativePath: "part-1.parquet", bytes: [1, 2, 3])
        #expect(file.size == 3)
        #expect(throws: DeltaError.self) { try table.writeDataFile(relativePath: "part-1.parquet", bytes: [9]) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path + "/part-1.parquet")) == Data([1, 2, 3]))
    }
}
