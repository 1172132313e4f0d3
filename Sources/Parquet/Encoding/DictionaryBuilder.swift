/// Builds a dictionary (distinct values in first-seen order) and the index of every value,
/// giving up when the dictionary would grow past a byte limit or the values look distinct.
///
/// An open-addressing table over hashes of the values keeps this allocation-free per value,
/// which matters for millions of short strings.
enum DictionaryBuilder {
    struct Result {
        var dictionary: ColumnValues
        var indices: [UInt32]
    }

    /// Values sampled before deciding the column is too distinct for a dictionary.
    static let sampleSize = 4096

    /// Dictionary-encodes `values[range]`; nil when a dictionary does not pay.
    static func build(_ values: ColumnValues, range: Range<Int>, maxDictionaryBytes: Int) -> Result? {
        switch values {
        case .boolean: return nil
        case let .int32(v): return buildFixed(v[range], maxBytes: maxDictionaryBytes).map { Result(dictionary: .int32($0.0), indices: $0.1) }
        case let .int64(v): return buildFixed(v[range], maxBytes: maxDictionaryBytes).map { Result(dictionary: .int64($0.0), indices: $0.1) }
        case let .float(v): return buildFixed(v[range], maxBytes: maxDictionaryBytes).map { Result(dictionary: .float($0.0), indices: $0.1) }
        case let .double(v): return buildFixed(v[range], maxBytes: maxDictionaryBytes).map { Result(dictionary: .double($0.0), indices: $0.1) }
        case let .byteArray(v): return buildBytes(v, range: range, maxBytes: maxDictionaryBytes).map { Result(dictionary: .byteArray($0.0), indices: $0.1) }
        }
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var h = x &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }

    static func hashBytes(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = mix(h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = mix(h ^ tail)
        }
        return h
    }

    private static func buildFixed<T: BinaryInteger & FixedWidthInteger>(_ values: ArraySlice<T>, maxBytes: Int) -> ([T], [UInt32])? {
        buildFixedBits(values, maxBytes: maxBytes) { UInt64(truncatingIfNeeded: $0) }
    }

    private static func buildFixed(_ values: ArraySlice<Float>, maxBytes: Int) -> ([Float], [UInt32])? {
        buildFixedBits(values, maxBytes: maxBytes) { UInt64($0.bitPattern) }
    }

    private static func buildFixed(_ values: ArraySlice<Double>, maxBytes: Int) -> ([Double], [UInt32])? {
        buildFixedBits(values, maxBytes: maxBytes) { $0.bitPattern }
    }

    private static func buildFixedBits<T>(_ values: ArraySlice<T>, maxBytes: Int, bits: (T) -> UInt64) -> ([T], [UInt32])? {
        let n = values.count
        if n == 0 { return nil }
        let size = MemoryLayout<T>.stride
        var capacity = 1024
        var table = [Int32](repeating: -1, count: capacity)
        var keys: [UInt64] = []
        var dict: [T] = []
        var indices: [UInt32] = []
        indices.reserveCapacity(Swift.min(n, sampleSize))
        return values.withUnsafeBufferPointer { src -> ([T], [UInt32])? in
            for i in 0 ..< n {
                let key = bits(src[i])
                var slot = Int(truncatingIfNeeded: mix(key)) & (capacity - 1)
                while true {
                    let e = table[slot]
                    if e < 0 {
                        table[slot] = Int32(dict.count)
                        indices.append(UInt32(dict.count))
                        keys.append(key)
                        dict.append(src[i])
                        break
                    }
                    if keys[Int(e)] == key { indices.append(UInt32(e)); break }
                    slot = (slot + 1) & (capacity - 1)
                }
                if dict.count * size > maxBytes { return nil }
                if i + 1 == sampleSize {
                    if dict.count * 2 > sampleSize { return nil }
                    indices.reserveCapacity(n)
                }
                if dict.count * 2 > capacity {
                    capacity *= 2
                    table = [Int32](repeating: -1, count: capacity)
                    for (j, k) in keys.enumerated() {
                        var s = Int(truncatingIfNeeded: mix(k)) & (capacity - 1)
                        while table[s] >= 0 { s = (s + 1) & (capacity - 1) }
                        table[s] = Int32(j)
                    }
                }
            }
            return (dict, indices)
        }
    }

    private static func buildBytes(_ values: ByteArrays, range: Range<Int>, maxBytes: Int) -> (ByteArrays, [UInt32])? {
        let n = range.count
        let first = range.lowerBound
        if n == 0 { return nil }
        var capacity = 1024
        var table = [Int32](repeating: -1, count: capacity)
        var hashes: [UInt64] = []
        var dict = ByteArrays()
        var dictBytes = 0
        var indices: [UInt32] = []
        indices.reserveCapacity(Swift.min(n, sampleSize))
        let ok: Bool = values.bytes.withUnsafeBytes { raw in
            values.offsets.withUnsafeBufferPointer { offsets in
                let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                for i in 0 ..< n {
                    let start = offsets[first + i], len = offsets[first + i + 1] - start
                    let p = base + start
                    let h = hashBytes(p, len)
                    var slot = Int(truncatingIfNeeded: h) & (capacity - 1)
                    while true {
                        let e = table[slot]
                        if e < 0 {
                            let id = dict.count
                            table[slot] = Int32(id)
                            indices.append(UInt32(id))
                            hashes.append(h)
                            dict.append(bytes: UnsafeRawBufferPointer(start: p, count: len))
                            dictBytes += 4 + len
                            break
                        }
                        let id = Int(e)
                        if hashes[id] == h {
                            let ds = dict.offsets[id], dl = dict.offsets[id + 1] - ds
                            if dl == len && (len == 0 || dict.bytes.withUnsafeBytes { memcmpEqual($0.baseAddress! + ds, p, len) }) {
                                indices.append(UInt32(id))
                                break
                            }
                        }
                        slot = (slot + 1) & (capacity - 1)
                    }
                    if dictBytes > maxBytes { return false }
                    if i + 1 == sampleSize {
                        if dict.count * 2 > sampleSize { return false }
                        indices.reserveCapacity(n)
                    }
                    if dict.count * 2 > capacity {
                        capacity *= 2
                        table = [Int32](repeating: -1, count: capacity)
                        for (j, k) in hashes.enumerated() {
                            var s = Int(truncatingIfNeeded: k) & (capacity - 1)
                            while table[s] >= 0 { s = (s + 1) & (capacity - 1) }
                            table[s] = Int32(j)
                        }
                    }
                }
                return true
            }
        }
        return ok ? (dict, indices) : nil
    }

    @inline(__always)
    private static func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }
}
