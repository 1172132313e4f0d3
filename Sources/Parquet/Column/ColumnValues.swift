/// The non-null values of one leaf column, in order, typed by physical type.
public enum ColumnValues: Sendable, Hashable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY values (strings, binary).
    case byteArray(ByteArrays)

    /// Number of values.
    public var count: Int {
        switch self {
        case let .boolean(v): return v.count
        case let .int32(v): return v.count
        case let .int64(v): return v.count
        case let .float(v): return v.count
        case let .double(v): return v.count
        case let .byteArray(v): return v.count
        }
    }

    /// Reserves room for `values` more values (and `bytes` bytes of byte arrays).
    mutating func reserve(values n: Int, bytes: Int) {
        switch self {
        case var .boolean(v): self = .int32([]); v.reserveCapacity(n); self = .boolean(v)
        case var .int32(v): self = .int32([]); v.reserveCapacity(n); self = .int32(v)
        case var .int64(v): self = .int32([]); v.reserveCapacity(n); self = .int64(v)
        case var .float(v): self = .int32([]); v.reserveCapacity(n); self = .float(v)
        case var .double(v): self = .int32([]); v.reserveCapacity(n); self = .double(v)
        case var .byteArray(v): self = .int32([]); v.reserveCapacity(values: n, bytes: bytes); self = .byteArray(v)
        }
    }

    var physicalType: PhysicalType {
        switch self {
        case .boolean: return .boolean
        case .int32: return .int32
        case .int64: return .int64
        case .float: return .float
        case .double: return .double
        case .byteArray: return .byteArray
        }
    }

    /// An empty value array of the given physical type.
    static func empty(_ type: PhysicalType) throws -> ColumnValues {
        switch type {
        case .boolean: return .boolean([])
        case .int32: return .int32([])
        case .int64: return .int64([])
        case .float: return .float([])
        case .double: return .double([])
        case .byteArray, .fixedLenByteArray: return .byteArray(ByteArrays())
        case .int96: throw ParquetError.unsupported("physical type INT96 (legacy timestamps); rewrite the file with INT64 timestamps")
        }
    }
}
