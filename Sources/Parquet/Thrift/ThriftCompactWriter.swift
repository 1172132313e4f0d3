/// Thrift compact-protocol type codes as they appear in field and list headers.
enum ThriftType: UInt8 {
    case stop = 0
    case boolTrue = 1
    case boolFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case `struct` = 12
}

/// Serializes structures with the Thrift compact protocol (the encoding of every Parquet
/// header and footer).
///
/// Fields are written with delta-encoded ids; callers open and close structs so the writer
/// can track the last field id of each nesting level.
struct ThriftCompactWriter {
    var bytes: [UInt8] = []
    private var lastFieldIds: [Int16] = []
    private var lastFieldId: Int16 = 0

    init() { bytes.reserveCapacity(256) }

    mutating func writeVarUInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func writeZigZag(_ value: Int64) {
        writeVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func structBegin() {
        lastFieldIds.append(lastFieldId)
        lastFieldId = 0
    }

    mutating func structEnd() {
        bytes.append(ThriftType.stop.rawValue)
        lastFieldId = lastFieldIds.popLast() ?? 0
    }

    mutating func fieldBegin(_ id: Int16, _ type: ThriftType) {
        let delta = Int(id) - Int(lastFieldId)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeZigZag(Int64(id))
        }
        lastFieldId = id
    }

    mutating func bool(_ id: Int16, _ value: Bool) {
        fieldBegin(id, value ? .boolTrue : .boolFalse)
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        fieldBegin(id, .i32)
        writeZigZag(Int64(value))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        fieldBegin(id, .i64)
        writeZigZag(value)
    }

    mutating func binary(_ id: Int16, _ value: [UInt8]) {
        fieldBegin(id, .binary)
        writeBinaryValue(value)
    }

    mutating func string(_ id: Int16, _ value: String) {
        binary(id, Array(value.utf8))
    }

    mutating func writeBinaryValue(_ value: [UInt8]) {
        writeVarUInt(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func listBegin(_ id: Int16, _ elementType: ThriftType, count: Int) {
        fieldBegin(id, .list)
        listHeader(elementType, count: count)
    }

    mutating func listHeader(_ elementType: ThriftType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarUInt(UInt64(count))
        }
    }

    /// Opens a struct-typed field; close it with `structEnd()`.
    mutating func structField(_ id: Int16) {
        fieldBegin(id, .struct)
        structBegin()
    }

    /// Writes an empty struct field (used for the empty marker structs of unions).
    mutating func emptyStructField(_ id: Int16) {
        structField(id)
        structEnd()
    }
}
