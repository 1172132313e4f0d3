/// Rebuilds rows of `ParquetValue` from leaf columns and their levels (the inverse of
/// `RowShredder`). Every level and value access is bounds-checked, so inconsistent levels
/// in a corrupted file end in a `ParquetError`.
struct RowAssembler {
    let tree: SchemaTree
    let rowCount: Int
    private var columns: [LeafColumn?]
    private var levelPos: [Int]
    private var valuePos: [Int]

    init(tree: SchemaTree, leaves: [Int], batch: RecordBatch) {
        self.tree = tree
        rowCount = batch.rowCount
        columns = Array(repeating: nil, count: tree.columns.count)
        for (i, leaf) in leaves.enumerated() { columns[leaf] = batch.columns[i] }
        levelPos = Array(repeating: 0, count: tree.columns.count)
        valuePos = Array(repeating: 0, count: tree.columns.count)
    }

    mutating func rows(fields: [String]) throws -> [[ParquetValue]] {
        let nodes = try fields.map { name in
            guard let node = tree.roots.first(where: { $0.name == name }) else { throw ParquetError.invalid("no field \(name)") }
            return node
        }
        var rows: [[ParquetValue]] = []
        rows.reserveCapacity(rowCount)
        for _ in 0 ..< rowCount {
            rows.append(try nodes.map { try read($0, instance: false) })
        }
        return rows
    }

    private func column(_ leaf: Int) throws -> LeafColumn {
        guard let c = columns[leaf] else { throw ParquetError.invalid("leaf \(tree.columns[leaf].dottedPath) was not read") }
        return c
    }

    private func entries(_ leaf: Int, _ c: LeafColumn) -> Int {
        let d = tree.columns[leaf]
        if d.maxDefinitionLevel > 0 { return c.definitionLevels.count }
        if d.maxRepetitionLevel > 0 { return c.repetitionLevels.count }
        return c.values.count
    }

    private func peekDef(_ leaf: Int) throws -> Int {
        let c = try column(leaf)
        let p = levelPos[leaf]
        guard p < entries(leaf, c) else {
            throw ParquetError.corrupt("column \(tree.columns[leaf].dottedPath) runs out of levels while assembling rows")
        }
        return tree.columns[leaf].maxDefinitionLevel > 0 ? Int(c.definitionLevels[p]) : 0
    }

    private func peekRep(_ leaf: Int) throws -> Int? {
        let c = try column(leaf)
        let p = levelPos[leaf]
        guard tree.columns[leaf].maxRepetitionLevel > 0, p < c.repetitionLevels.count else { return nil }
        return Int(c.repetitionLevels[p])
    }

    /// Consumes one (absent) entry in every leaf under `node`.
    private mutating func skip(_ node: SchemaNode) throws {
        for leaf in node.leafRange {
            let c = try column(leaf)
            guard levelPos[leaf] < entries(leaf, c) else {
                throw ParquetError.corrupt("column \(tree.columns[leaf].dottedPath) runs out of levels while assembling rows")
            }
            if tree.columns[leaf].maxDefinitionLevel > 0,
               Int(c.definitionLevels[levelPos[leaf]]) == tree.columns[leaf].maxDefinitionLevel {
                throw ParquetError.corrupt("column \(tree.columns[leaf].dottedPath) has a value where its parent is absent")
            }
            levelPos[leaf] += 1
        }
    }

    private mutating func read(_ node: SchemaNode, instance: Bool) throws -> ParquetValue {
        if node.repetition == .repeated && !instance {
            return .list(try readRepeated(node) { try $0.read(node, instance: true) })
        }
        let first = node.leafRange.lowerBound
        let d = try peekDef(first)
        if d < node.definitionLevel {
            guard node.repetition == .optional else {
                throw ParquetError.corrupt("required field \(node.name) is absent in column \(tree.columns[first].dottedPath)")
            }
            try skip(node)
            return .null
        }
        switch node.kind {
        case .primitive:
            return try readValue(first)
        case let .group(children):
            if node.isList, children.count == 1, children[0].repetition == .repeated {
                let r = children[0]
                if r.children.count == 1 && r.name != "array" && r.name != node.name + "_tuple" {
                    return .list(try readRepeated(r) { try $0.read(r.children[0], instance: false) })
                }
                return .list(try readRepeated(r) { try $0.read(r, instance: true) })
            }
            if node.isMap, children.count == 1, children[0].repetition == .repeated, children[0].children.count == 2 {
                let kv = children[0]
                let items = try readRepeated(kv) { a -> ParquetValue in
                    let k = try a.read(kv.children[0], instance: false)
                    let v = try a.read(kv.children[1], instance: false)
                    return .list([k, v])
                }
                return .map(items.map {
                    if case let .list(pair) = $0, pair.count == 2 { return ParquetValue.MapEntry(key: pair[0], value: pair[1]) }
                    return ParquetValue.MapEntry(key: .null, value: .null)
                })
            }
            return .group(try children.map { try read($0, instance: false) })
        }
    }

    private mutating func readRepeated(_ r: SchemaNode, _ element: (inout RowAssembler) throws -> ParquetValue) throws -> [ParquetValue] {
        let first = r.leafRange.lowerBound
        if try peekDef(first) < r.definitionLevel {
            try skip(r)
            return []
        }
        var out: [ParquetValue] = []
        while true {
            out.append(try element(&self))
            guard let next = try peekRep(first), next == r.repetitionLevel else { break }
            if try peekDef(first) < r.definitionLevel {
                throw ParquetError.corrupt("column \(tree.columns[first].dottedPath) continues a list with an absent element")
            }
        }
        return out
    }

    private mutating func readValue(_ leaf: Int) throws -> ParquetValue {
        let d = tree.columns[leaf]
        let c = try column(leaf)
        let v = valuePos[leaf]
        guard v < c.values.count else {
            throw ParquetError.corrupt("column \(d.dottedPath) runs out of values while assembling rows")
        }
        levelPos[leaf] += 1
        valuePos[leaf] += 1
        switch c.values {
        case let .boolean(x): return .boolean(x[v])
        case let .int32(x): return .int32(x[v])
        case let .int64(x): return .int64(x[v])
        case let .float(x): return .float(x[v])
        case let .double(x): return .double(x[v])
        case let .byteArray(x):
            if d.logicalType == .string || d.convertedType == .utf8 || d.logicalType == .json || d.logicalType == .enum {
                return .string(x.string(at: v))
            }
            return .bytes(Array(x[v]))
        }
    }
}
