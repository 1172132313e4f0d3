/// Column-chunk or page statistics as stored: min/max are PLAIN-encoded values (byte arrays
/// without their length prefix). Use `ColumnStatistics` for typed access.
public struct Statistics: Sendable, Hashable {
    /// Deprecated signed-order bounds, written by old writers.
    public var legacyMax: [UInt8]?
    public var legacyMin: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public var maxValue: [UInt8]?
    public var minValue: [UInt8]?

    public init(minValue: [UInt8]? = nil, maxValue: [UInt8]? = nil, nullCount: Int64? = nil) {
        self.minValue = minValue
        self.maxValue = maxValue
        self.nullCount = nullCount
    }
}

extension Statistics {
    func encode(to w: inout ThriftCompactWriter) {
        w.structBegin()
        if let legacyMax { w.binary(1, legacyMax) }
        if let legacyMin { w.binary(2, legacyMin) }
        if let nullCount { w.i64(3, nullCount) }
        if let distinctCount { w.i64(4, distinctCount) }
        if let maxValue { w.binary(5, maxValue) }
        if let minValue { w.binary(6, minValue) }
        w.structEnd()
    }

    init(from r: inout ThriftCompactReader) throws {
        var s = Statistics()
        try r.readStruct { r, f in
            switch f.id {
            case 1: try r.expect(f, .binary, name: "Statistics.max"); s.legacyMax = try r.readBinary()
            case 2: try r.expect(f, .binary, name: "Statistics.min"); s.legacyMin = try r.readBinary()
            case 3: s.nullCount = try r.readI64()
            case 4: s.distinctCount = try r.readI64()
            case 5: try r.expect(f, .binary, name: "Statistics.max_value"); s.maxValue = try r.readBinary()
            case 6: try r.expect(f, .binary, name: "Statistics.min_value"); s.minValue = try r.readBinary()
            default: try r.skip(f.type)
            }
        }
        self = s
    }
}
