/// Decodes the Thrift compact protocol with bounds checks, a nesting limit and caps on
/// container sizes, so a corrupted footer or page header throws instead of trapping or
/// allocating without bound.
struct ThriftCompactReader {
    var cursor: ParquetCursor
    private var lastFieldIds: [Int16] = []
    private var lastFieldId: Int16 = 0
    private var depth = 0
    static let maxDepth = 64

    init(_ cursor: ParquetCursor) { self.cursor = cursor }

    /// A field header: its id and type; `nil` at the struct's stop byte.
    struct Field {
        var id: Int16
        var type: ThriftType
        /// For bool fields, the value is carried in the type.
        var boolValue: Bool { type == .boolTrue }
    }

    mutating func structBegin() throws {
        depth += 1
        if depth > Self.maxDepth {
            throw ParquetError.corrupt("\(cursor.context): Thrift structures nested deeper than \(Self.maxDepth)")
        }
        lastFieldIds.append(lastFieldId)
        lastFieldId = 0
    }

    mutating func structEnd() {
        depth -= 1
        lastFieldId = lastFieldIds.popLast() ?? 0
    }

    private func typeCode(_ raw: UInt8) throws -> ThriftType {
        guard let t = ThriftType(rawValue: raw) else {
            throw ParquetError.corrupt("\(cursor.context): unknown Thrift type code \(raw) at offset \(cursor.position)")
        }
        return t
    }

    mutating func fieldBegin() throws -> Field? {
        let header = try cursor.readByte()
        if header == 0 { return nil }
        let type = try typeCode(header & 0x0F)
        let delta = header >> 4
        let id: Int16
        if delta != 0 {
            let (sum, overflow) = lastFieldId.addingReportingOverflow(Int16(delta))
            if overflow { throw ParquetError.corrupt("\(cursor.context): Thrift field id overflows") }
            id = sum
        } else {
            let raw = try readZigZag()
            guard let narrowed = Int16(exactly: raw) else {
                throw ParquetError.corrupt("\(cursor.context): Thrift field id \(raw) out of range")
            }
            id = narrowed
        }
        lastFieldId = id
        return Field(id: id, type: type)
    }

    mutating func readZigZag() throws -> Int64 {
        let u = try cursor.readVarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func readI32() throws -> Int32 {
        let v = try readZigZag()
        guard let n = Int32(exactly: v) else {
            throw ParquetError.corrupt("\(cursor.context): value \(v) does not fit a Thrift i32")
        }
        return n
    }

    mutating func readI64() throws -> Int64 { try readZigZag() }

    mutating func readBinary() throws -> [UInt8] {
        let n = try cursor.readVarint()
        guard n <= UInt64(cursor.remaining) else {
            throw ParquetError.corrupt("\(cursor.context): binary of \(n) bytes exceeds the \(cursor.remaining) remaining")
        }
        return Array(try cursor.readBytes(Int(n)))
    }

    mutating func readString() throws -> String {
        String(decoding: try readBinary(), as: UTF8.self)
    }

    /// Reads a list header; the count is capped by the remaining bytes (each element takes
    /// at least one byte), so a forged count cannot drive a large allocation.
    mutating func listBegin() throws -> (elementType: ThriftType, count: Int) {
        let header = try cursor.readByte()
        let elementType = try typeCode(header & 0x0F)
        var count = UInt64(header >> 4)
        if count == 15 { count = try cursor.readVarint() }
        guard count <= UInt64(cursor.remaining) else {
            throw ParquetError.corrupt("\(cursor.context): list of \(count) elements exceeds the \(cursor.remaining) bytes remaining")
        }
        return (elementType, Int(count))
    }

    /// Reads one element of a `list<bool>`.
    mutating func readListBool() throws -> Bool {
        try cursor.readByte() == 1
    }

    mutating func expect(_ field: Field, _ types: ThriftType..., name: String) throws {
        if !types.contains(field.type) {
            throw ParquetError.corrupt("\(cursor.context): field \(name) (id \(field.id)) has Thrift type \(field.type), expected \(types)")
        }
    }

    mutating func readList<T>(_ field: Field, name: String, element: ThriftType,
                              _ body: (inout ThriftCompactReader) throws -> T) throws -> [T] {
        try expect(field, .list, .set, name: name)
        let (type, count) = try listBegin()
        if count > 0 && type != element && !(element == .boolTrue && type == .boolFalse) {
            throw ParquetError.corrupt("\(cursor.context): list \(name) holds Thrift type \(type), expected \(element)")
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0 ..< count { out.append(try body(&self)) }
        return out
    }

    /// Skips a value of the given type (unknown fields, for forward compatibility).
    mutating func skip(_ type: ThriftType) throws {
        switch type {
        case .stop:
            throw ParquetError.corrupt("\(cursor.context): unexpected Thrift stop type")
        case .boolTrue, .boolFalse:
            return
        case .byte:
            try cursor.skip(1)
        case .i16, .i32, .i64:
            _ = try cursor.readVarint()
        case .double:
            try cursor.skip(8)
        case .binary:
            let n = try cursor.readVarint()
            guard n <= UInt64(cursor.remaining) else {
                throw ParquetError.corrupt("\(cursor.context): binary of \(n) bytes exceeds the \(cursor.remaining) remaining")
            }
            try cursor.skip(Int(n))
        case .list, .set:
            let (elementType, count) = try listBegin()
            try nest {
                for _ in 0 ..< count {
                    if elementType == .boolTrue || elementType == .boolFalse {
                        try $0.cursor.skip(1)
                    } else {
                        try $0.skip(elementType)
                    }
                }
            }
        case .map:
            let n = try cursor.readVarint()
            guard n <= UInt64(cursor.remaining) else {
                throw ParquetError.corrupt("\(cursor.context): map of \(n) entries exceeds the bytes remaining")
            }
            if n == 0 { return }
            let kv = try cursor.readByte()
            let k = try typeCode(kv >> 4), v = try typeCode(kv & 0x0F)
            try nest {
                for _ in 0 ..< n {
                    if k == .boolTrue || k == .boolFalse { try $0.cursor.skip(1) } else { try $0.skip(k) }
                    if v == .boolTrue || v == .boolFalse { try $0.cursor.skip(1) } else { try $0.skip(v) }
                }
            }
        case .struct:
            try readStruct { r, field in try r.skip(field.type) }
        }
    }

    private mutating func nest(_ body: (inout ThriftCompactReader) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth {
            throw ParquetError.corrupt("\(cursor.context): Thrift containers nested deeper than \(Self.maxDepth)")
        }
        try body(&self)
    }

    /// Reads a struct, calling `onField` for each field; unknown fields must be skipped by
    /// the callback (`r.skip(field.type)`).
    mutating func readStruct(_ onField: (inout ThriftCompactReader, Field) throws -> Void) throws {
        try structBegin()
        while let field = try fieldBegin() {
            try onField(&self, field)
        }
        structEnd()
    }
}
