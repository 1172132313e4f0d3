import Testing
@testable import Parquet

@Suite struct ThriftCompactTests {
    @Test func shortFieldHeadersUseDeltaIdsAndLongOnesZigZag() {
        var w = ThriftCompactWriter()
        w.structBegin()
        w.i32(1, 3)        // delta 1, type i32 (5) -> 0x15, zigzag(3) = 6
        w.i64(20, -1)      // delta 19 > 15 -> type byte 0x06, zigzag(20) = 40, zigzag(-1) = 1
        w.bool(21, true)   // delta 1, BOOLEAN_TRUE -> 0x11
        w.structEnd()
        #expect(w.bytes == [0x15, 0x06, 0x06, 40, 0x01, 0x11, 0x00])
    }

    @Test func fileMetaDataRoundTrips() throws {
        let schema = Schema([.required("a", .int64), .optional("s", .string), .optional("t", .timestampMicros),
                             .optional("l", .list(.optional("element", .int64)))])
        let tree = try SchemaTree(schema)
        let stats = Statistics(minValue: [1, 2], maxValue: [3], nullCount: 7)
        let meta = ColumnMetaData(type: .int64, encodings: [.plain, .rle, .rleDictionary], pathInSchema: ["a"], codec: .lz4Raw,
                                  numValues: 10, totalUncompressedSize: 100, totalCompressedSize: 80, keyValueMetadata: nil,
                                  dataPageOffset: 4, indexPageOffset: nil, dictionaryPageOffset: nil, statistics: stats)
        let original = FileMetaData(version: 1, schema: tree.elements, numRows: 10,
                                    rowGroups: [RowGroup(columns: Array(repeating: ColumnChunk(filePath: nil, fileOffset: 0, metaData: meta), count: 4),
                                                         totalByteSize: 100, numRows: 10, fileOffset: 4, totalCompressedSize: 80, ordinal: 0)],
                                    keyValueMetadata: [KeyValue(key: "k", value: "v"), KeyValue(key: "n", value: nil)],
                                    createdBy: "test", typeDefinedOrderCount: 4)
        var w = ThriftCompactWriter()
        original.encode(to: &w)
        let decoded = try w.bytes.withUnsafeBytes { buf in
            var r = ThriftCompactReader(ParquetCursor(buf, context: "test"))
            return try FileMetaData(from: &r)
        }
        #expect(decoded == original)
        #expect(decoded.schema[3].logicalType == .timestamp(isAdjustedToUTC: true, unit: .micros))
        #expect(decoded.schema[3].convertedType == .timestampMicros)
    }

    @Test func unknownFieldsAreSkipped() throws {
        var w = ThriftCompactWriter()
        w.structBegin()
        w.string(4, "name")
        w.listBegin(30, .i64, count: 3)
        for v: Int64 in [1, -2, 300] { w.writeZigZag(v) }
        w.structField(31); w.string(1, "nested"); w.structEnd()
        w.structEnd()
        let element = try w.bytes.withUnsafeBytes { buf in
            var r = ThriftCompactReader(ParquetCursor(buf, context: "test"))
            return try SchemaElement(from: &r)
        }
        #expect(element.name == "name")
    }

    @Test func forgedListLengthIsRejectedBeforeAllocating() {
        // list field 2 of FileMetaData claiming 2^31 structs in a 10-byte buffer
        let bytes: [UInt8] = [0x29, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0, 0, 0]
        #expect(throws: ParquetError.self) {
            try bytes.withUnsafeBytes { buf in
                var r = ThriftCompactReader(ParquetCursor(buf, context: "test"))
                _ = try FileMetaData(from: &r)
            }
        }
    }

    @Test func deepNestingIsRejected() {
        // 200 nested struct fields
        let bytes = Array(repeating: UInt8(0x1C), count: 200) + Array(repeating: 0, count: 201)
        #expect(throws: ParquetError.self) {
            try bytes.withUnsafeBytes { buf in
                var r = ThriftCompactReader(ParquetCursor(buf, context: "test"))
                try r.skip(.struct)
            }
        }
    }
}
