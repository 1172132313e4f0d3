/// One node of the flattened schema in the footer (depth-first order, root first).
public struct SchemaElement: Sendable, Hashable {
    public var type: PhysicalType?
    public var typeLength: Int32?
    public var repetition: Repetition?
    public var name: String
    public var numChildren: Int32?
    public var convertedType: ConvertedType?
    public var scale: Int32?
    public var precision: Int32?
    public var fieldId: Int32?
    public var logicalType: LogicalType?

    public init(name: String, type: PhysicalType? = nil, repetition: Repetition? = nil, numChildren: Int32? = nil,
                convertedType: ConvertedType? = nil, logicalType: LogicalType? = nil) {
        self.name = name
        self.type = type
        self.repetition = repetition
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.logicalType = logicalType
    }
}

extension SchemaElement {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        if let type { w.i32(1, type.rawValue) }
        if let typeLength { w.i32(2, typeLength) }
        if let repetition { w.i32(3, repetition.rawValue) }
        w.string(4, name)
        if let numChildren { w.i32(5, numChildren) }
        if let convertedType { w.i32(6, convertedType.rawValue) }
        if let scale { w.i32(7, scale) }
        if let precision { w.i32(8, precision) }
        if let fieldId { w.i32(9, fieldId) }
        if let logicalType {
            w.structField(10)
            logicalType.encode(to: &w)
            w.structEnd()
        }
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var element = SchemaElement(name: "")
        var sawName = false
        try r.readStruct { r, f in
            switch f.id {
            case 1:
                let raw = try r.readI32()
                guard let t = PhysicalType(rawValue: raw) else {
                    throw ParquetError.corrupt("schema element has unknown physical type \(raw)")
                }
                element.type = t
            case 2: element.typeLength = try r.readI32()
            case 3:
                let raw = try r.readI32()
                guard let rep = Repetition(rawValue: raw) else {
                    throw ParquetError.unsupported("schema element repetition type \(raw)")
                }
                element.repetition = rep
            case 4: try r.expect(f, .binary, name: "SchemaElement.name"); element.name = try r.readString(); sawName = true
            case 5: element.numChildren = try r.readI32()
            case 6: element.convertedType = ConvertedType(rawValue: try r.readI32())
            case 7: element.scale = try r.readI32()
            case 8: element.precision = try r.readI32()
            case 9: element.fieldId = try r.readI32()
            case 10:
                try r.expect(f, .struct, name: "SchemaElement.logicalType")
                element.logicalType = try LogicalType(from: &r)
            default: try r.skip(f.type)
            }
        }
        guard sawName else { throw ParquetError.corrupt("schema element without a name") }
        self = element
    }
}

extension TimeUnit {
    init(from r: inout ThriftCompactReader) throws {
        var unit: TimeUnit?
        try r.readStruct { r, f in
            switch f.id {
            case 1: unit = .millis
            case 2: unit = .micros
            case 3: unit = .nanos
            default: break
            }
            try r.skip(f.type)
        }
        guard let unit else { throw ParquetError.corrupt("TimeUnit union with no known member") }
        self = unit
    }
}

extension LogicalType {
    /// Writes the union body (the caller has opened the `LogicalType` struct).
    func encode(to w: inout ThriftCompactWriter) {
        switch self {
        case .string: w.emptyStructField(1)
        case .map: w.emptyStructField(2)
        case .list: w.emptyStructField(3)
        case .enum: w.emptyStructField(4)
        case let .decimal(scale, precision):
            w.structField(5); w.i32(1, scale); w.i32(2, precision); w.structEnd()
        case .date: w.emptyStructField(6)
        case let .time(utc, unit):
            w.structField(7); w.bool(1, utc); w.structField(2); unit.encodeBody(to: &w); w.structEnd(); w.structEnd()
        case let .timestamp(utc, unit):
            w.structField(8); w.bool(1, utc); w.structField(2); unit.encodeBody(to: &w); w.structEnd(); w.structEnd()
        case let .integer(bits, signed):
            w.structField(10)
            w.fieldBegin(1, .byte); w.bytes.append(UInt8(bitPattern: bits))
            w.bool(2, signed)
            w.structEnd()
        case .unknown: w.emptyStructField(11)
        case .json: w.emptyStructField(12)
        case .bson: w.emptyStructField(13)
        case .uuid: w.emptyStructField(14)
        case .float16: w.emptyStructField(15)
        case let .other(id): w.emptyStructField(id)
        }
    }

    /// Reads a `LogicalType` union struct.
    init(from r: inout ThriftCompactReader) throws {
        var result: LogicalType?
        try r.readStruct { r, f in
            switch f.id {
            case 1: result = .string; try r.skip(f.type)
            case 2: result = .map; try r.skip(f.type)
            case 3: result = .list; try r.skip(f.type)
            case 4: result = .enum; try r.skip(f.type)
            case 5:
                try r.expect(f, .struct, name: "DecimalType")
                var scale: Int32 = 0, precision: Int32 = 0
                try r.readStruct { r, g in
                    switch g.id {
                    case 1: scale = try r.readI32()
                    case 2: precision = try r.readI32()
                    default: try r.skip(g.type)
                    }
                }
                result = .decimal(scale: scale, precision: precision)
            case 6: result = .date; try r.skip(f.type)
            case 7, 8:
                try r.expect(f, .struct, name: "TimeType/TimestampType")
                var utc = false
                var unit = TimeUnit.micros
                try r.readStruct { r, g in
                    switch g.id {
                    case 1: utc = g.boolValue
                    case 2: try r.expect(g, .struct, name: "TimeUnit"); unit = try TimeUnit(from: &r)
                    default: try r.skip(g.type)
                    }
                }
                result = f.id == 7 ? .time(isAdjustedToUTC: utc, unit: unit) : .timestamp(isAdjustedToUTC: utc, unit: unit)
            case 10:
                try r.expect(f, .struct, name: "IntType")
                var bits: Int8 = 0
                var signed = true
                try r.readStruct { r, g in
                    switch g.id {
                    case 1: bits = Int8(bitPattern: try r.cursor.readByte())
                    case 2: signed = g.boolValue
                    default: try r.skip(g.type)
                    }
                }
                result = .integer(bitWidth: bits, isSigned: signed)
            case 11: result = .unknown; try r.skip(f.type)
            case 12: result = .json; try r.skip(f.type)
            case 13: result = .bson; try r.skip(f.type)
            case 14: result = .uuid; try r.skip(f.type)
            case 15: result = .float16; try r.skip(f.type)
            default: result = .other(f.id); try r.skip(f.type)
            }
        }
        guard let result else { throw ParquetError.corrupt("LogicalType union with no member") }
        self = result
    }
}

extension TimeUnit {
    fileprivate func encodeBody(to w: inout ThriftCompactWriter) {
        switch self {
        case .millis: w.emptyStructField(1)
        case .micros: w.emptyStructField(2)
        case .nanos: w.emptyStructField(3)
        }
    }
}
