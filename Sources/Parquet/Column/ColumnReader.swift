/// Decodes the pages of one column chunk into a `LeafColumn`: dictionary pages, data pages
/// v1 and v2, PLAIN and dictionary encodings, UNCOMPRESSED and LZ4_RAW.
struct ColumnReader {
    let descriptor: ColumnDescriptor
    let chunk: ColumnMetaData
    let context: String
    /// Whether a page's `crc`, when its header has one, is checked (the fuzz target turns it off to reach
    /// the decoders behind it with mutated pages).
    var verifiesChecksums = true

    /// Upper bound on level entries of one page, whatever its header says: pages of real
    /// writers hold far fewer, and the bound keeps a forged count from a huge allocation.
    static func maxPageValues(uncompressedSize: Int) -> Int { (1 << 22) + uncompressedSize * 8 }

    func read(file: UnsafeRawBufferPointer, limit: Int) throws -> LeafColumn {
        let d = descriptor
        try PageCompression.check(chunk.codec, context: context)
        var start = chunk.dataPageOffset
        if let dict = chunk.dictionaryPageOffset, dict > 0, dict < start { start = dict }
        let length = chunk.totalCompressedSize
        guard start >= 4, length >= 0, start <= Int64(limit), length <= Int64(limit) - start else {
            throw ParquetError.corrupt("\(context): chunk at offset \(start) of \(length) bytes lies outside the file's \(limit) data bytes")
        }
        guard chunk.numValues >= 0 else { throw ParquetError.corrupt("\(context): negative num_values \(chunk.numValues)") }
        guard d.physicalType == chunk.type else {
            throw ParquetError.corrupt("\(context): chunk type \(chunk.type) differs from the schema's \(d.physicalType)")
        }
        let expected = Int(chunk.numValues)
        // Decoded levels can outgrow the input (RLE runs, zero-width dictionary indices), so
        // the chunk's total is capped relative to the file: a forged count cannot make a
        // small file allocate without bound.
        guard expected <= Swift.max(1 << 24, limit * 64) else {
            throw ParquetError.corrupt("\(context): \(expected) values is implausible for a file of \(limit) bytes")
        }
        var cursor = ParquetCursor(file, start: Int(start), end: Int(start + length), context: context)
        var defs: [UInt8] = []
        var reps: [UInt8] = []
        var values = try ColumnValues.empty(d.physicalType)
        var dictionary: ColumnValues?
        var levelsRead = 0
        var scratch: [UInt8] = []
        // Size the outputs from the footer once, capped by what the chunk's bytes can expand to.
        let levelHint = Swift.min(expected, Int(length) * 16 + 4096)
        let expandable = Int(length) * 4 + 4096
        if d.maxDefinitionLevel > 0 { defs.reserveCapacity(levelHint) }
        if d.maxRepetitionLevel > 0 { reps.reserveCapacity(levelHint) }
        values.reserve(values: levelHint, bytes: Swift.min(Int(Swift.max(0, chunk.totalUncompressedSize)), expandable))
        while levelsRead < expected {
            guard !cursor.isAtEnd else {
                throw ParquetError.corrupt("\(context): chunk ends after \(levelsRead) of \(expected) values")
            }
            var thrift = ThriftCompactReader(cursor)
            let header = try PageHeader(from: &thrift)
            cursor = thrift.cursor
            let body = try cursor.readBytes(Int(header.compressedPageSize))
            if verifiesChecksums, let crc = header.crc, crc != PageChecksum.crc(body) {
                let offset = cursor.position - body.count
                throw ParquetError.corrupt(
                    "\(context): the page of \(body.count) bytes at byte \(offset) fails its checksum (CRC-32 "
                        + "\(UInt32(bitPattern: PageChecksum.crc(body))), the header says \(UInt32(bitPattern: crc))): its bytes changed after it was written")
            }
            switch PageType(rawValue: header.type) {
            case .dictionaryPage?:
                guard let dp = header.dictionaryPage else { throw ParquetError.corrupt("\(context): dictionary page without its header") }
                guard dp.encoding == .plain || dp.encoding == .plainDictionary else {
                    throw ParquetError.unsupported("\(context): dictionary page encoding \(dp.encoding)")
                }
                guard dp.numValues >= 0 else { throw ParquetError.corrupt("\(context): negative dictionary size") }
                var dict = try ColumnValues.empty(d.physicalType)
                try PageCompression.withDecompressed(chunk.codec, body, uncompressedSize: Int(header.uncompressedPageSize),
                                                     scratch: &scratch, context: context) { buf in
                    var c = ParquetCursor(buf, context: context + " dictionary page")
                    try PlainEncoding.decode(&c, type: d.physicalType, typeLength: d.typeLength, count: Int(dp.numValues), into: &dict)
                }
                dictionary = dict
            case .dataPage?:
                guard let dp = header.dataPage else { throw ParquetError.corrupt("\(context): data page without its header") }
                let n = Int(dp.numValues)
                try checkCount(n, header: header, read: levelsRead, expected: expected)
                try PageCompression.withDecompressed(chunk.codec, body, uncompressedSize: Int(header.uncompressedPageSize),
                                                     scratch: &scratch, context: context) { buf in
                    var c = ParquetCursor(buf, context: context + " data page")
                    if d.maxRepetitionLevel > 0 {
                        try Self.readLevelsV1(&c, encoding: dp.repetitionLevelEncoding, count: n, max: d.maxRepetitionLevel, into: &reps)
                    }
                    let nonNull: Int
                    if d.maxDefinitionLevel > 0 {
                        let before = defs.count
                        try Self.readLevelsV1(&c, encoding: dp.definitionLevelEncoding, count: n, max: d.maxDefinitionLevel, into: &defs)
                        nonNull = Self.count(defs[before...], equalTo: UInt8(d.maxDefinitionLevel))
                    } else {
                        nonNull = n
                    }
                    try decodeValues(&c, encoding: dp.encoding, count: nonNull, dictionary: dictionary, into: &values)
                }
                levelsRead += n
            case .dataPageV2?:
                guard let dp = header.dataPageV2 else { throw ParquetError.corrupt("\(context): data page v2 without its header") }
                let n = Int(dp.numValues)
                try checkCount(n, header: header, read: levelsRead, expected: expected)
                let repLen = Int(dp.repetitionLevelsByteLength), defLen = Int(dp.definitionLevelsByteLength)
                guard repLen + defLen <= body.count, repLen + defLen <= Int(header.uncompressedPageSize) else {
                    throw ParquetError.corrupt("\(context): v2 level sections (\(repLen) + \(defLen) bytes) exceed the page")
                }
                var levels = ParquetCursor(body, context: context + " data page v2 levels")
                if d.maxRepetitionLevel > 0 {
                    var rc = ParquetCursor(try levels.readBytes(repLen), context: context + " repetition levels")
                    try RLEHybrid.decode(&rc, bitWidth: RLEHybrid.bitWidth(d.maxRepetitionLevel), count: n,
                                         max: d.maxRepetitionLevel, into: &reps)
                } else {
                    try levels.skip(repLen)
                }
                let nonNull: Int
                if d.maxDefinitionLevel > 0 {
                    var dc = ParquetCursor(try levels.readBytes(defLen), context: context + " definition levels")
                    let before = defs.count
                    try RLEHybrid.decode(&dc, bitWidth: RLEHybrid.bitWidth(d.maxDefinitionLevel), count: n,
                                         max: d.maxDefinitionLevel, into: &defs)
                    nonNull = Self.count(defs[before...], equalTo: UInt8(d.maxDefinitionLevel))
                } else {
                    try levels.skip(defLen)
                    nonNull = n
                }
                let rest = UnsafeRawBufferPointer(rebasing: body[(repLen + defLen)...])
                let valuesSize = Int(header.uncompressedPageSize) - repLen - defLen
                try PageCompression.withDecompressed(dp.isCompressed ? chunk.codec : .uncompressed, rest, uncompressedSize: valuesSize,
                                                     scratch: &scratch, context: context) { buf in
                    var c = ParquetCursor(buf, context: context + " data page v2 values")
                    try decodeValues(&c, encoding: dp.encoding, count: nonNull, dictionary: dictionary, into: &values)
                }
                levelsRead += n
            default:
                continue // index pages and unknown page types carry no values
            }
        }
        return LeafColumn(values: values, definitionLevels: defs, repetitionLevels: reps)
    }

    private func checkCount(_ n: Int, header: PageHeader, read: Int, expected: Int) throws {
        guard n >= 0, n <= expected - read else {
            throw ParquetError.corrupt("\(context): page holds \(n) values but only \(expected - read) of the chunk's \(expected) remain")
        }
        guard n <= Self.maxPageValues(uncompressedSize: Int(header.uncompressedPageSize)) else {
            throw ParquetError.corrupt("\(context): page declares \(n) values for \(header.uncompressedPageSize) bytes")
        }
    }

    static func count(_ levels: ArraySlice<UInt8>, equalTo value: UInt8) -> Int {
        levels.withUnsafeBufferPointer { p in
            var n = 0
            for x in p where x == value { n += 1 }
            return n
        }
    }

    static func readLevelsV1(_ c: inout ParquetCursor, encoding: Encoding, count: Int, max: Int, into out: inout [UInt8]) throws {
        let width = RLEHybrid.bitWidth(max)
        switch encoding {
        case .rle:
            let length = Int(try c.readLittleEndian(UInt32.self))
            var lc = ParquetCursor(try c.readBytes(length), context: c.context + " levels")
            try RLEHybrid.decode(&lc, bitWidth: width, count: count, max: max, into: &out)
        case .bitPacked:
            // Deprecated MSB-first packing.
            let bytes = (count * width + 7) / 8
            let slice = try c.readBytes(bytes)
            out.reserveAdditional(count)
            for i in 0 ..< count {
                var v = 0
                for b in 0 ..< width {
                    let bit = i * width + b
                    let set = slice[bit >> 3] & (0x80 >> UInt8(bit & 7)) != 0
                    v = v << 1 | (set ? 1 : 0)
                }
                guard v <= max else { throw ParquetError.corrupt("\(c.context): level \(v) exceeds \(max)") }
                out.append(UInt8(v))
            }
        default:
            throw ParquetError.unsupported("\(c.context): level encoding \(encoding)")
        }
    }

    private func decodeValues(_ c: inout ParquetCursor, encoding: Encoding, count: Int, dictionary: ColumnValues?,
                              into values: inout ColumnValues) throws {
        switch encoding {
        case .plain:
            try PlainEncoding.decode(&c, type: descriptor.physicalType, typeLength: descriptor.typeLength, count: count, into: &values)
        case .rleDictionary, .plainDictionary:
            guard let dictionary else { throw ParquetError.corrupt("\(context): dictionary-encoded page before any dictionary page") }
            if count == 0 { return }
            let width = Int(try c.readByte())
            guard dictionary.count > 0 else { throw ParquetError.corrupt("\(context): indices into an empty dictionary") }
            var indices: [UInt32] = []
            try RLEHybrid.decode(&c, bitWidth: width, count: count, maxValue: dictionary.count - 1, into: &indices)
            DictionaryGather.gather(dictionary, indices, into: &values)
        case .rle where descriptor.physicalType == .boolean:
            let length = Int(try c.readLittleEndian(UInt32.self))
            var bc = ParquetCursor(try c.readBytes(length), context: c.context + " booleans")
            var bits: [UInt8] = []
            try RLEHybrid.decode(&bc, bitWidth: 1, count: count, max: 1, into: &bits)
            if case var .boolean(v) = values {
                values = .int32([])
                v.append(contentsOf: bits.lazy.map { $0 != 0 })
                values = .boolean(v)
            }
        default:
            throw ParquetError.unsupported("\(context): value encoding \(encoding); this library reads PLAIN and dictionary encodings (write with use_dictionary and without column_encoding)")
        }
    }
}

extension RLEHybrid {
    static func decode(_ cursor: inout ParquetCursor, bitWidth: Int, count: Int, max: Int, into out: inout [UInt8]) throws {
        try decode(&cursor, bitWidth: bitWidth, count: count, maxValue: max, into: &out)
    }
}
