import CLZ4

/// Page compression: UNCOMPRESSED and LZ4_RAW (the LZ4 block format, what pyarrow writes for
/// `compression="lz4"`).
enum PageCompression {
    /// LZ4 cannot expand more than ~255×; a larger declared size is corruption, and refusing
    /// it keeps a forged header from driving a large allocation.
    static let maxLZ4Ratio = 255

    static func check(_ codec: CompressionCodec, context: String) throws {
        guard codec == .uncompressed || codec == .lz4Raw || codec == .snappy else {
            throw ParquetError.unsupported("\(context): compression codec \(codec); this library reads UNCOMPRESSED, LZ4_RAW and SNAPPY (rewrite with compression=\"lz4\" or \"none\")")
        }
    }

    /// Calls `body` with `input` compressed by `codec`; `scratch` is reused across pages.
    static func withCompressed<R>(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, scratch: inout [UInt8],
                                  _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        switch codec {
        case .uncompressed:
            return try body(input)
        case .lz4Raw:
            guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
                throw ParquetError.invalid("a page of \(input.count) bytes exceeds LZ4's input limit; lower the page size")
            }
            guard let src = input.baseAddress, input.count > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            let bound = Int(LZ4_compressBound(Int32(input.count)))
            if scratch.count < bound { scratch = [UInt8](repeating: 0, count: Swift.max(bound, scratch.count * 2)) }
            return try scratch.withUnsafeMutableBytes { dst in
                let written = LZ4_compress_default(src.assumingMemoryBound(to: CChar.self),
                                                   dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                                                   Int32(input.count), Int32(bound))
                guard written > 0 else { throw ParquetError.invalid("LZ4 failed to compress a page of \(input.count) bytes") }
                return try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(dst)[0 ..< Int(written)]))
            }
        default:
            throw ParquetError.unsupported("writing compression codec \(codec); use .uncompressed or .lz4Raw")
        }
    }

    /// Calls `body` with the decompressed page; `scratch` is reused across pages so reading
    /// a column does not allocate (and page-fault) a fresh buffer per page.
    static func withDecompressed<R>(_ codec: CompressionCodec, _ input: UnsafeRawBufferPointer, uncompressedSize: Int,
                                    scratch: inout [UInt8], context: String,
                                    _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        if codec == .uncompressed {
            guard input.count == uncompressedSize else {
                throw ParquetError.corrupt("\(context): uncompressed page is \(input.count) bytes but its header says \(uncompressedSize)")
            }
            return try body(input)
        }
        guard codec == .lz4Raw || codec == .snappy else {
            throw ParquetError.unsupported("\(context): compression codec \(codec); this library reads UNCOMPRESSED, LZ4_RAW and SNAPPY")
        }
        guard uncompressedSize <= input.count * maxLZ4Ratio + 64 else {
            throw ParquetError.corrupt("\(context): page declares \(uncompressedSize) bytes from \(input.count) compressed bytes, beyond LZ4's ratio")
        }
        if uncompressedSize == 0 {
            guard input.count <= 1 else {
                throw ParquetError.corrupt("\(context): page declares 0 uncompressed bytes but has \(input.count) compressed")
            }
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        guard let src = input.baseAddress, input.count <= Int(Int32.max) else {
            throw ParquetError.corrupt("\(context): empty LZ4 page body for \(uncompressedSize) bytes")
        }
        if scratch.count < uncompressedSize {
            scratch = [UInt8](repeating: 0, count: Swift.max(uncompressedSize, scratch.count * 2))
        }
        if codec == .snappy {
            return try scratch.withUnsafeMutableBytes { dst in
                let page = UnsafeMutableRawBufferPointer(rebasing: dst[0 ..< uncompressedSize])
                let n = try Snappy.decompress(input, into: page, context: context)
                guard n == uncompressedSize else {
                    throw ParquetError.corrupt("\(context): snappy block decodes to \(n) bytes, header says \(uncompressedSize)")
                }
                return try body(UnsafeRawBufferPointer(page))
            }
        }
        return try scratch.withUnsafeMutableBytes { dst in
            let n = LZ4_decompress_safe(src.assumingMemoryBound(to: CChar.self), dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                                        Int32(input.count), Int32(uncompressedSize))
            guard n == Int32(uncompressedSize) else {
                throw ParquetError.corrupt("\(context): LZ4 block decodes to \(n) bytes, header says \(uncompressedSize)")
            }
            return try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(dst)[0 ..< uncompressedSize]))
        }
    }
}
