import DriftlineCore

/// Writes a Parquet file: one or more row groups, then the footer.
///
/// ```swift
/// let writer = try ParquetWriter(path: "/tmp/t.parquet", schema: schema)
/// try writer.write(RecordBatch(rowCount: 2, columns: [
///     try LeafColumn(field: schema.fields[0], values: .byteArray(ByteArrays(strings: ["a", "b"]))),
/// ]))
/// try writer.close()
/// ```
/// A batch larger than `options.maxRowGroupBytes` is split into several row groups.
public final class ParquetWriter {
    public let schema: Schema
    /// The leaf columns, in the order `RecordBatch.columns` must follow.
    public let columns: [ColumnDescriptor]
    public let options: WriterOptions
    private let tree: SchemaTree
    private let sink: ByteSink
    private var rowGroups: [RowGroup] = []
    private var rowCount: Int64 = 0
    private var closed = false
    private var memoryBytes: [UInt8] = []
    private let buffers = PageBuffers()

    /// Creates (truncates) the file at `path`.
    public init(path: String, schema: Schema, options: WriterOptions = WriterOptions()) throws {
        self.schema = schema
        self.options = options
        tree = try SchemaTree(schema)
        columns = tree.columns
        sink = try ByteSink(path: path)
        try sink.write(Self.magic)
    }

    /// Writes into memory; read the file with `close()` then `bytes`.
    public init(schema: Schema, options: WriterOptions = WriterOptions()) throws {
        self.schema = schema
        self.options = options
        tree = try SchemaTree(schema)
        columns = tree.columns
        sink = ByteSink()
        try sink.write(Self.magic)
    }

    static let magic: [UInt8] = Array("PAR1".utf8)

    /// The whole file, for a writer created without a path, once closed.
    public var bytes: [UInt8] { memoryBytes }

    /// Writes `batch` as one or more row groups.
    public func write(_ batch: RecordBatch) throws {
        guard !closed else { throw ParquetError.invalid("write after close") }
        try validate(batch)
        if batch.rowCount == 0 { return }
        let estimate = batch.columns.reduce(0) { $0 + $1.estimatedBytes }
        let groups = Swift.max(1, Swift.min(batch.rowCount, (estimate + options.maxRowGroupBytes - 1) / options.maxRowGroupBytes))
        let per = (batch.rowCount + groups - 1) / groups
        let rowBounds = Array(stride(from: 0, to: batch.rowCount, by: per)) + [batch.rowCount]
        // Level and value index of every row-group boundary, per leaf: row groups are written
        // from ranges of the batch, never from copies.
        let bounds = batch.columns.enumerated().map { i, c in c.boundaries(columns[i], rows: rowBounds) }
        for g in 0 ..< rowBounds.count - 1 {
            let spans = bounds.map { b in (levels: b[g].level ..< b[g + 1].level, values: b[g].value ..< b[g + 1].value) }
            try writeRowGroup(batch, rows: rowBounds[g + 1] - rowBounds[g], spans: spans)
        }
    }

    /// Writes rows given as values (one `ParquetValue` per top-level field); convenient for small nested data.
    public func write(rows: [[ParquetValue]]) throws {
        try write(RecordBatch(schema: schema, rows: rows))
    }

    /// Row groups estimated at least this large encode their columns in parallel.
    static let parallelThresholdBytes = 4 << 20

    private func writeRowGroup(_ batch: RecordBatch, rows: Int, spans: [(levels: Range<Int>, values: Range<Int>)]) throws {
        let start = sink.position
        var chunks: [ColumnChunk] = []
        var total: Int64 = 0
        let estimate = batch.columns.reduce(0) { $0 + $1.estimatedBytes } / Swift.max(1, batch.rowCount) * rows
        if options.parallelEncoding && batch.columns.count > 1 && estimate >= Self.parallelThresholdBytes {
            let descriptors = columns, options = options
            let encoded = try Parallel.map(batch.columns.count) { i -> (ColumnChunk, [UInt8]) in
                let memory = ByteSink()
                let chunk = try ColumnWriter(descriptor: descriptors[i], options: options, buffers: PageBuffers())
                    .write(batch.columns[i], levels: spans[i].levels, values: spans[i].values, to: memory)
                return (chunk, try memory.finish(sync: false))
            }
            for (chunk, bytes) in encoded {
                var c = chunk
                let base = sink.position
                c.metaData.dataPageOffset += base
                c.metaData.dictionaryPageOffset = c.metaData.dictionaryPageOffset.map { $0 + base }
                try sink.write(bytes)
                total += c.metaData.totalUncompressedSize
                chunks.append(c)
            }
        } else {
            for (i, column) in batch.columns.enumerated() {
                let chunk = try ColumnWriter(descriptor: columns[i], options: options, buffers: buffers)
                    .write(column, levels: spans[i].levels, values: spans[i].values, to: sink)
                total += chunk.metaData.totalUncompressedSize
                chunks.append(chunk)
            }
        }
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: total, numRows: Int64(rows), fileOffset: start,
                                  totalCompressedSize: sink.position - start, ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        rowCount += Int64(rows)
    }

    /// Row groups written so far.
    public var rowGroupCount: Int { rowGroups.count }

    /// Typed statistics of a column chunk written so far (e.g. for Delta `stats`).
    public func statistics(rowGroup: Int, column: Int) -> ColumnStatistics? {
        guard rowGroup >= 0, rowGroup < rowGroups.count, column >= 0, column < columns.count,
              let s = rowGroups[rowGroup].columns[column].metaData.statistics else { return nil }
        return ColumnStatistics(s, descriptor: columns[column])
    }

    /// Writes the footer and closes the file; returns the footer written.
    @discardableResult
    public func close() throws -> FileMetaData {
        guard !closed else { throw ParquetError.invalid("close called twice") }
        closed = true
        let meta = FileMetaData(version: 1, schema: tree.elements, numRows: rowCount, rowGroups: rowGroups,
                                keyValueMetadata: options.keyValueMetadata.isEmpty ? nil : options.keyValueMetadata,
                                createdBy: options.createdBy, typeDefinedOrderCount: columns.count)
        var w = ThriftCompactWriter()
        meta.encode(to: &w)
        try sink.write(w.bytes)
        let length = UInt32(w.bytes.count).littleEndian
        try withUnsafeBytes(of: length) { try sink.write($0) }
        try sink.write(Self.magic)
        memoryBytes = try sink.finish(sync: options.fsyncOnClose)
        return meta
    }

    private func validate(_ batch: RecordBatch) throws {
        guard batch.columns.count == columns.count else {
            throw ParquetError.invalid("batch has \(batch.columns.count) leaf columns, schema has \(columns.count)")
        }
        for (i, c) in batch.columns.enumerated() {
            try c.validate(columns[i], rows: batch.rowCount)
        }
    }
}
