import Foundation
import Testing
@testable import DeltaTable

@Suite struct ReplaceTests {
    @Test func replaceRemovesFilesOfPartitionAndHourAndAddsNewOnesInOneVersion() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "iris-h0", times: [hour(0), hour(0).advanced(by: .seconds(300))]),
                          try dataFile(table, "iris-h1", times: [hour(1)]),
                          try dataFile(table, "wine-h0", endpoint: "wine", times: [hour(0)])])
        try table.append([try dataFile(table, "iris-h0-late", times: [hour(0).advanced(by: .seconds(3599))])])

        let merged = try dataFile(table, "iris-h0-merged", times: [hour(0)])
        let hourZero = FileSelection(partitionValues: ["endpoint": "iris"], timeColumn: "window_start",
                                     timeRange: hour(0)..<hour(1))
        let result = try table.replace(hourZero, with: [merged], transactions: [AppTransaction(appId: "batch", version: 1)])
        #expect(result.version == 3)
        #expect(result.removedPaths == ["endpoint=iris/iris-h0-late.parquet", "endpoint=iris/iris-h0.parquet"])

        let snapshot = try table.snapshot()
        #expect(snapshot.files.map(\.relativePath) == [
            "endpoint=iris/iris-h0-merged.parquet", "endpoint=iris/iris-h1.parquet", "endpoint=wine/wine-h0.parquet",
        ])
        #expect(Set(snapshot.tombstones.map(\.relativePath)) == Set(result.removedPaths))
        #expect(snapshot.transactionVersion(appId: "batch") == 1)
        let actions = try table.actions(version: 3)
        let removes = actions.compactMap { if case let .remove(r) = $0 { return r } else { return nil } }
        #expect(removes.count == 2 && removes.allSatisfy { $0.deletionTimestamp != nil && $0.dataChange })
    }

    @Test func replaceOfFileStraddlingTheRangeIsRefused() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "both", times: [hour(0), hour(1)])])
        let selection = FileSelection(partitionValues: ["endpoint": "iris"], timeColumn: "window_start", timeRange: hour(0)..<hour(1))
        #expect {
            try table.replace(selection, with: [])
        } throws: { error in
            guard case let DeltaError.ambiguousFile(path, _) = error else { return false }
            return path == "endpoint=iris/both.parquet"
        }
        #expect(try table.snapshot().version == 1)
    }

    @Test func replaceConflictsWithConcurrentAddInItsRange() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "old", times: [hour(0)])])
        let rival = DeltaTable(path: folder.path)
        let selection = FileSelection(partitionValues: ["endpoint": "iris"], timeColumn: "window_start", timeRange: hour(0)..<hour(1))
        #expect {
            try table.commit(adding: [], removing: selection, transactions: [], commitInfo: [:], operation: "REPLACE") {
                try rival.append([try dataFile(rival, "new", times: [hour(0).advanced(by: .seconds(60))])])
            }
        } throws: { error in
            guard case let DeltaError.conflict(_, version, reason) = error else { return false }
            return version == 2 && reason.contains("new.parquet")
        }
        #expect(try DeltaTable(path: folder.path).snapshot().files.count == 2)
    }

    @Test func replaceFromAReadVersionConflictsWithAnAddMadeSinceThatVersion() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "old", times: [hour(0)])])
        let read = try table.snapshot().version
        // A rival appends into the range after the caller read version 1 but before its replace starts.
        try DeltaTable(path: folder.path).append([try dataFile(table, "new", times: [hour(0).advanced(by: .seconds(60))])])
        let selection = FileSelection(partitionValues: ["endpoint": "iris"], timeColumn: "window_start", timeRange: hour(0)..<hour(1))
        #expect {
            try DeltaTable(path: folder.path).replace(selection, with: [], readVersion: read)
        } throws: { error in
            guard case let DeltaError.conflict(_, version, reason) = error else { return false }
            return version == 2 && reason.contains("new.parquet")
        }
        #expect(try DeltaTable(path: folder.path).snapshot().files.count == 2)
        // From the latest version the same replace removes both.
        #expect(try table.replace(selection, with: [], readVersion: 2).removedPaths.count == 2)
    }

    @Test func replaceConflictsWithConcurrentRemoveOfSameFile() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "old", times: [hour(0)])])
        let rival = DeltaTable(path: folder.path)
        let selection = FileSelection(partitionValues: ["endpoint": "iris"])
        #expect(throws: DeltaError.self) {
            try table.commit(adding: [], removing: selection, transactions: [], commitInfo: [:], operation: "REPLACE") {
                try rival.replace(selection, with: [])
            }
        }
    }

    @Test func replaceDoesNotConflictWithAppendsElsewhere() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "old", times: [hour(0)])])
        let rival = DeltaTable(path: folder.path)
        let selection = FileSelection(partitionValues: ["endpoint": "iris"], timeColumn: "window_start", timeRange: hour(0)..<hour(1))
        let result = try table.commit(adding: [], removing: selection, transactions: [], commitInfo: [:], operation: "REPLACE") {
            try rival.append([try dataFile(rival, "other-endpoint", endpoint: "wine", times: [hour(0)])])
            try rival.append([try dataFile(rival, "other-hour", times: [hour(2)])])
        }
        #expect(result.version == 4)
        #expect(result.attempts == 3)
        #expect(try table.snapshot().files.map(\.relativePath) == ["endpoint=iris/other-hour.parquet", "endpoint=wine/other-endpoint.parquet"])
    }

    @Test func appendOnlyTablesRefuseReplace() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"],
                                          configuration: ["delta.appendOnly": "true"])
        #expect(throws: DeltaError.self) { try table.replace(FileSelection(), with: []) }
    }
}
