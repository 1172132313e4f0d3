import Foundation
import Testing
@testable import DeltaTable

/// `addColumns`: Delta's ADD COLUMNS as one metaData commit.
@Suite struct SchemaEvolutionTests {
    @Test func addedColumnsGoAtTheEndAndKeepTheTableIdentity() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path + "/t", schema: profilesSchema, partitionColumns: ["endpoint"],
                                          configuration: ["delta.checkpointInterval": "50"])
        try table.append([try dataFile(table, "a", times: [hour(0)])])
        let before = try table.snapshot()
        let result = try #require(try table.addColumns([DeltaField("f1", .double), DeltaField("count", .long), DeltaField("ok", .boolean)]))
        let after = try table.snapshot()
        #expect(result.version == before.version + 1 && after.version == result.version)
        #expect(after.schema.fields.map(\.name) == ["endpoint", "window_start", "count", "mean", "histogram", "f1", "ok"])
        #expect(after.metadata.id == before.metadata.id && after.metadata.configuration == before.metadata.configuration)
        #expect(after.partitionColumns == ["endpoint"] && after.files == before.files)
        // Adding them again commits nothing.
        #expect(try table.addColumns([DeltaField("f1", .double)]) == nil)
        #expect(try table.latestVersion() == after.version)
    }

    @Test func aRequiredColumnOrAnotherTypeIsRefused() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path + "/t", schema: profilesSchema, partitionColumns: ["endpoint"])
        #expect(throws: DeltaError.self) { try table.addColumns([DeltaField("x", .double, nullable: false)]) }
        #expect(throws: DeltaError.self) { try table.addColumns([DeltaField("mean", .string)]) }
        #expect(try table.latestVersion() == 0)
    }

    /// Another handle that read the table before the columns were added still appends afterwards: a commit
    /// re-reads the table first, so it builds on the new schema.
    @Test func anEarlierReaderStillAppendsAfterwards() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path + "/t", schema: profilesSchema, partitionColumns: ["endpoint"])
        let other = DeltaTable(path: table.path)
        _ = try other.snapshot()
        try table.addColumns([DeltaField("f1", .double)])
        try other.append([try dataFile(other, "b", times: [hour(1)])])
        #expect(try table.snapshot().files.count == 1 && table.snapshot().schema.field(named: "f1") != nil)
    }
}
