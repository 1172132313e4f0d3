/// The schema as a tree of Parquet nodes (groups and primitives with repetition), with the
/// definition and repetition level at which each node is present.
///
/// `Field` is the friendly view; this tree is what the level encoding works on and what the
/// footer's `SchemaElement` list flattens.
final class SchemaNode: Sendable {
    enum Kind {
        case primitive(PhysicalType, typeLength: Int32?)
        case group([SchemaNode])
    }

    let name: String
    let repetition: Repetition
    let kind: Kind
    let logicalType: LogicalType?
    let convertedType: ConvertedType?
    /// Definition level reached when this node is present (non-null).
    let definitionLevel: Int
    /// Repetition level of this node's nearest repeated ancestor-or-self.
    let repetitionLevel: Int
    /// Index range of this subtree's leaves in the file's leaf order.
    let leafRange: Range<Int>

    init(name: String, repetition: Repetition, kind: Kind, logicalType: LogicalType?, convertedType: ConvertedType?,
         definitionLevel: Int, repetitionLevel: Int, leafRange: Range<Int>) {
        self.name = name
        self.repetition = repetition
        self.kind = kind
        self.logicalType = logicalType
        self.convertedType = convertedType
        self.definitionLevel = definitionLevel
        self.repetitionLevel = repetitionLevel
        self.leafRange = leafRange
    }

    var children: [SchemaNode] {
        if case let .group(c) = kind { return c }
        return []
    }

    var isList: Bool { logicalType == .list || convertedType == .list }
    var isMap: Bool { logicalType == .map || convertedType == .map || convertedType == .mapKeyValue }
}

/// The resolved schema of a file being written or read.
struct SchemaTree: Sendable {
    let roots: [SchemaNode]
    let columns: [ColumnDescriptor]
    let elements: [SchemaElement]
    static let maxLevel = 255

    /// Builds from the friendly schema (writing).
    init(_ schema: Schema) throws {
        var elements = [SchemaElement(name: "schema", numChildren: Int32(schema.fields.count))]
        var columns: [ColumnDescriptor] = []
        var roots: [SchemaNode] = []
        for (i, field) in schema.fields.enumerated() {
            roots.append(try Self.build(field, path: [], def: 0, rep: 0, top: i, elements: &elements, columns: &columns))
        }
        guard !columns.isEmpty else { throw ParquetError.invalid("a schema needs at least one primitive column") }
        self.roots = roots
        self.columns = columns
        self.elements = elements
    }

    private static func build(_ field: Field, path: [String], def: Int, rep: Int, top: Int,
                              elements: inout [SchemaElement], columns: inout [ColumnDescriptor]) throws -> SchemaNode {
        try node(name: field.name, repetition: field.isOptional ? .optional : .required, type: field.type,
                 path: path, def: def, rep: rep, top: top, elements: &elements, columns: &columns)
    }

    private static func node(name: String, repetition: Repetition, type: FieldType, path: [String], def: Int, rep: Int,
                             top: Int, elements: inout [SchemaElement], columns: inout [ColumnDescriptor]) throws -> SchemaNode {
        let d = def + (repetition == .required ? 0 : 1)
        let r = rep + (repetition == .repeated ? 1 : 0)
        guard d <= maxLevel, r <= maxLevel else { throw ParquetError.invalid("schema nested deeper than \(maxLevel) levels at \(name)") }
        let myPath = path + [name]
        func leaf(_ physical: PhysicalType, _ logical: LogicalType?, _ converted: ConvertedType?) -> SchemaNode {
            var e = SchemaElement(name: name, type: physical, repetition: repetition, convertedType: converted, logicalType: logical)
            e.typeLength = nil
            elements.append(e)
            let index = columns.count
            columns.append(ColumnDescriptor(path: myPath, physicalType: physical, logicalType: logical, convertedType: converted,
                                            typeLength: nil, maxDefinitionLevel: d, maxRepetitionLevel: r, topLevelFieldIndex: top))
            return SchemaNode(name: name, repetition: repetition, kind: .primitive(physical, typeLength: nil), logicalType: logical,
                              convertedType: converted, definitionLevel: d, repetitionLevel: r, leafRange: index ..< index + 1)
        }
        func group(_ logical: LogicalType?, _ converted: ConvertedType?, _ make: (inout [SchemaElement], inout [ColumnDescriptor]) throws -> [SchemaNode]) throws -> SchemaNode {
            let at = elements.count
            elements.append(SchemaElement(name: name, repetition: repetition, numChildren: 0, convertedType: converted, logicalType: logical))
            let first = columns.count
            let children = try make(&elements, &columns)
            elements[at].numChildren = Int32(children.count)
            return SchemaNode(name: name, repetition: repetition, kind: .group(children), logicalType: logical, convertedType: converted,
                              definitionLevel: d, repetitionLevel: r, leafRange: first ..< columns.count)
        }
        switch type {
        case .boolean: return leaf(.boolean, nil, nil)
        case .int32: return leaf(.int32, nil, nil)
        case .int64: return leaf(.int64, nil, nil)
        case .float: return leaf(.float, nil, nil)
        case .double: return leaf(.double, nil, nil)
        case .binary: return leaf(.byteArray, nil, nil)
        case .string: return leaf(.byteArray, .string, .utf8)
        case .timestampMicros: return leaf(.int64, .timestamp(isAdjustedToUTC: true, unit: .micros), .timestampMicros)
        case let .primitive(p, l, c):
            guard p != .int96, p != .fixedLenByteArray else { throw ParquetError.unsupported("writing physical type \(p)") }
            return leaf(p, l, c)
        case let .list(element):
            return try group(.list, .list) { elements, columns in
                let repeated = try Self.repeatedGroup(named: "list", d: d, r: r, top: top, path: myPath, elements: &elements, columns: &columns) { p, dd, rr, e, c in
                    [try build(element, path: p, def: dd, rep: rr, top: top, elements: &e, columns: &c)]
                }
                return [repeated]
            }
        case let .map(key, value):
            guard !key.isOptional else { throw ParquetError.invalid("map key field \(key.name) of \(name) must be required") }
            return try group(.map, .map) { elements, columns in
                let repeated = try Self.repeatedGroup(named: "key_value", d: d, r: r, top: top, path: myPath, elements: &elements, columns: &columns) { p, dd, rr, e, c in
                    [try build(key, path: p, def: dd, rep: rr, top: top, elements: &e, columns: &c),
                     try build(value, path: p, def: dd, rep: rr, top: top, elements: &e, columns: &c)]
                }
                return [repeated]
            }
        case let .group(fields):
            guard !fields.isEmpty else { throw ParquetError.invalid("struct field \(name) has no fields") }
            return try group(nil, nil) { elements, columns in
                try fields.map { try build($0, path: myPath, def: d, rep: r, top: top, elements: &elements, columns: &columns) }
            }
        }
    }

    /// The repeated middle group of a list or map.
    private static func repeatedGroup(named name: String, d: Int, r: Int, top: Int, path: [String], elements: inout [SchemaElement],
                              columns: inout [ColumnDescriptor],
                              _ make: ([String], Int, Int, inout [SchemaElement], inout [ColumnDescriptor]) throws -> [SchemaNode]) throws -> SchemaNode {
        let dd = d + 1, rr = r + 1
        guard dd <= maxLevel, rr <= maxLevel else { throw ParquetError.invalid("schema nested deeper than \(maxLevel) levels") }
        let at = elements.count
        elements.append(SchemaElement(name: name, repetition: .repeated, numChildren: 0))
        let first = columns.count
        let children = try make(path + [name], dd, rr, &elements, &columns)
        elements[at].numChildren = Int32(children.count)
        return SchemaNode(name: name, repetition: .repeated, kind: .group(children), logicalType: nil, convertedType: nil,
                          definitionLevel: dd, repetitionLevel: rr, leafRange: first ..< columns.count)
    }
}
