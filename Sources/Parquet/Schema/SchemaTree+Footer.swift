extension SchemaTree {
    /// Rebuilds the tree from a footer's flattened schema (reading), validating child counts,
    /// depth and levels.
    init(elements: [SchemaElement]) throws {
        guard let root = elements.first else { throw ParquetError.corrupt("the footer's schema is empty") }
        guard let rootChildren = root.numChildren, rootChildren >= 0 else {
            throw ParquetError.corrupt("the schema root \(root.name) is not a group")
        }
        var index = 1
        var columns: [ColumnDescriptor] = []
        var roots: [SchemaNode] = []
        for top in 0 ..< Int(rootChildren) {
            roots.append(try Self.read(elements, &index, path: [], def: 0, rep: 0, top: top, depth: 1, columns: &columns))
        }
        guard index == elements.count else {
            throw ParquetError.corrupt("the footer's schema has \(elements.count - index) elements not reachable from the root")
        }
        guard !columns.isEmpty else { throw ParquetError.corrupt("the schema has no leaf column") }
        self.roots = roots
        self.columns = columns
        self.elements = elements
    }

    private static func read(_ elements: [SchemaElement], _ index: inout Int, path: [String], def: Int, rep: Int, top: Int,
                             depth: Int, columns: inout [ColumnDescriptor]) throws -> SchemaNode {
        guard index < elements.count else { throw ParquetError.corrupt("the schema ends before all declared children") }
        guard depth <= 64 else { throw ParquetError.unsupported("schemas nested deeper than 64 groups") }
        let e = elements[index]
        index += 1
        let repetition = e.repetition ?? .required
        let d = def + (repetition == .required ? 0 : 1)
        let r = rep + (repetition == .repeated ? 1 : 0)
        guard d <= maxLevel, r <= maxLevel else { throw ParquetError.unsupported("more than \(maxLevel) nesting levels at \(e.name)") }
        let myPath = path + [e.name]
        if let n = e.numChildren, e.type == nil || n > 0 {
            guard n > 0, Int(n) <= elements.count - index else {
                throw ParquetError.corrupt("schema group \(e.name) declares \(n) children but \(elements.count - index) elements follow")
            }
            let first = columns.count
            var children: [SchemaNode] = []
            for _ in 0 ..< Int(n) {
                children.append(try read(elements, &index, path: myPath, def: d, rep: r, top: top, depth: depth + 1, columns: &columns))
            }
            return SchemaNode(name: e.name, repetition: repetition, kind: .group(children), logicalType: e.logicalType,
                              convertedType: e.convertedType, definitionLevel: d, repetitionLevel: r, leafRange: first ..< columns.count)
        }
        guard let type = e.type else { throw ParquetError.corrupt("schema element \(e.name) has neither a type nor children") }
        let at = columns.count
        columns.append(ColumnDescriptor(path: myPath, physicalType: type, logicalType: e.logicalType, convertedType: e.convertedType,
                                        typeLength: e.typeLength, maxDefinitionLevel: d, maxRepetitionLevel: r, topLevelFieldIndex: top))
        return SchemaNode(name: e.name, repetition: repetition, kind: .primitive(type, typeLength: e.typeLength),
                          logicalType: e.logicalType, convertedType: e.convertedType, definitionLevel: d, repetitionLevel: r,
                          leafRange: at ..< at + 1)
    }

    /// The friendly view of the tree.
    var schema: Schema { Schema(roots.map(Self.field)) }

    static func field(_ node: SchemaNode) -> Field {
        let optional = node.repetition != .required
        switch node.kind {
        case let .primitive(p, _):
            return Field(name: node.name, isOptional: optional, type: primitiveType(p, node.logicalType, node.convertedType))
        case let .group(children):
            if node.isList, children.count == 1, children[0].repetition == .repeated {
                let repeated = children[0]
                if repeated.children.count == 1 {
                    return Field(name: node.name, isOptional: optional, type: .list(field(repeated.children[0])))
                }
                var element = field(repeated)
                element.isOptional = false
                return Field(name: node.name, isOptional: optional, type: .list(element))
            }
            if node.isMap, children.count == 1, children[0].repetition == .repeated, children[0].children.count == 2 {
                let kv = children[0].children
                return Field(name: node.name, isOptional: optional, type: .map(key: field(kv[0]), value: field(kv[1])))
            }
            if node.repetition == .repeated {
                var element = Field(name: node.name, isOptional: false, type: .group(children.map(field)))
                element.isOptional = false
                return Field(name: node.name, isOptional: false, type: .list(element))
            }
            return Field(name: node.name, isOptional: optional, type: .group(children.map(field)))
        }
    }

    static func primitiveType(_ p: PhysicalType, _ l: LogicalType?, _ c: ConvertedType?) -> FieldType {
        switch (p, l) {
        case (.boolean, nil): return c == nil ? .boolean : .primitive(p, l, c)
        case (.int32, nil): return c == nil ? .int32 : .primitive(p, l, c)
        case (.int64, nil): return c == nil ? .int64 : (c == .timestampMicros ? .timestampMicros : .primitive(p, l, c))
        case (.float, nil): return .float
        case (.double, nil): return .double
        case (.byteArray, nil): return c == nil ? .binary : (c == .utf8 ? .string : .primitive(p, l, c))
        case (.byteArray, .string?): return .string
        case (.int64, .timestamp(true, .micros)?): return .timestampMicros
        default: return .primitive(p, l, c)
        }
    }
}
