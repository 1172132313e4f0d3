import DriftlineCore
import Foundation
import Parquet
import Testing
@testable import DeltaTable
import DurableFiles

@Suite struct ParquetIntegrationTests {
    @Test func dataSchemaMapsDeltaTypesToParquetAndDropsPartitionColumns() throws {
        let schema = try profilesSchema.parquetSchema(excluding: ["endpoint"])
        #expect(schema.fields.map(\.name) == ["window_start", "count", "mean", "histogram"])
        #expect(schema.fields[0].type == .timestampMicros)
        #expect(schema.fields[3].type == .list(.optional("element", .int64)))
        let nested = DeltaSchema([DeltaField("m", .map(key: .string, value: .double, valueContainsNull: false), nullable: false),
                                  DeltaField("s", .struct(DeltaSchema([DeltaField("b", .boolean)])))])
        #expect(try nested.parquetSchema().fields == [
            .required("m", .map(key: .required("key", .string), value: .required("value", .double))),
            .optional("s", .group([.optional("b", .boolean)])),
        ])
        #expect(throws: DeltaError.self) { try DeltaSchema([DeltaField("d", .date)]).parquetSchema() }
    }

    @Test func footerStatisticsEqualThoseOfTheValuesAcrossRowGroups() throws {
        let schema = try profilesSchema.parquetSchema(excluding: ["endpoint"])
        let count = 5_000
        var times: [Timestamp?] = []
        var counts: [Int64?] = []
        for i in 0..<count {
            let offset: Duration = .microseconds(i * 7)
            times.append(i % 11 == 0 ? nil : hour(Int64(i % 5)).advanced(by: offset))
            let value = Int64(i * 37 % 1001) - 500
            counts.append(i % 13 == 0 ? nil : value)
        }
        let means: [Double?] = (0..<count).map { $0 % 17 == 0 ? nil : sin(Double($0)) * 10 }
        let rows: [[ParquetValue]] = (0..<count).map { i in
            [times[i].map { .int64($0.microsecondsSinceEpoch) } ?? .null, counts[i].map(ParquetValue.int64) ?? .null,
             means[i].map(ParquetValue.double) ?? .null, .list([.int64(Int64(i))])]
        }
        var options = WriterOptions()
        options.maxRowGroupBytes = 16 << 10
        let writer = try ParquetWriter(schema: schema, options: options)
        try writer.write(rows: rows)
        try writer.close()
        let reader = try ParquetReader(bytes: writer.bytes)
        #expect(reader.rowGroupCount > 1)

        let fromFooter = FileStatistics(parquet: reader)
        var fromValues = FileStatistics(numRecords: Int64(count))
        fromValues.record("window_start", timestamps: times)
        fromValues.record("count", longs: counts)
        fromValues.record("mean", doubles: means)
        #expect(fromFooter.numRecords == Int64(count))
        #expect(fromFooter.minValues == fromValues.minValues)
        #expect(fromFooter.maxValues == fromValues.maxValues)
        for column in ["window_start", "count", "mean"] {
            #expect(fromFooter.nullCount[column] == fromValues.nullCount[column])
        }
        #expect(fromFooter.minValues["histogram"] == nil)
        #expect(throws: DeltaError.self) { try FileStatistics(parquetBytes: [1, 2, 3]) }
    }

    /// Random byte flips in a checkpoint: every outcome is a snapshot or a typed error, never a crash.
    @Test func flippedCheckpointBytesAreASnapshotOrATypedError() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        for index in 1...4 {
            try table.append([try dataFile(table, "f\(index)", times: [hour(Int64(index))])],
                             transactions: [AppTransaction(appId: "t", version: Int64(index))])
        }
        try table.checkpoint()
        for version in 0..<4 {
            try FileManager.default.removeItem(atPath: folder.path + "/_delta_log/" + LogFiles.padded(Int64(version)) + ".json")
        }
        let file = folder.path + "/_delta_log/00000000000000000004.checkpoint.parquet"
        let bytes = try DurableFile.read(file)
        var generator = SystemRandomNumberGenerator()
        var typed = 0
        for _ in 0..<1_000 {
            var copy = bytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                copy[Int.random(in: 0..<copy.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            }
            do {
                var state = ReplayState()
                state.apply(try CheckpointFile.decode(copy, file: file))
                state.version = 4
                _ = try state.snapshot(table: folder.path)
            } catch is DeltaError {
                typed += 1
            }
        }
        #expect(typed > 0)
    }
}

@Suite struct DataFileWritingTests {
    @Test func batchesAreWrittenIntoPartitionFoldersWithFooterStatistics() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let snapshot = try table.snapshot()
        let schema = try snapshot.schema.parquetSchema(excluding: snapshot.partitionColumns)
        let rows: [[ParquetValue]] = [
            [.int64(hour(0).microsecondsSinceEpoch), .int64(5), .double(1.5), .list([.int64(1), .null])],
            [.int64(hour(1).microsecondsSinceEpoch), .null, .double(-2), .null],
        ]
        let add = try table.writeDataFile(try RecordBatch(schema: schema, rows: rows), partitionValues: ["endpoint": "a/b c"],
                                          snapshot: snapshot)
        #expect(add.relativePath.hasPrefix("endpoint=a%2Fb c/part-") && add.relativePath.hasSuffix(".parquet"))
        let stats = try #require(add.statistics)
        #expect(stats.numRecords == 2 && stats.nullCount["count"] == .int(1) && stats.maxValues["mean"] == .double(1.5))
        #expect(stats.timestampBounds("window_start") == hour(0)...hour(1).advanced(by: .microseconds(999)))
        try table.append([add])
        let reread = try ParquetReader(bytes: DurableFile.read(folder.path + "/" + add.relativePath))
        #expect(try reread.readRows() == rows)
        #expect(try table.snapshot().files == [add])
    }

    @Test(arguments: [("iris", "iris"), ("a=b", "a%3Db"), ("x:y/z", "x%3Ay%2Fz"), ("é", "é"), ("", "__HIVE_DEFAULT_PARTITION__")])
    func partitionValuesAreHiveEscapedInFolderNames(value: String, folder: String) {
        #expect(DeltaTable.escapePartitionValue(value) == folder)
    }
}
