import DriftlineCore

/// Reads a Parquet file held in memory: footer, schema, statistics and column chunks.
///
/// ```swift
/// let reader = try ParquetReader(path: "/tmp/t.parquet")
/// for group in reader.rowGroups(where: "window_start", overlaps: .int64(t0), .int64(t1)) {
///     let batch = try reader.readRowGroup(group, columns: reader.leafIndices(ofFields: ["endpoint", "count"]))
/// }
/// let rows = try reader.readRows()          // small files: rows of ParquetValue
/// ```
public struct ParquetReader: Sendable {
    /// The decoded footer.
    public let metadata: FileMetaData
    /// The schema as fields (lists, maps and structs recognised from their annotations).
    public let schema: Schema
    /// The leaf columns in file order.
    public let columns: [ColumnDescriptor]
    let tree: SchemaTree
    private let data: FileBytes
    private let footerStart: Int

    /// Opens and memory-maps the file at `path` and decodes its footer. The file must not be truncated while open.
    public init(path: String) throws {
        try self.init(data: try FileBytes(path: path), name: path)
    }

    /// Reads a file held in memory; `name` appears in error messages.
    public init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(data: FileBytes(bytes), name: name)
    }

    private init(data: FileBytes, name: String) throws {
        self.data = data
        let n = data.count
        guard n >= 12 else { throw ParquetError.corrupt("\(name): \(n) bytes is too short for a Parquet file") }
        let meta: FileMetaData = try data.withUnsafeBytes { buf in
            guard buf[0 ..< 4].elementsEqual("PAR1".utf8) else {
                throw ParquetError.corrupt("\(name): does not start with the PAR1 magic")
            }
            guard buf[(n - 4)...].elementsEqual("PAR1".utf8) else {
                throw ParquetError.corrupt("\(name): does not end with the PAR1 magic (truncated, or an encrypted footer)")
            }
            let footerLength = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: n - 8, as: UInt32.self)))
            guard footerLength <= n - 12 else {
                throw ParquetError.corrupt("\(name): footer length \(footerLength) exceeds the file's \(n) bytes")
            }
            var r = ThriftCompactReader(ParquetCursor(buf, start: n - 8 - footerLength, end: n - 8, context: "\(name) footer"))
            return try FileMetaData(from: &r)
        }
        footerStart = n - 8 - Int(UInt32(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: n - 8, as: UInt32.self) }))
        let tree = try SchemaTree(elements: meta.schema)
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.columns.count == tree.columns.count else {
                throw ParquetError.corrupt("\(name): row group \(g) has \(group.columns.count) column chunks, the schema \(tree.columns.count) leaves")
            }
        }
        metadata = meta
        self.tree = tree
        columns = tree.columns
        schema = tree.schema
    }

    /// Row groups with at least this many compressed bytes decode their columns in parallel.
    static let parallelThresholdBytes: Int64 = 4 << 20

    /// Number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }
    /// Number of rows in the file.
    public var rowCount: Int64 { metadata.numRows }

    /// The file's key/value metadata as a dictionary (later duplicates win).
    public var keyValueMetadata: [String: String] {
        var out: [String: String] = [:]
        for kv in metadata.keyValueMetadata ?? [] { out[kv.key] = kv.value ?? "" }
        return out
    }

    /// Indices of the leaf columns under the named top-level fields, in file order.
    public func leafIndices(ofFields names: [String]) throws -> [Int] {
        var out: [Int] = []
        for name in names {
            guard let node = tree.roots.first(where: { $0.name == name }) else {
                throw ParquetError.invalid("no field \(name) in the schema (fields: \(tree.roots.map(\.name)))")
            }
            out.append(contentsOf: node.leafRange)
        }
        return out.sorted()
    }

    /// Index of the leaf column with the dotted path (e.g. `add.path`).
    public func leafIndex(path: String) -> Int? {
        columns.firstIndex { $0.dottedPath == path }
    }

    /// Typed statistics of a column chunk.
    public func statistics(rowGroup: Int, column: Int) -> ColumnStatistics? {
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count, column >= 0, column < columns.count,
              let s = metadata.rowGroups[rowGroup].columns[column].metaData.statistics else { return nil }
        return ColumnStatistics(s, descriptor: columns[column])
    }

    /// Row groups that may hold values of the leaf `path` within `[lower, upper]` (either
    /// bound may be nil); groups without usable statistics are kept.
    public func rowGroups(where path: String, overlaps lower: ParquetValue?, _ upper: ParquetValue?) -> [Int] {
        guard let column = leafIndex(path: path) else { return Array(0 ..< rowGroupCount) }
        return (0 ..< rowGroupCount).filter { g in
            guard let s = statistics(rowGroup: g, column: column) else { return true }
            if let lower, let max = s.max, let c = ParquetValue.compare(max, lower), c < 0 { return false }
            if let upper, let min = s.min, let c = ParquetValue.compare(min, upper), c > 0 { return false }
            return true
        }
    }

    /// Reads the given leaf columns (all when nil) of one row group.
    public func readRowGroup(_ index: Int, columns selected: [Int]? = nil) throws -> RecordBatch {
        guard index >= 0, index < metadata.rowGroups.count else {
            throw ParquetError.invalid("row group \(index) does not exist (the file has \(metadata.rowGroups.count))")
        }
        let group = metadata.rowGroups[index]
        let leaves = selected ?? Array(0 ..< columns.count)
        guard group.numRows <= Int64(Int32.max) * 64 else { throw ParquetError.corrupt("row group \(index) claims \(group.numRows) rows") }
        let rows = Int(group.numRows)
        for leaf in leaves where leaf < 0 || leaf >= columns.count {
            throw ParquetError.invalid("leaf column \(leaf) does not exist")
        }
        let limit = footerStart
        let descriptors = columns
        func decode(_ leaf: Int, _ buf: UnsafeRawBufferPointer) throws -> LeafColumn {
            let d = descriptors[leaf]
            let reader = ColumnReader(descriptor: d, chunk: group.columns[leaf].metaData,
                                      context: "row group \(index), column \(d.dottedPath)")
            if d.maxRepetitionLevel == 0 && group.columns[leaf].metaData.numValues != Int64(rows) {
                throw ParquetError.corrupt("\(reader.context): \(group.columns[leaf].metaData.numValues) values for \(rows) rows")
            }
            let column = try reader.read(file: buf, limit: limit)
            try column.checkRows(d, rows: rows, context: reader.context)
            return column
        }
        let bytes = leaves.reduce(Int64(0)) { $0 + Swift.max(0, group.columns[$1].metaData.totalCompressedSize) }
        let out: [LeafColumn] = try data.withUnsafeBytes { buf in
            if leaves.count < 2 || bytes < Self.parallelThresholdBytes {
                return try leaves.map { try decode($0, buf) }
            }
            return try Parallel.map(leaves.count) { try decode(leaves[$0], buf) }
        }
        return RecordBatch(rowCount: rows, columns: out)
    }

    /// Reads all rows (or the named top-level fields only) as values: for small files.
    public func readRows(fields: [String]? = nil) throws -> [[ParquetValue]] {
        let names = fields ?? tree.roots.map(\.name)
        let leaves = try leafIndices(ofFields: names)
        var rows: [[ParquetValue]] = []
        for g in 0 ..< rowGroupCount {
            let batch = try readRowGroup(g, columns: leaves)
            var assembler = RowAssembler(tree: tree, leaves: leaves, batch: batch)
            rows.append(contentsOf: try assembler.rows(fields: names))
        }
        return rows
    }
}

extension LeafColumn {
    /// Checks that a decoded column holds exactly `rows` rows.
    func checkRows(_ d: ColumnDescriptor, rows: Int, context: String) throws {
        let entries = d.maxRepetitionLevel > 0
            ? ColumnReader.count(repetitionLevels[...], equalTo: 0)
            : (d.maxDefinitionLevel > 0 ? definitionLevels.count : values.count)
        guard entries == rows else {
            throw ParquetError.corrupt("\(context): holds \(entries) rows but the row group declares \(rows)")
        }
        if d.maxRepetitionLevel > 0, let first = repetitionLevels.first, first != 0 {
            throw ParquetError.corrupt("\(context): first repetition level is \(first), not 0")
        }
    }
}

extension ParquetValue {
    /// Orders two values of the same kind as Parquet statistics do (signed numbers, unsigned
    /// bytes); nil when they are not comparable.
    public static func compare(_ a: ParquetValue, _ b: ParquetValue) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        func bytes(_ x: [UInt8], _ y: [UInt8]) -> Int {
            for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
            return cmp(x.count, y.count)
        }
        switch (a, b) {
        case let (.boolean(x), .boolean(y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        case let (.int32(x), .int32(y)): return cmp(x, y)
        case let (.int64(x), .int64(y)): return cmp(x, y)
        case let (.int32(x), .int64(y)): return cmp(Int64(x), y)
        case let (.int64(x), .int32(y)): return cmp(x, Int64(y))
        case let (.float(x), .float(y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
        case let (.double(x), .double(y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
        case let (.string(x), .string(y)): return bytes(Array(x.utf8), Array(y.utf8))
        case let (.bytes(x), .bytes(y)): return bytes(x, y)
        case let (.string(x), .bytes(y)): return bytes(Array(x.utf8), y)
        case let (.bytes(x), .string(y)): return bytes(x, Array(y.utf8))
        default: return nil
        }
    }
}
