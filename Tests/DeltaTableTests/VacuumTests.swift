import DriftlineCore
import Foundation
import Testing
@testable import DeltaTable

@Suite struct VacuumTests {
    @Test func vacuumDeletesOnlyFilesRemovedBeforeTheRetention() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "old", times: [hour(0)]), try dataFile(table, "kept", times: [hour(1)])])
        let hourZero = FileSelection(partitionValues: ["endpoint": "iris"], timeColumn: "window_start", timeRange: hour(0)..<hour(1))
        try table.replace(hourZero, with: [try dataFile(table, "new", times: [hour(0)])])
        let old = folder.path + "/endpoint=iris/old.parquet"

        // Within the default 7 days nothing goes; a dry run lists without deleting.
        #expect(try table.vacuum().isEmpty)
        let later = Timestamp.now().advanced(by: .seconds(8 * 86_400))
        #expect(try table.vacuum(now: later, dryRun: true) == ["endpoint=iris/old.parquet"])
        #expect(FileManager.default.fileExists(atPath: old))
        #expect(try table.vacuum(now: later) == ["endpoint=iris/old.parquet"])
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: folder.path + "/endpoint=iris/kept.parquet"))
        #expect(FileManager.default.fileExists(atPath: folder.path + "/endpoint=iris/new.parquet"))
        #expect(try table.vacuum(now: later).isEmpty)
    }

    /// A data file the log never heard of (its writer died before committing) goes once it is older than
    /// the retention; the log, hidden files and live files stay.
    @Test func vacuumDeletesUntrackedDataFilesOlderThanTheRetention() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "live", times: [hour(0)])])
        let orphan = folder.path + "/endpoint=iris/part-orphan.parquet"
        let hidden = folder.path + "/endpoint=iris/.part-hidden.parquet"
        let underscored = folder.path + "/_staging/part.parquet"
        try FileManager.default.createDirectory(atPath: folder.path + "/_staging", withIntermediateDirectories: true)
        for path in [orphan, hidden, underscored] { FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3])) }
        // Fresh: kept (a writer may still be about to commit it).
        #expect(try table.vacuum().isEmpty)
        let later = Timestamp.now().advanced(by: .seconds(8 * 86_400))
        #expect(try table.vacuum(now: later, dryRun: true) == ["endpoint=iris/part-orphan.parquet"])
        #expect(FileManager.default.fileExists(atPath: orphan))
        #expect(try table.vacuum(now: later) == ["endpoint=iris/part-orphan.parquet"])
        #expect(!FileManager.default.fileExists(atPath: orphan))
        for path in [hidden, underscored, folder.path + "/endpoint=iris/live.parquet"] { #expect(FileManager.default.fileExists(atPath: path)) }
        #expect(try table.snapshot().files.count == 1)
    }
}
