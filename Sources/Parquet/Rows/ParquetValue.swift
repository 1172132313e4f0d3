/// One value of a row, for the row-oriented API (small files such as Delta checkpoints).
///
/// Structs hold their fields' values in schema order; maps hold their entries in order.
/// Timestamps are `.int64` microseconds since the epoch (UTC).
public indirect enum ParquetValue: Sendable, Hashable {
    case null
    case boolean(Bool)
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    case double(Double)
    /// BYTE_ARRAY without the STRING annotation.
    case bytes([UInt8])
    /// BYTE_ARRAY annotated STRING.
    case string(String)
    case list([ParquetValue])
    case map([MapEntry])
    case group([ParquetValue])

    /// A key/value pair of a map value.
    public struct MapEntry: Sendable, Hashable {
        public var key: ParquetValue
        public var value: ParquetValue
        public init(key: ParquetValue, value: ParquetValue) { self.key = key; self.value = value }
    }

    /// Whether this is `.null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }
}
