/// The header in front of every page of a column chunk.
struct PageHeader {
    struct DataPage {
        var numValues: Int32
        var encoding: Encoding
        var definitionLevelEncoding: Encoding
        var repetitionLevelEncoding: Encoding
    }

    struct DictionaryPage {
        var numValues: Int32
        var encoding: Encoding
        var isSorted: Bool?
    }

    struct DataPageV2 {
        var numValues: Int32
        var numNulls: Int32
        var numRows: Int32
        var encoding: Encoding
        var definitionLevelsByteLength: Int32
        var repetitionLevelsByteLength: Int32
        var isCompressed: Bool = true
    }

    var type: Int32
    var uncompressedPageSize: Int32
    var compressedPageSize: Int32
    var crc: Int32?
    var dataPage: DataPage?
    var dictionaryPage: DictionaryPage?
    var dataPageV2: DataPageV2?
}

extension PageHeader {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        w.i32(1, type)
        w.i32(2, uncompressedPageSize)
        w.i32(3, compressedPageSize)
        if let crc { w.i32(4, crc) }
        if let d = dataPage {
            w.structField(5)
            w.i32(1, d.numValues)
            w.i32(2, d.encoding.rawValue)
            w.i32(3, d.definitionLevelEncoding.rawValue)
            w.i32(4, d.repetitionLevelEncoding.rawValue)
            w.structEnd()
        }
        if let d = dictionaryPage {
            w.structField(7)
            w.i32(1, d.numValues)
            w.i32(2, d.encoding.rawValue)
            if let s = d.isSorted { w.bool(3, s) }
            w.structEnd()
        }
        if let d = dataPageV2 {
            w.structField(8)
            w.i32(1, d.numValues)
            w.i32(2, d.numNulls)
            w.i32(3, d.numRows)
            w.i32(4, d.encoding.rawValue)
            w.i32(5, d.definitionLevelsByteLength)
            w.i32(6, d.repetitionLevelsByteLength)
            w.bool(7, d.isCompressed)
            w.structEnd()
        }
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var type: Int32?, uncompressed: Int32?, compressed: Int32?, crc: Int32?
        var dataPage: DataPage?, dictionaryPage: DictionaryPage?, dataPageV2: DataPageV2?
        try r.readStruct { r, f in
            switch f.id {
            case 1: type = try r.readI32()
            case 2: uncompressed = try r.readI32()
            case 3: compressed = try r.readI32()
            case 4: crc = try r.readI32()
            case 5:
                try r.expect(f, .struct, name: "PageHeader.data_page_header")
                var n: Int32?, e: Int32?, dl: Int32 = 3, rl: Int32 = 3
                try r.readStruct { r, g in
                    switch g.id {
                    case 1: n = try r.readI32()
                    case 2: e = try r.readI32()
                    case 3: dl = try r.readI32()
                    case 4: rl = try r.readI32()
                    default: try r.skip(g.type)
                    }
                }
                guard let n, let e else { throw ParquetError.corrupt("data page header lacks num_values or encoding") }
                dataPage = DataPage(numValues: n, encoding: Encoding(rawValue: e),
                                    definitionLevelEncoding: Encoding(rawValue: dl),
                                    repetitionLevelEncoding: Encoding(rawValue: rl))
            case 7:
                try r.expect(f, .struct, name: "PageHeader.dictionary_page_header")
                var n: Int32?, e: Int32 = 0, sorted: Bool?
                try r.readStruct { r, g in
                    switch g.id {
                    case 1: n = try r.readI32()
                    case 2: e = try r.readI32()
                    case 3: sorted = g.boolValue
                    default: try r.skip(g.type)
                    }
                }
                guard let n else { throw ParquetError.corrupt("dictionary page header lacks num_values") }
                dictionaryPage = DictionaryPage(numValues: n, encoding: Encoding(rawValue: e), isSorted: sorted)
            case 8:
                try r.expect(f, .struct, name: "PageHeader.data_page_header_v2")
                var v = DataPageV2(numValues: -1, numNulls: -1, numRows: -1, encoding: .plain,
                                   definitionLevelsByteLength: -1, repetitionLevelsByteLength: -1)
                try r.readStruct { r, g in
                    switch g.id {
                    case 1: v.numValues = try r.readI32()
                    case 2: v.numNulls = try r.readI32()
                    case 3: v.numRows = try r.readI32()
                    case 4: v.encoding = Encoding(rawValue: try r.readI32())
                    case 5: v.definitionLevelsByteLength = try r.readI32()
                    case 6: v.repetitionLevelsByteLength = try r.readI32()
                    case 7: v.isCompressed = g.boolValue
                    default: try r.skip(g.type)
                    }
                }
                if v.numValues < 0 || v.numNulls < 0 || v.definitionLevelsByteLength < 0 || v.repetitionLevelsByteLength < 0 {
                    throw ParquetError.corrupt("data page v2 header has missing or negative sizes")
                }
                dataPageV2 = v
            default: try r.skip(f.type)
            }
        }
        guard let type, let uncompressed, let compressed, uncompressed >= 0, compressed >= 0 else {
            throw ParquetError.corrupt("page header lacks its type or sizes, or has negative sizes")
        }
        self.init(type: type, uncompressedPageSize: uncompressed, compressedPageSize: compressed, crc: crc,
                  dataPage: dataPage, dictionaryPage: dictionaryPage, dataPageV2: dataPageV2)
    }
}
