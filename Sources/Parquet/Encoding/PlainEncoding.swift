/// PLAIN encoding: fixed-width values little-endian, booleans bit-packed LSB first, byte
/// arrays as a 4-byte little-endian length followed by the bytes.
enum PlainEncoding {
    static func appendFixed<T>(_ values: ArraySlice<T>, into out: inout [UInt8]) {
        values.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    static func appendBooleans(_ values: ArraySlice<Bool>, into out: inout [UInt8]) {
        var byte: UInt8 = 0
        var bit = 0
        for v in values {
            if v { byte |= 1 << UInt8(bit) }
            bit += 1
            if bit == 8 { out.append(byte); byte = 0; bit = 0 }
        }
        if bit > 0 { out.append(byte) }
    }

    static func appendByteArrays(_ values: ByteArrays, range: Range<Int>, into out: inout [UInt8]) {
        if range.isEmpty { return }
        let start = values.offsets[range.lowerBound], end = values.offsets[range.upperBound]
        let total = end - start + 4 * range.count
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBytes { dst in
            values.bytes.withUnsafeBytes { src in
                values.offsets.withUnsafeBufferPointer { offsets in
                    var p = base
                    for i in range {
                        let o = offsets[i], len = offsets[i + 1] - o
                        dst.storeBytes(of: UInt32(truncatingIfNeeded: len).littleEndian, toByteOffset: p, as: UInt32.self)
                        p += 4
                        if len > 0 {
                            (dst.baseAddress! + p).copyMemory(from: src.baseAddress! + o, byteCount: len)
                        }
                        p += len
                    }
                }
            }
        }
    }

    static func append(_ values: ColumnValues, range: Range<Int>, into out: inout [UInt8]) {
        switch values {
        case let .boolean(v): appendBooleans(v[range], into: &out)
        case let .int32(v): appendFixed(v[range], into: &out)
        case let .int64(v): appendFixed(v[range], into: &out)
        case let .float(v): appendFixed(v[range], into: &out)
        case let .double(v): appendFixed(v[range], into: &out)
        case let .byteArray(v): appendByteArrays(v, range: range, into: &out)
        }
    }

    // MARK: decoding

    /// Decodes `count` PLAIN values of `type` from `cursor`, appending to `values`.
    static func decode(_ cursor: inout ParquetCursor, type: PhysicalType, typeLength: Int32?, count: Int,
                       into values: inout ColumnValues) throws {
        switch values {
        case var .boolean(v):
            guard count <= cursor.remaining * 8 else {
                throw ParquetError.corrupt("\(cursor.context): \(count) booleans need \((count + 7) / 8) bytes, \(cursor.remaining) remain")
            }
            let bytes = try cursor.readBytes((count + 7) / 8)
            values = .int32([])
            v.reserveAdditional(count)
            for i in 0 ..< count { v.append(bytes[i >> 3] & (1 << UInt8(i & 7)) != 0) }
            values = .boolean(v)
        case var .int32(v):
            values = .int32([]); try decodeFixed(&cursor, count: count, into: &v); values = .int32(v)
        case var .int64(v):
            values = .int32([]); try decodeFixed(&cursor, count: count, into: &v); values = .int64(v)
        case var .float(v):
            values = .int32([]); try decodeFixed(&cursor, count: count, into: &v); values = .float(v)
        case var .double(v):
            values = .int32([]); try decodeFixed(&cursor, count: count, into: &v); values = .double(v)
        case var .byteArray(v):
            values = .int32([])
            if type == .fixedLenByteArray {
                guard let len = typeLength, len >= 0 else {
                    throw ParquetError.corrupt("\(cursor.context): FIXED_LEN_BYTE_ARRAY without a valid type_length")
                }
                let total = count.multipliedReportingOverflow(by: Int(len))
                guard !total.overflow, total.partialValue <= cursor.remaining else {
                    throw ParquetError.corrupt("\(cursor.context): \(count) fixed values of \(len) bytes exceed the page")
                }
                v.offsets.reserveAdditional(count); v.bytes.reserveAdditional(total.partialValue)
                for _ in 0 ..< count { v.append(bytes: try cursor.readBytes(Int(len))) }
            } else {
                try decodeByteArrays(&cursor, count: count, into: &v)
            }
            values = .byteArray(v)
        }
    }

    static func decodeFixed<T: AdditiveArithmetic>(_ cursor: inout ParquetCursor, count: Int, into v: inout [T]) throws {
        let size = MemoryLayout<T>.stride
        guard count <= cursor.remaining / size else {
            throw ParquetError.corrupt("\(cursor.context): \(count) values of \(size) bytes exceed the \(cursor.remaining) bytes remaining")
        }
        if count == 0 { return }
        let slice = try cursor.readBytes(count * size)
        let old = v.count
        v.append(contentsOf: repeatElement(T.zero, count: count))
        v.withUnsafeMutableBytes { dst in
            (dst.baseAddress! + old * size).copyMemory(from: slice.baseAddress!, byteCount: count * size)
        }
    }

    static func decodeByteArrays(_ cursor: inout ParquetCursor, count: Int, into v: inout ByteArrays) throws {
        guard count <= cursor.remaining / 4 else {
            throw ParquetError.corrupt("\(cursor.context): \(count) byte arrays need at least \(count * 4) bytes, \(cursor.remaining) remain")
        }
        let start = cursor.position
        // First pass: validate lengths and total size without copying.
        var p = start
        let end = cursor.end
        let base = cursor.bytes
        var total = 0
        for _ in 0 ..< count {
            guard end - p >= 4 else { throw ParquetError.corrupt("\(cursor.context): byte-array length truncated at offset \(p)") }
            let len = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            p += 4
            guard len <= end - p else {
                throw ParquetError.corrupt("\(cursor.context): byte array of \(len) bytes at offset \(p) exceeds the page")
            }
            p += len
            total += len
        }
        v.offsets.reserveAdditional(count)
        let oldBytes = v.bytes.count
        v.bytes.reserveAdditional(total)
        p = start
        var running = oldBytes
        var bytes = v.bytes
        v.bytes = []
        var offsets = v.offsets
        v.offsets = []
        bytes.append(contentsOf: repeatElement(0, count: total))
        bytes.withUnsafeMutableBytes { dst in
            for _ in 0 ..< count {
                let len = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                p += 4
                if len > 0 { (dst.baseAddress! + running).copyMemory(from: base.baseAddress! + p, byteCount: len) }
                p += len
                running += len
                offsets.append(running)
            }
        }
        v.bytes = bytes
        v.offsets = offsets
        try cursor.skip(p - start)
    }
}
