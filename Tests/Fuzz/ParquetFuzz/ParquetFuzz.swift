// libFuzzer target for the Parquet footer and page decoders. Built by `tools/fuzz parquet SECONDS`,
// which compiles this file together with Sources/Parquet into one module, so the page
// decoder is reachable directly.
//
// Input starting with "PAR1": a whole file (footer, schema, every row group, row assembly).
// Otherwise: byte 0 picks a column shape (low bits) and codec (0x80 LZ4_RAW, 0x40 SNAPPY),
// the rest is a column chunk's pages.

@_cdecl("LLVMFuzzerTestOneInput")
public func parquetFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.count >= 4 && bytes[0 ..< 4].elementsEqual("PAR1".utf8) {
        fuzzFile(bytes)
    } else if let mode = bytes.first {
        fuzzChunk(mode: mode, Array(bytes.dropFirst()))
    }
    return 0
}

private func fuzzFile(_ bytes: [UInt8]) {
    guard let reader = try? ParquetReader(bytes: bytes) else { return }
    _ = try? reader.readRows()
    for g in 0 ..< min(reader.rowGroupCount, 8) {
        _ = try? reader.readRowGroup(g)
        for c in 0 ..< reader.columns.count { _ = reader.statistics(rowGroup: g, column: c) }
    }
}

private let shapes: [Schema] = [
    Schema([.optional("s", .string)]),
    Schema([.required("i", .int64)]),
    Schema([.optional("h", .list(.optional("element", .int64)))]),
    Schema([.optional("m", .map(key: .required("key", .string), value: .optional("value", .string)))]),
    Schema([.optional("b", .boolean)]),
    Schema([.optional("d", .double)]),
]

private func fuzzChunk(mode: UInt8, _ body: [UInt8]) {
    let schema = shapes[Int(mode) % shapes.count]
    guard let tree = try? SchemaTree(schema) else { return }
    let codec: CompressionCodec = mode & 0x80 != 0 ? .lz4Raw : (mode & 0x40 != 0 ? .snappy : .uncompressed)
    let file = Array("PAR1".utf8) + body
    var valueCount: Int64 = 0
    for b in body.prefix(2) { valueCount = valueCount << 8 | Int64(b) }
    for (leaf, d) in tree.columns.enumerated() {
        let meta = ColumnMetaData(type: d.physicalType, encodings: [], pathInSchema: d.path, codec: codec,
                                  numValues: valueCount, totalUncompressedSize: Int64(body.count),
                                  totalCompressedSize: Int64(body.count), keyValueMetadata: nil, dataPageOffset: 4,
                                  indexPageOffset: nil, dictionaryPageOffset: nil, statistics: nil)
        // Page checksums off: a mutated page would mostly stop at its crc, short of the decoders.
        let reader = ColumnReader(descriptor: d, chunk: meta, context: "fuzz", verifiesChecksums: false)
        let column = file.withUnsafeBytes { try? reader.read(file: $0, limit: file.count) }
        if let column, leaf == 0, tree.columns.count == 1 {
            let rows = ColumnReader.count(column.repetitionLevels[...], equalTo: 0)
            var assembler = RowAssembler(tree: tree, leaves: [0], batch: RecordBatch(rowCount: d.maxRepetitionLevel > 0 ? rows : column.definitionLevels.count, columns: [column]))
            _ = try? assembler.rows(fields: schema.fields.map(\.name))
        }
    }
}
