/// A key/value pair of file or column metadata.
public struct KeyValue: Sendable, Hashable {
    public var key: String
    public var value: String?
    public init(key: String, value: String?) { self.key = key; self.value = value }
}

/// The metadata of one column chunk: where its pages are and what they hold.
public struct ColumnMetaData: Sendable, Hashable {
    public var type: PhysicalType
    public var encodings: [Encoding]
    public var pathInSchema: [String]
    public var codec: CompressionCodec
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var keyValueMetadata: [KeyValue]?
    public var dataPageOffset: Int64
    public var indexPageOffset: Int64?
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?
}

/// One column of one row group.
public struct ColumnChunk: Sendable, Hashable {
    public var filePath: String?
    public var fileOffset: Int64
    public var metaData: ColumnMetaData
}

/// A horizontal slice of the file: one column chunk per leaf column.
public struct RowGroup: Sendable, Hashable {
    public var columns: [ColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?
}

/// The footer of a Parquet file.
public struct FileMetaData: Sendable, Hashable {
    public var version: Int32
    public var schema: [SchemaElement]
    public var numRows: Int64
    public var rowGroups: [RowGroup]
    public var keyValueMetadata: [KeyValue]?
    public var createdBy: String?
    /// Number of leaf columns that declare TYPE_ORDER in `column_orders` (0 when absent).
    public var typeDefinedOrderCount: Int
}

extension KeyValue {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        w.string(1, key)
        if let value { w.string(2, value) }
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var key: String?, value: String?
        try r.readStruct { r, f in
            switch f.id {
            case 1: try r.expect(f, .binary, name: "KeyValue.key"); key = try r.readString()
            case 2: try r.expect(f, .binary, name: "KeyValue.value"); value = try r.readString()
            default: try r.skip(f.type)
            }
        }
        guard let key else { throw ParquetError.corrupt("key/value metadata entry without a key") }
        self.init(key: key, value: value)
    }
}

extension ColumnMetaData {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        w.i32(1, type.rawValue)
        w.listBegin(2, .i32, count: encodings.count)
        for e in encodings { w.writeZigZag(Int64(e.rawValue)) }
        w.listBegin(3, .binary, count: pathInSchema.count)
        for p in pathInSchema { w.writeBinaryValue(Array(p.utf8)) }
        w.i32(4, codec.rawValue)
        w.i64(5, numValues)
        w.i64(6, totalUncompressedSize)
        w.i64(7, totalCompressedSize)
        if let kv = keyValueMetadata {
            w.listBegin(8, .struct, count: kv.count)
            for e in kv { e.encode(to: &w) }
        }
        w.i64(9, dataPageOffset)
        if let indexPageOffset { w.i64(10, indexPageOffset) }
        if let dictionaryPageOffset { w.i64(11, dictionaryPageOffset) }
        if let statistics {
            w.fieldBegin(12, .struct)
            statistics.encode(to: &w)
        }
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var type: PhysicalType?, encodings: [Encoding] = [], path: [String]?, codec: CompressionCodec?
        var numValues: Int64?, unc: Int64?, comp: Int64?, kv: [KeyValue]?, dataOffset: Int64?
        var indexOffset: Int64?, dictOffset: Int64?, stats: Statistics?
        try r.readStruct { r, f in
            switch f.id {
            case 1:
                let raw = try r.readI32()
                guard let t = PhysicalType(rawValue: raw) else { throw ParquetError.corrupt("column chunk has unknown physical type \(raw)") }
                type = t
            case 2: encodings = try r.readList(f, name: "encodings", element: .i32) { Encoding(rawValue: try $0.readI32()) }
            case 3: path = try r.readList(f, name: "path_in_schema", element: .binary) { try $0.readString() }
            case 4: codec = CompressionCodec(rawValue: try r.readI32())
            case 5: numValues = try r.readI64()
            case 6: unc = try r.readI64()
            case 7: comp = try r.readI64()
            case 8: kv = try r.readList(f, name: "key_value_metadata", element: .struct) { try KeyValue(from: &$0) }
            case 9: dataOffset = try r.readI64()
            case 10: indexOffset = try r.readI64()
            case 11: dictOffset = try r.readI64()
            case 12: try r.expect(f, .struct, name: "statistics"); stats = try Statistics(from: &r)
            default: try r.skip(f.type)
            }
        }
        guard let type, let path, let codec, let numValues, let unc, let comp, let dataOffset else {
            throw ParquetError.corrupt("column metadata lacks a required field (type, path, codec, sizes or data page offset)")
        }
        self.init(type: type, encodings: encodings, pathInSchema: path, codec: codec, numValues: numValues,
                  totalUncompressedSize: unc, totalCompressedSize: comp, keyValueMetadata: kv,
                  dataPageOffset: dataOffset, indexPageOffset: indexOffset, dictionaryPageOffset: dictOffset,
                  statistics: stats)
    }
}

extension ColumnChunk {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        if let filePath { w.string(1, filePath) }
        w.i64(2, fileOffset)
        w.fieldBegin(3, .struct)
        metaData.encode(to: &w)
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var filePath: String?, fileOffset: Int64 = 0, meta: ColumnMetaData?
        try r.readStruct { r, f in
            switch f.id {
            case 1: try r.expect(f, .binary, name: "file_path"); filePath = try r.readString()
            case 2: fileOffset = try r.readI64()
            case 3: try r.expect(f, .struct, name: "meta_data"); meta = try ColumnMetaData(from: &r)
            default: try r.skip(f.type)
            }
        }
        guard let meta else { throw ParquetError.unsupported("column chunk without inline meta_data (encrypted or external)") }
        self.init(filePath: filePath, fileOffset: fileOffset, metaData: meta)
    }
}

extension RowGroup {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        w.listBegin(1, .struct, count: columns.count)
        for c in columns { c.encode(to: &w) }
        w.i64(2, totalByteSize)
        w.i64(3, numRows)
        if let fileOffset { w.i64(5, fileOffset) }
        if let totalCompressedSize { w.i64(6, totalCompressedSize) }
        if let ordinal { w.fieldBegin(7, .i16); w.writeZigZag(Int64(ordinal)) }
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var columns: [ColumnChunk]?, total: Int64?, rows: Int64?, offset: Int64?, comp: Int64?, ordinal: Int16?
        try r.readStruct { r, f in
            switch f.id {
            case 1: columns = try r.readList(f, name: "columns", element: .struct) { try ColumnChunk(from: &$0) }
            case 2: total = try r.readI64()
            case 3: rows = try r.readI64()
            case 5: offset = try r.readI64()
            case 6: comp = try r.readI64()
            case 7: ordinal = Int16(truncatingIfNeeded: try r.readI64())
            default: try r.skip(f.type)
            }
        }
        guard let columns, let total, let rows, rows >= 0 else {
            throw ParquetError.corrupt("row group lacks columns, total_byte_size or num_rows")
        }
        self.init(columns: columns, totalByteSize: total, numRows: rows, fileOffset: offset,
                  totalCompressedSize: comp, ordinal: ordinal)
    }
}

extension FileMetaData {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        w.i32(1, version)
        w.listBegin(2, .struct, count: schema.count)
        for e in schema { e.encode(to: &w) }
        w.i64(3, numRows)
        w.listBegin(4, .struct, count: rowGroups.count)
        for g in rowGroups { g.encode(to: &w) }
        if let kv = keyValueMetadata, !kv.isEmpty {
            w.listBegin(5, .struct, count: kv.count)
            for e in kv { e.encode(to: &w) }
        }
        if let createdBy { w.string(6, createdBy) }
        if typeDefinedOrderCount > 0 {
            w.listBegin(7, .struct, count: typeDefinedOrderCount)
            for _ in 0 ..< typeDefinedOrderCount {
                w.structBegin()
                w.emptyStructField(1)
                w.structEnd()
            }
        }
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var version: Int32 = 1, schema: [SchemaElement]?, rows: Int64?, groups: [RowGroup]?
        var kv: [KeyValue]?, createdBy: String?, orders = 0
        try r.readStruct { r, f in
            switch f.id {
            case 1: version = try r.readI32()
            case 2: schema = try r.readList(f, name: "schema", element: .struct) { try SchemaElement(from: &$0) }
            case 3: rows = try r.readI64()
            case 4: groups = try r.readList(f, name: "row_groups", element: .struct) { try RowGroup(from: &$0) }
            case 5: kv = try r.readList(f, name: "key_value_metadata", element: .struct) { try KeyValue(from: &$0) }
            case 6: try r.expect(f, .binary, name: "created_by"); createdBy = try r.readString()
            case 7:
                let list = try r.readList(f, name: "column_orders", element: .struct) { r -> Bool in
                    var typeOrder = false
                    try r.readStruct { r, g in
                        if g.id == 1 { typeOrder = true }
                        try r.skip(g.type)
                    }
                    return typeOrder
                }
                orders = list.filter { $0 }.count
            default: try r.skip(f.type)
            }
        }
        guard let schema, let rows, let groups else {
            throw ParquetError.corrupt("file metadata lacks its schema, num_rows or row_groups")
        }
        self.init(version: version, schema: schema, numRows: rows, rowGroups: groups, keyValueMetadata: kv,
                  createdBy: createdBy, typeDefinedOrderCount: orders)
    }
}
