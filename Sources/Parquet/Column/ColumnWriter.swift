/// Writes one leaf column of one row group: statistics, an optional dictionary page and
/// data pages (v1) of about `dataPageBytes` each, split on row boundaries.
struct ColumnWriter {
    let descriptor: ColumnDescriptor
    let options: WriterOptions
    /// Page buffers reused across pages, columns and row groups.
    let buffers: PageBuffers

    func write(_ column: LeafColumn, to sink: ByteSink) throws -> ColumnChunk {
        try write(column, levels: 0 ..< column.levelCount(descriptor), values: 0 ..< column.values.count, to: sink)
    }

    /// Writes the level entries `levels` (whose non-null values are `values`) of `column`:
    /// a row group's slice of a larger batch, without copying it.
    func write(_ column: LeafColumn, levels: Range<Int>, values valueRange: Range<Int>, to sink: ByteSink) throws -> ColumnChunk {
        let d = descriptor
        let levelCount = levels.count
        let nullCount = d.maxDefinitionLevel > 0 ? levelCount - valueRange.count : 0
        let stats = ColumnStatistics.compute(column.values, range: valueRange, nullCount: nullCount)

        let startOffset = sink.position
        var uncompressedTotal: Int64 = 0
        var dictionaryOffset: Int64?
        var encodings: [Encoding] = []
        var scratch = buffers.takeScratch()
        var compressed = buffers.takeCompressed()
        defer { buffers.give(scratch: scratch, compressed: compressed) }
        var header = ThriftCompactWriter()

        func emitPage(_ type: PageType, body: [UInt8], configure: (inout PageHeader) -> Void) throws {
            guard body.count <= Int(Int32.max) else {
                throw ParquetError.invalid("column \(d.dottedPath): a page exceeds 2 GiB; lower dataPageBytes")
            }
            try body.withUnsafeBytes { raw in
                try PageCompression.withCompressed(options.compression, raw, scratch: &compressed) { page in
                    var h = PageHeader(type: type.rawValue, uncompressedPageSize: Int32(body.count),
                                       compressedPageSize: Int32(page.count), crc: PageChecksum.crc(page))
                    configure(&h)
                    header = ThriftCompactWriter()
                    h.encode(to: &header)
                    try sink.write(header.bytes)
                    try sink.write(page)
                    uncompressedTotal += Int64(header.bytes.count + body.count)
                }
            }
        }

        // Dictionary encoding when enabled and the values repeat enough.
        var dictionary: DictionaryBuilder.Result?
        if options.dictionaryEnabled && !options.plainColumns.contains(d.dottedPath) {
            dictionary = DictionaryBuilder.build(column.values, range: valueRange, maxDictionaryBytes: options.maxDictionaryBytes)
        }
        if let dict = dictionary {
            scratch.removeAll(keepingCapacity: true)
            PlainEncoding.append(dict.dictionary, range: 0 ..< dict.dictionary.count, into: &scratch)
            dictionaryOffset = sink.position
            try emitPage(.dictionaryPage, body: scratch) {
                $0.dictionaryPage = .init(numValues: Int32(dict.dictionary.count), encoding: .plain, isSorted: nil)
            }
            encodings = [.plain, .rle, .rleDictionary]
        } else {
            encodings = [.plain, .rle]
        }
        let dataOffset = sink.position

        // Page boundaries.
        let perLevel = Swift.max(1, estimatedBytes(column.values, range: valueRange, dictionary: dictionary) / Swift.max(1, levelCount))
        let levelsPerPage = Swift.min(Swift.max(1, options.dataPageBytes / perLevel), options.maxLevelsPerPage)
        let indexBitWidth = dictionary.map { RLEHybrid.bitWidth($0.dictionary.count - 1) } ?? 0
        var levelStart = levels.lowerBound
        var valueStart = valueRange.lowerBound
        let levelEndAll = levels.upperBound
        let defBits = RLEHybrid.bitWidth(d.maxDefinitionLevel)
        let repBits = RLEHybrid.bitWidth(d.maxRepetitionLevel)
        repeat {
            var levelEnd = Swift.min(levelEndAll, levelStart + levelsPerPage)
            if d.maxRepetitionLevel > 0 {
                while levelEnd < levelEndAll && column.repetitionLevels[levelEnd] != 0 { levelEnd += 1 }
            }
            var valueEnd = valueStart
            if d.maxDefinitionLevel > 0 {
                let maxDef = UInt8(d.maxDefinitionLevel)
                column.definitionLevels.withUnsafeBufferPointer { defs in
                    for i in levelStart ..< levelEnd where defs[i] == maxDef { valueEnd += 1 }
                }
            } else {
                valueEnd += levelEnd - levelStart
            }
            scratch.removeAll(keepingCapacity: true)
            if d.maxRepetitionLevel > 0 {
                column.repetitionLevels.withUnsafeBufferPointer {
                    Self.appendLevels(UnsafeBufferPointer(rebasing: $0[levelStart ..< levelEnd]), bitWidth: repBits, into: &scratch)
                }
            }
            if d.maxDefinitionLevel > 0 {
                column.definitionLevels.withUnsafeBufferPointer {
                    Self.appendLevels(UnsafeBufferPointer(rebasing: $0[levelStart ..< levelEnd]), bitWidth: defBits, into: &scratch)
                }
            }
            if let dict = dictionary {
                scratch.append(UInt8(indexBitWidth))
                dict.indices.withUnsafeBufferPointer {
                    RLEHybrid.encode(UnsafeBufferPointer(rebasing: $0[(valueStart - valueRange.lowerBound) ..< (valueEnd - valueRange.lowerBound)]),
                                     bitWidth: indexBitWidth, into: &scratch)
                }
            } else {
                PlainEncoding.append(column.values, range: valueStart ..< valueEnd, into: &scratch)
            }
            let numValues = Int32(levelEnd - levelStart)
            let encoding: Encoding = dictionary == nil ? .plain : .rleDictionary
            try emitPage(.dataPage, body: scratch) {
                $0.dataPage = .init(numValues: numValues, encoding: encoding, definitionLevelEncoding: .rle,
                                    repetitionLevelEncoding: .rle)
            }
            levelStart = levelEnd
            valueStart = valueEnd
        } while levelStart < levelEndAll

        let meta = ColumnMetaData(type: d.physicalType, encodings: encodings, pathInSchema: d.path, codec: options.compression,
                                  numValues: Int64(levelCount), totalUncompressedSize: uncompressedTotal,
                                  totalCompressedSize: sink.position - startOffset, keyValueMetadata: nil,
                                  dataPageOffset: dataOffset, indexPageOffset: nil, dictionaryPageOffset: dictionaryOffset,
                                  statistics: stats)
        return ColumnChunk(filePath: nil, fileOffset: 0, metaData: meta)
    }

    /// Appends RLE-encoded levels with their 4-byte length prefix (data page v1).
    static func appendLevels(_ levels: UnsafeBufferPointer<UInt8>, bitWidth: Int, into out: inout [UInt8]) {
        let at = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        RLEHybrid.encode(levels, bitWidth: bitWidth, into: &out)
        let length = UInt32(out.count - at - 4)
        out.withUnsafeMutableBytes { $0.storeBytes(of: length.littleEndian, toByteOffset: at, as: UInt32.self) }
    }

    private func estimatedBytes(_ values: ColumnValues, range: Range<Int>, dictionary: DictionaryBuilder.Result?) -> Int {
        let n = range.count
        if let dictionary { return Swift.max(1, n * Swift.max(1, RLEHybrid.bitWidth(dictionary.dictionary.count)) / 8) }
        switch values {
        case .boolean: return n / 8
        case .int32, .float: return n * 4
        case .int64, .double: return n * 8
        case let .byteArray(v): return v.offsets[range.upperBound] - v.offsets[range.lowerBound] + 4 * n
        }
    }
}

/// The encode and compress buffers of a writer, kept between column chunks so each chunk
/// does not allocate (and page-fault) fresh megabyte buffers.
final class PageBuffers {
    private var scratch: [UInt8] = []
    private var compressed: [UInt8] = []

    func takeScratch() -> [UInt8] {
        var s: [UInt8] = []
        swap(&s, &scratch)
        s.removeAll(keepingCapacity: true)
        return s
    }

    func takeCompressed() -> [UInt8] {
        var c: [UInt8] = []
        swap(&c, &compressed)
        return c
    }

    func give(scratch: [UInt8], compressed: [UInt8]) {
        self.scratch = scratch
        self.compressed = compressed
    }
}
