import CLZ4

/// Page compression: UNCOMPRESSED and LZ4_RAW (the LZ4 block format, what pyarrow writes for
/// `compression="lz4"`).
enum PageCompression {
    /// LZ4 cannot expand more than ~255×; a larger declared size is corruption, and refusing
    /// it keeps a forged header from driving a large allocation.
    static let maxLZ4Ratio = 255

    static func check(_ codec: CompressionCodec, context: String) throws {
        guard codec == .uncompressed || codec == .lz4Raw else {
            throw ParquetError.unsupported("\(context): compression codec \(codec); this library reads UNCOMPRESSED and LZ4_RAW (rewrite with compression=\"lz4\" or \"none\")")
        }
    }

    /// Appends `input` compressed with `codec` to `out`.
    static func compress(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        switch codec {
        case .uncompressed:
            out.append(contentsOf: input)
        case .lz4Raw:
            guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
                throw ParquetError.invalid("a page of \(input.count) bytes exceeds LZ4's input limit; lower the page size")
            }
            let bound = Int(LZ4_compressBound(Int32(input.count)))
            let base = out.count
            out.append(contentsOf: repeatElement(0, count: bound))
            let written: Int32 = out.withUnsafeMutableBytes { dst in
                guard let src = input.baseAddress, input.count > 0 else { return 0 }
                return LZ4_compress_default(src.assumingMemoryBound(to: CChar.self),
                                            (dst.baseAddress! + base).assumingMemoryBound(to: CChar.self),
                                            Int32(input.count), Int32(bound))
            }
            if input.count > 0 && written <= 0 {
                throw ParquetError.invalid("LZ4 failed to compress a page of \(input.count) bytes")
            }
            out.removeLast(bound - Int(written))
        default:
            throw ParquetError.unsupported("writing compression codec \(codec); use .uncompressed or .lz4Raw")
        }
    }

    /// Decompresses a page body whose header declares `uncompressedSize`.
    static func decompress(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, uncompressedSize: Int,
                           context: String) throws -> [UInt8] {
        switch codec {
        case .uncompressed:
            guard input.count == uncompressedSize else {
                throw ParquetError.corrupt("\(context): uncompressed page is \(input.count) bytes but its header says \(uncompressedSize)")
            }
            return Array(input)
        case .lz4Raw:
            guard uncompressedSize <= input.count * maxLZ4Ratio + 64 else {
                throw ParquetError.corrupt("\(context): page declares \(uncompressedSize) bytes from \(input.count) compressed bytes, beyond LZ4's ratio")
            }
            guard uncompressedSize > 0 else {
                if input.count <= 1 { return [] }
                throw ParquetError.corrupt("\(context): page declares 0 uncompressed bytes but has \(input.count) compressed")
            }
            guard let src = input.baseAddress, input.count > 0, input.count <= Int(Int32.max) else {
                throw ParquetError.corrupt("\(context): empty LZ4 page body for \(uncompressedSize) bytes")
            }
            var out = [UInt8](repeating: 0, count: uncompressedSize)
            let n = out.withUnsafeMutableBytes { dst in
                LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                                    Int32(input.count), Int32(uncompressedSize))
            }
            guard n == Int32(uncompressedSize) else {
                throw ParquetError.corrupt("\(context): LZ4 block decodes to \(n) bytes, header says \(uncompressedSize)")
            }
            return out
        default:
            throw ParquetError.unsupported("\(context): compression codec \(codec); this library reads UNCOMPRESSED and LZ4_RAW")
        }
    }
}
