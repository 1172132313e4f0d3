import Testing
@testable import Parquet

@Suite struct RoundTripTests {
    static let optionSets: [(String, WriterOptions)] = {
        var plain = WriterOptions(); plain.dictionaryEnabled = false; plain.compression = .uncompressed
        var small = WriterOptions(); small.maxRowGroupBytes = 4 << 10; small.dataPageBytes = 512
        return [("default", WriterOptions()), ("plain-uncompressed", plain), ("small-groups-and-pages", small)]
    }()

    @Test(arguments: 0 ..< 3)
    func rowsRoundTripThroughWriterAndReader(optionIndex: Int) throws {
        let (_, options) = Self.optionSets[optionIndex]
        let rows = TestData.rows(800)
        let writer = try ParquetWriter(schema: TestData.flatSchema, options: options)
        try writer.write(rows: rows)
        try writer.close()
        let reader = try ParquetReader(bytes: writer.bytes)
        #expect(reader.rowCount == 800)
        #expect(reader.schema == TestData.flatSchema)
        #expect(try reader.readRows() == rows)
        if optionIndex == 2 { #expect(reader.rowGroupCount > 3) }
    }

    @Test func projectionReturnsOnlyTheNamedFields() throws {
        let rows = TestData.rows(100)
        let reader = try ParquetReader(bytes: TestData.file(rows: 100))
        let got = try reader.readRows(fields: ["kv", "id"])
        #expect(got == rows.map { [$0[9], $0[0]] })
        #expect(try reader.leafIndices(ofFields: ["kv"]) == [9, 10])
    }

    @Test func columnarBatchMatchesRowShredding() throws {
        let schema = Schema([.optional("x", .int64), .optional("l", .list(.optional("element", .string)))])
        let columnar = RecordBatch(rowCount: 4, columns: [
            try LeafColumn(field: schema.fields[0], values: .int64([5, 7]), validity: [true, false, false, true]),
            try LeafColumn(listField: schema.fields[1], offsets: [0, 2, 2, 2, 3], values: .byteArray(ByteArrays(strings: ["a", "c"])),
                           validity: [true, true, false, true], elementValidity: [true, false, true]),
        ])
        let rows: [[ParquetValue]] = [
            [.int64(5), .list([.string("a"), .null])],
            [.null, .list([])],
            [.null, .null],
            [.int64(7), .list([.string("c")])],
        ]
        #expect(try RecordBatch(schema: schema, rows: rows) == columnar)
        let writer = try ParquetWriter(schema: schema)
        try writer.write(columnar)
        try writer.close()
        #expect(try ParquetReader(bytes: writer.bytes).readRows() == rows)
    }

    @Test func statisticsUseSignedAndUnsignedByteOrder() throws {
        let schema = Schema([.required("i", .int64), .required("d", .double), .required("s", .string), .optional("n", .int32)])
        let rows: [[ParquetValue]] = [
            [.int64(-5), .double(0.0), .string("z"), .null],
            [.int64(3), .double(-2.5), .string("élan"), .int32(-1)],
            [.int64(-9), .double(.nan), .string("a"), .null],
        ]
        let writer = try ParquetWriter(schema: schema)
        try writer.write(rows: rows)
        try writer.close()
        let reader = try ParquetReader(bytes: writer.bytes)
        let i = try #require(reader.statistics(rowGroup: 0, column: 0))
        #expect(i.min == .int64(-9) && i.max == .int64(3) && i.nullCount == 0)
        let d = try #require(reader.statistics(rowGroup: 0, column: 1))
        #expect(d.min == .double(-2.5) && d.max == .double(0.0))
        let s = try #require(reader.statistics(rowGroup: 0, column: 2))
        #expect(s.min == .string("a") && s.max == .string("élan")) // UTF-8 0xC3 sorts after "z"
        let n = try #require(reader.statistics(rowGroup: 0, column: 3))
        #expect(n.nullCount == 2 && n.min == .int32(-1))
    }

    @Test func rowGroupsAreSkippedByStatistics() throws {
        let schema = Schema([.required("t", .int64)])
        var options = WriterOptions()
        options.maxRowGroupBytes = 8000 // 1000 int64 values per group
        let writer = try ParquetWriter(schema: schema, options: options)
        try writer.write(RecordBatch(rowCount: 10_000, columns: [LeafColumn(values: .int64(Array(0 ..< 10_000)))]))
        try writer.close()
        let reader = try ParquetReader(bytes: writer.bytes)
        #expect(reader.rowGroupCount == 10)
        #expect(reader.rowGroups(where: "t", overlaps: .int64(2500), .int64(4100)) == [2, 3, 4])
        #expect(reader.rowGroups(where: "t", overlaps: nil, .int64(10)) == [0])
        #expect(reader.rowGroups(where: "t", overlaps: .int64(20_000), nil) == [])
        let batch = try reader.readRowGroup(3)
        #expect(batch.columns[0].values == .int64(Array(3000 ..< 4000)))
    }

    @Test func dictionaryFallsBackToPlainForDistinctValues() throws {
        let schema = Schema([.required("low", .string), .required("high", .string)])
        var low = ByteArrays(), high = ByteArrays()
        for i in 0 ..< 20_000 { low.append("ep\(i % 3)"); high.append("value-\(i)") }
        let writer = try ParquetWriter(schema: schema)
        try writer.write(RecordBatch(rowCount: 20_000, columns: [LeafColumn(values: .byteArray(low)), LeafColumn(values: .byteArray(high))]))
        try writer.close()
        let reader = try ParquetReader(bytes: writer.bytes)
        let meta = reader.metadata.rowGroups[0].columns
        #expect(meta[0].metaData.encodings.contains(.rleDictionary) && meta[0].metaData.dictionaryPageOffset != nil)
        #expect(!meta[1].metaData.encodings.contains(.rleDictionary) && meta[1].metaData.dictionaryPageOffset == nil)
        let batch = try reader.readRowGroup(0)
        #expect(batch.columns[0].values == .byteArray(low))
        #expect(batch.columns[1].values == .byteArray(high))
    }

    @Test func invalidBatchesAreRejected() throws {
        let schema = Schema([.required("a", .int64), .optional("b", .int32)])
        let writer = try ParquetWriter(schema: schema)
        #expect(throws: ParquetError.self) {
            try writer.write(RecordBatch(rowCount: 2, columns: [LeafColumn(values: .int64([1, 2])), LeafColumn(values: .int64([1]), definitionLevels: [1, 0])]))
        }
        #expect(throws: ParquetError.self) {
            try writer.write(RecordBatch(rowCount: 3, columns: [LeafColumn(values: .int64([1, 2])), LeafColumn(values: .int32([1]), definitionLevels: [1, 0])]))
        }
        #expect(throws: ParquetError.self) { try writer.write(rows: [[.null, .int32(1)]]) }
        #expect(throws: ParquetError.self) { try writer.write(rows: [[.string("x"), .int32(1)]]) }
    }

    @Test func fileOnDiskRoundTripsWithKeyValueMetadata() throws {
        let path = "/tmp/parquet-test-\(UInt64.random(in: 0 ... .max)).parquet"
        defer { unlinkFile(path) }
        var options = WriterOptions()
        options.keyValueMetadata = [KeyValue(key: "origin", value: "test")]
        let writer = try ParquetWriter(path: path, schema: TestData.flatSchema, options: options)
        try writer.write(rows: TestData.rows(50))
        try writer.close()
        let reader = try ParquetReader(path: path)
        #expect(reader.keyValueMetadata["origin"] == "test")
        #expect(try reader.readRows() == TestData.rows(50))
    }
}
