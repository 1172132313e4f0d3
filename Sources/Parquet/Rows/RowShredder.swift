/// Turns rows of `ParquetValue` into leaf columns with definition and repetition levels
/// (the "record shredding" of the Dremel paper).
struct RowShredder {
    let tree: SchemaTree
    var defs: [[UInt8]]
    var reps: [[UInt8]]
    var values: [ColumnValues]

    init(tree: SchemaTree) throws {
        self.tree = tree
        defs = Array(repeating: [], count: tree.columns.count)
        reps = Array(repeating: [], count: tree.columns.count)
        values = try tree.columns.map { try ColumnValues.empty($0.physicalType) }
    }

    mutating func add(row: [ParquetValue]) throws {
        guard row.count == tree.roots.count else {
            throw ParquetError.invalid("row has \(row.count) values, the schema \(tree.roots.count) fields")
        }
        for (node, value) in zip(tree.roots, row) {
            try shred(value, node, def: 0, rep: 0, path: node.name)
        }
    }

    /// Records an absent value (null or empty container) at levels (def, rep) for every leaf under `node`.
    private mutating func absent(_ node: SchemaNode, def: Int, rep: Int) {
        for leaf in node.leafRange {
            if tree.columns[leaf].maxDefinitionLevel > 0 { defs[leaf].append(UInt8(def)) }
            if tree.columns[leaf].maxRepetitionLevel > 0 { reps[leaf].append(UInt8(rep)) }
        }
    }

    private mutating func shred(_ value: ParquetValue, _ node: SchemaNode, def: Int, rep: Int, path: String) throws {
        if value.isNull {
            guard node.repetition == .optional else { throw ParquetError.invalid("null in required field \(path)") }
            absent(node, def: def, rep: rep)
            return
        }
        let d = node.definitionLevel
        switch node.kind {
        case .primitive:
            let leaf = node.leafRange.lowerBound
            try append(value, leaf: leaf, path: path)
            if tree.columns[leaf].maxDefinitionLevel > 0 { defs[leaf].append(UInt8(d)) }
            if tree.columns[leaf].maxRepetitionLevel > 0 { reps[leaf].append(UInt8(rep)) }
        case let .group(children):
            if node.isList, children.count == 1, let repeated = children.first, repeated.repetition == .repeated {
                guard case let .list(items) = value else { throw ParquetError.invalid("field \(path) expects a list, got \(value)") }
                try repeatedValues(items, repeated, def: d, rep: rep, path: path) { shredder, item, r in
                    if repeated.children.count == 1 {
                        try shredder.shred(item, repeated.children[0], def: repeated.definitionLevel, rep: r, path: path + ".element")
                    } else {
                        try shredder.shredGroup(item, repeated, rep: r, path: path)
                    }
                }
            } else if node.isMap, children.count == 1, let repeated = children.first, repeated.children.count == 2 {
                guard case let .map(entries) = value else { throw ParquetError.invalid("field \(path) expects a map, got \(value)") }
                try repeatedValues(entries, repeated, def: d, rep: rep, path: path) { shredder, entry, r in
                    try shredder.shred(entry.key, repeated.children[0], def: repeated.definitionLevel, rep: r, path: path + ".key")
                    try shredder.shred(entry.value, repeated.children[1], def: repeated.definitionLevel, rep: r, path: path + ".value")
                }
            } else {
                try shredGroup(value, node, rep: rep, path: path)
            }
        }
    }

    private mutating func shredGroup(_ value: ParquetValue, _ node: SchemaNode, rep: Int, path: String) throws {
        guard case let .group(fields) = value, fields.count == node.children.count else {
            throw ParquetError.invalid("field \(path) expects a struct of \(node.children.count) fields, got \(value)")
        }
        for (child, v) in zip(node.children, fields) {
            try shred(v, child, def: node.definitionLevel, rep: rep, path: path + "." + child.name)
        }
    }

    private mutating func repeatedValues<T>(_ items: [T], _ repeated: SchemaNode, def: Int, rep: Int, path: String,
                                            _ body: (inout RowShredder, T, Int) throws -> Void) throws {
        if items.isEmpty {
            absent(repeated, def: def, rep: rep)
            return
        }
        for (i, item) in items.enumerated() {
            try body(&self, item, i == 0 ? rep : repeated.repetitionLevel)
        }
    }

    private mutating func append(_ value: ParquetValue, leaf: Int, path: String) throws {
        func mismatch() -> ParquetError {
            ParquetError.invalid("field \(path) is \(tree.columns[leaf].physicalType), got \(value)")
        }
        // Appending through the array's in-place accessor keeps each leaf's buffer uniquely referenced;
        // switching over a (values[leaf], value) tuple held a second reference and copied it on every value.
        guard values[leaf].append(value) else { throw mismatch() }
    }

    func batch(rowCount: Int) -> RecordBatch {
        RecordBatch(rowCount: rowCount, columns: (0 ..< values.count).map {
            LeafColumn(values: values[$0], definitionLevels: defs[$0], repetitionLevels: reps[$0])
        })
    }
}

extension RecordBatch {
    /// Shreds rows (one `ParquetValue` per top-level field) into leaf columns.
    public init(schema: Schema, rows: [[ParquetValue]]) throws {
        var shredder = try RowShredder(tree: SchemaTree(schema))
        for row in rows { try shredder.add(row: row) }
        self = shredder.batch(rowCount: rows.count)
    }
}

extension ColumnValues {
    /// Appends `value` when it fits this column's physical type (INT32 widens to INT64, FLOAT to DOUBLE);
    /// false otherwise. Mutates in place: `self` is emptied while the payload grows, so it stays unique.
    fileprivate mutating func append(_ value: ParquetValue) -> Bool {
        switch (self, value) {
        case (.boolean, .boolean), (.int32, .int32), (.int64, .int64), (.int64, .int32), (.float, .float),
             (.double, .double), (.double, .float), (.byteArray, .string), (.byteArray, .bytes):
            break
        default:
            return false
        }
        switch self {
        case var .boolean(v): self = .int32([]); if case let .boolean(x) = value { v.append(x) }; self = .boolean(v)
        case var .int32(v): self = .int32([]); if case let .int32(x) = value { v.append(x) }; self = .int32(v)
        case var .int64(v):
            self = .int32([])
            if case let .int64(x) = value { v.append(x) } else if case let .int32(x) = value { v.append(Int64(x)) }
            self = .int64(v)
        case var .float(v): self = .int32([]); if case let .float(x) = value { v.append(x) }; self = .float(v)
        case var .double(v):
            self = .int32([])
            if case let .double(x) = value { v.append(x) } else if case let .float(x) = value { v.append(Double(x)) }
            self = .double(v)
        case var .byteArray(v):
            self = .int32([])
            if case let .string(s) = value { v.append(s) } else if case let .bytes(b) = value { v.append(bytes: b) }
            self = .byteArray(v)
        }
        return true
    }
}
