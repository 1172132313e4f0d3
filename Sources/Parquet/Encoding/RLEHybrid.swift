/// The RLE / bit-packed hybrid encoding used for definition and repetition levels and for
/// dictionary indices (Encodings.md, "Run Length Encoding / Bit-Packing Hybrid").
enum RLEHybrid {
    /// Bits needed to store values up to `maxValue`.
    static func bitWidth(_ maxValue: Int) -> Int {
        maxValue <= 0 ? 0 : (Int.bitWidth - maxValue.leadingZeroBitCount)
    }

    /// Appends the encoding of `values` (each < 2^bitWidth) to `out`.
    ///
    /// Runs of 8 or more equal values become RLE runs; everything else is bit-packed in
    /// groups of 8. Only the final group is padded, so the decoder must be told the count.
    static func encode<T: FixedWidthInteger & UnsignedInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: inout [UInt8]) {
        let n = values.count
        if n == 0 { return }
        let valueBytes = (bitWidth + 7) / 8
        var literalStart = 0   // start of pending literals
        var i = 0
        func flushLiterals(upTo end: Int, padToGroup: Bool) {
            var count = end - literalStart
            if count == 0 { return }
            let groups = (count + 7) / 8
            writeVarUInt(UInt64(groups << 1 | 1), into: &out)
            if bitWidth == 0 { literalStart = end; return }
            var acc: UInt64 = 0
            var bits = 0
            var j = literalStart
            count = groups * 8
            for k in 0 ..< count {
                let v: UInt64 = (literalStart + k) < end ? UInt64(values[j]) : 0
                j += 1
                acc |= v << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    out.append(UInt8(truncatingIfNeeded: acc))
                    acc >>= 8
                    bits -= 8
                }
            }
            if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
            literalStart = end
        }
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            var runStart = i
            let runEnd = j
            // Top pending literals up to a multiple of 8 from this run before an RLE run.
            let pending = runStart - literalStart
            if runEnd - runStart >= 8 {
                let fill = (8 - pending % 8) % 8
                if runEnd - runStart - fill >= 8 {
                    runStart += fill
                    flushLiterals(upTo: runStart, padToGroup: false)
                    writeVarUInt(UInt64((runEnd - runStart) << 1), into: &out)
                    var value = UInt64(v)
                    for _ in 0 ..< valueBytes {
                        out.append(UInt8(truncatingIfNeeded: value))
                        value >>= 8
                    }
                    literalStart = runEnd
                }
            }
            i = runEnd
        }
        flushLiterals(upTo: n, padToGroup: true)
    }

    static func encode<T: FixedWidthInteger & UnsignedInteger>(_ values: [T], bitWidth: Int, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
    }

    @inline(__always)
    static func writeVarUInt(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Decodes exactly `count` values from `cursor` into `out`, each checked to be ≤ `maxValue`.
    /// Throws if the input ends first or a value is out of range.
    static func decode<T: FixedWidthInteger & UnsignedInteger>(_ cursor: inout ParquetCursor, bitWidth: Int, count: Int,
                                                               maxValue: Int, into out: inout [T]) throws {
        guard bitWidth >= 0, bitWidth <= 32 else {
            throw ParquetError.corrupt("\(cursor.context): RLE bit width \(bitWidth) exceeds 32")
        }
        out.reserveAdditional(count)
        let valueBytes = (bitWidth + 7) / 8
        let limit = UInt64(maxValue)
        var produced = 0
        while produced < count {
            let header = try cursor.readVarint()
            if header & 1 == 0 {
                let runLength = header >> 1
                guard runLength > 0 else { throw ParquetError.corrupt("\(cursor.context): RLE run of length 0") }
                var value: UInt64 = 0
                for k in 0 ..< valueBytes { value |= UInt64(try cursor.readByte()) << UInt64(8 * k) }
                guard value <= limit else {
                    throw ParquetError.corrupt("\(cursor.context): RLE value \(value) exceeds the maximum \(maxValue)")
                }
                let take = Int(min(UInt64(count - produced), runLength))
                out.append(contentsOf: repeatElement(T(truncatingIfNeeded: value), count: take))
                produced += take
            } else {
                let groups = header >> 1
                guard groups > 0, groups <= UInt64(Int32.max) else {
                    throw ParquetError.corrupt("\(cursor.context): bit-packed run with \(groups) groups")
                }
                let declared = Int(groups) * 8
                let wanted = min(declared, count - produced)
                if bitWidth == 0 {
                    guard maxValue >= 0 else { throw ParquetError.corrupt("\(cursor.context): value out of range") }
                    out.append(contentsOf: repeatElement(0, count: wanted))
                    produced += wanted
                    continue
                }
                let runBytes = Int(groups) * bitWidth
                // The final run may be cut short by writers that omit padding.
                let available = min(runBytes, cursor.remaining)
                let readable = min(wanted, available * 8 / bitWidth)
                guard readable > 0 else {
                    throw ParquetError.corrupt("\(cursor.context): bit-packed run truncated at offset \(cursor.position)")
                }
                let slice = try cursor.readBytes(available)
                try unpack(slice, bitWidth: bitWidth, count: readable, limit: limit, context: cursor.context, into: &out)
                produced += readable
                if readable < wanted {
                    throw ParquetError.corrupt("\(cursor.context): bit-packed run truncated at offset \(cursor.position)")
                }
            }
        }
    }

    private static func unpack<T: FixedWidthInteger & UnsignedInteger>(_ bytes: UnsafeRawBufferPointer, bitWidth: Int, count: Int,
                                                                       limit: UInt64, context: String, into out: inout [T]) throws {
        let mask: UInt64 = (1 << UInt64(bitWidth)) - 1
        var acc: UInt64 = 0
        var bits = 0
        var pos = 0
        var bad = false
        for _ in 0 ..< count {
            while bits < bitWidth {
                acc |= UInt64(bytes[pos]) << UInt64(bits)
                pos += 1
                bits += 8
            }
            let v = acc & mask
            acc >>= UInt64(bitWidth)
            bits -= bitWidth
            if v > limit { bad = true }
            out.append(T(truncatingIfNeeded: v))
        }
        if bad { throw ParquetError.corrupt("\(context): bit-packed value exceeds the maximum \(limit)") }
    }
}
