#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Typed statistics of one column chunk, decoded from the footer.
public struct ColumnStatistics: Sendable, Hashable {
    /// Lower bound of the non-null values (`nil` when absent or unusable).
    public var min: ParquetValue?
    /// Upper bound of the non-null values.
    public var max: ParquetValue?
    /// Null count, when the writer recorded it.
    public var nullCount: Int64?
}

extension ColumnStatistics {
    /// Decodes `stats` for a column; falls back to the legacy signed-order fields only where
    /// signed order is the column's order (numbers), never for strings.
    init(_ stats: Statistics, descriptor: ColumnDescriptor) {
        let legacyUsable = descriptor.physicalType != .byteArray && descriptor.physicalType != .fixedLenByteArray
        let minBytes = stats.minValue ?? (legacyUsable ? stats.legacyMin : nil)
        let maxBytes = stats.maxValue ?? (legacyUsable ? stats.legacyMax : nil)
        self.min = minBytes.flatMap { Self.decode($0, descriptor) }
        self.max = maxBytes.flatMap { Self.decode($0, descriptor) }
        self.nullCount = stats.nullCount
    }

    static func decode(_ bytes: [UInt8], _ d: ColumnDescriptor) -> ParquetValue? {
        func load<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard bytes.count == MemoryLayout<T>.size else { return nil }
            return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        switch d.physicalType {
        case .boolean: return bytes.count == 1 ? .boolean(bytes[0] != 0) : nil
        case .int32: return load(Int32.self).map { .int32($0) }
        case .int64: return load(Int64.self).map { .int64($0) }
        case .float:
            guard let f = load(UInt32.self).map(Float.init(bitPattern:)), !f.isNaN else { return nil }
            return .float(f)
        case .double:
            guard let f = load(UInt64.self).map(Double.init(bitPattern:)), !f.isNaN else { return nil }
            return .double(f)
        case .byteArray, .fixedLenByteArray:
            if d.logicalType == .string || d.convertedType == .utf8 { return .string(String(decoding: bytes, as: UTF8.self)) }
            return .bytes(bytes)
        case .int96: return nil
        }
    }

    /// Computes min/max (PLAIN-encoded) and null count for writing.
    static func compute(_ values: ColumnValues, range: Range<Int>, nullCount: Int) -> Statistics {
        var s = Statistics(nullCount: Int64(nullCount))
        func bytes<T>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v) { Array($0) } }
        switch values {
        case let .boolean(all):
            let v = all[range]
            if !v.isEmpty {
                s.minValue = [v.contains(false) ? 0 : 1]
                s.maxValue = [v.contains(true) ? 1 : 0]
            }
        case let .int32(all):
            let v = all[range]
            if let lo = v.min(), let hi = v.max() { s.minValue = bytes(lo.littleEndian); s.maxValue = bytes(hi.littleEndian) }
        case let .int64(all):
            if let (lo, hi) = minMax(all[range]) { s.minValue = bytes(lo.littleEndian); s.maxValue = bytes(hi.littleEndian) }
        case let .float(all):
            let v = all[range]
            var lo = Float.infinity, hi = -Float.infinity, any = false
            for x in v where !x.isNaN { any = true; if x < lo { lo = x }; if x > hi { hi = x } }
            if any {
                if lo == 0 { lo = -0.0 }
                if hi == 0 { hi = 0.0 }
                s.minValue = bytes(lo.bitPattern.littleEndian); s.maxValue = bytes(hi.bitPattern.littleEndian)
            }
        case let .double(all):
            let v = all[range]
            var lo = Double.infinity, hi = -Double.infinity, any = false
            v.withUnsafeBufferPointer { p in
                for x in p where !x.isNaN { any = true; if x < lo { lo = x }; if x > hi { hi = x } }
            }
            if any {
                if lo == 0 { lo = -0.0 }
                if hi == 0 { hi = 0.0 }
                s.minValue = bytes(lo.bitPattern.littleEndian); s.maxValue = bytes(hi.bitPattern.littleEndian)
            }
        case let .byteArray(v):
            if !range.isEmpty {
                var lo = range.lowerBound, hi = range.lowerBound
                v.bytes.withUnsafeBytes { raw in
                    let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                    func cmp(_ a: Int, _ b: Int) -> Int {
                        let la = v.offsets[a + 1] - v.offsets[a], lb = v.offsets[b + 1] - v.offsets[b]
                        let n = Swift.min(la, lb)
                        if n > 0 {
                            let c = memcmp(base + v.offsets[a], base + v.offsets[b], n)
                            if c != 0 { return Int(c) }
                        }
                        return la - lb
                    }
                    for i in range.dropFirst() {
                        if cmp(i, lo) < 0 { lo = i }
                        if cmp(i, hi) > 0 { hi = i }
                    }
                }
                s.minValue = Array(v[lo])
                s.maxValue = Array(v[hi])
            }
        }
        return s
    }

    private static func minMax(_ v: ArraySlice<Int64>) -> (Int64, Int64)? {
        guard !v.isEmpty else { return nil }
        return v.withUnsafeBufferPointer { p in
            var lo = p[0], hi = p[0]
            for x in p { lo = Swift.min(lo, x); hi = Swift.max(hi, x) }
            return (lo, hi)
        }
    }
}
