/// Variable-length values stored contiguously: value `i` is `bytes[offsets[i] ..< offsets[i + 1]]`.
///
/// This is the layout Arrow uses for binary and string arrays; it avoids one allocation per
/// value when writing or reading millions of strings.
public struct ByteArrays: Sendable, Hashable {
    /// The concatenated values.
    public var bytes: [UInt8]
    /// `count + 1` offsets into `bytes`, starting at 0.
    public var offsets: [Int]

    public init() {
        bytes = []
        offsets = [0]
    }

    /// Wraps already concatenated values; `offsets` must start at 0, be non-decreasing and end at `bytes.count`.
    public init(bytes: [UInt8], offsets: [Int]) throws {
        guard let first = offsets.first, first == 0, offsets.last == bytes.count else {
            throw ParquetError.invalid("byte-array offsets must start at 0 and end at bytes.count (\(bytes.count))")
        }
        for i in 1 ..< offsets.count where offsets[i] < offsets[i - 1] {
            throw ParquetError.invalid("byte-array offsets decrease at index \(i)")
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    init(uncheckedBytes bytes: [UInt8], offsets: [Int]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    /// Builds from strings (UTF-8).
    public init<S: Sequence>(strings: S) where S.Element: StringProtocol {
        self.init()
        for s in strings { append(s) }
    }

    public var count: Int { offsets.count - 1 }

    public mutating func reserveCapacity(values: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(values + 1)
        bytes.reserveCapacity(byteCount)
    }

    public mutating func append<S: StringProtocol>(_ string: S) {
        bytes.append(contentsOf: string.utf8)
        offsets.append(bytes.count)
    }

    public mutating func append<C: Collection>(bytes value: C) where C.Element == UInt8 {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    /// The bytes of value `i`.
    public subscript(i: Int) -> ArraySlice<UInt8> {
        bytes[offsets[i] ..< offsets[i + 1]]
    }

    /// Value `i` decoded as UTF-8 (invalid sequences are replaced).
    public func string(at i: Int) -> String {
        String(decoding: self[i], as: UTF8.self)
    }
}

/// The non-null values of one leaf column, in order, typed by physical type.
public enum ColumnValues: Sendable, Hashable {
    case boolean([Bool])
    case int32([Int32])
    case int64([Int64])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY values (strings, binary).
    case byteArray(ByteArrays)

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

/// One leaf column's data for a row group: Dremel definition and repetition levels plus the
/// non-null values.
///
/// For a leaf with maximum definition level 0 (required, not nested in anything optional or
/// repeated) `definitionLevels` is empty and there is one value per row; likewise
/// `repetitionLevels` is empty when the leaf is not inside a list or map.
public struct LeafColumn: Sendable, Hashable {
    public var values: ColumnValues
    public var definitionLevels: [UInt8]
    public var repetitionLevels: [UInt8]

    public init(values: ColumnValues, definitionLevels: [UInt8] = [], repetitionLevels: [UInt8] = []) {
        self.values = values
        self.definitionLevels = definitionLevels
        self.repetitionLevels = repetitionLevels
    }

    /// The number of level entries (values including nulls and empty lists).
    func levelCount(_ descriptor: ColumnDescriptor) -> Int {
        if descriptor.maxDefinitionLevel > 0 { return definitionLevels.count }
        if descriptor.maxRepetitionLevel > 0 { return repetitionLevels.count }
        return values.count
    }
}

extension Array {
    /// Reserves room for `n` more elements while keeping geometric growth (an exact
    /// `reserveCapacity` per page would reallocate on every page).
    @inline(__always)
    mutating func reserveAdditional(_ n: Int) {
        let needed = count + n
        if needed > capacity { reserveCapacity(Swift.max(needed, capacity * 2)) }
    }
}
