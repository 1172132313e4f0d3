import CLZ4
import DriftlineCore

/// Building and opening batches: header + (LZ4-compressed) payload + CRC-32C.
public enum Batch {
    /// Why a batch cannot be read.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// The header failed its checks.
        case header(BatchHeader.Problem)
        /// The CRC-32C does not match (stored vs computed).
        case crcMismatch(stored: UInt32, computed: UInt32)
        /// LZ4 rejected the payload, or it decompressed to the wrong length.
        case decompression(expected: Int, got: Int)
        /// The batch ends past the end of the file.
        case truncated(needed: Int, available: Int)

        public var description: String {
            switch self {
            case .header(let p): return "bad header: \(p)"
            case .crcMismatch(let s, let c): return "CRC-32C mismatch (stored 0x\(String(s, radix: 16)), computed 0x\(String(c, radix: 16)))"
            case .decompression(let e, let g): return "LZ4 payload does not decompress to \(e) bytes (got \(g))"
            case .truncated(let n, let a): return "batch needs \(n) bytes, \(a) left in the file"
            }
        }
    }

    /// The largest LZ4 output for `length` input bytes.
    static func compressBound(_ length: Int) -> Int {
        Int(LZ4_compressBound(Int32(clamping: length)))
    }

    /// Appends one complete batch (header + payload) holding `records` to `out`.
    ///
    /// `records` are `count` records already encoded with ``RecordEncoder``. The payload is
    /// LZ4-compressed unless that would not make it smaller. Returns the header written.
    /// The caller (``PartitionWriter``) has checked `count` and the payload size.
    @discardableResult
    static func append(
        records: UnsafeRawBufferPointer, count: Int, baseOffset: Int64, firstTimestamp: Timestamp, maxTimestamp: Timestamp,
        fingerprint: SchemaFingerprint, to out: inout [UInt8]
    ) -> BatchHeader {
        precondition(count >= 1 && count <= records.count && records.count <= BatchHeader.maxPayloadBytes)
        let start = out.count
        let bound = compressBound(records.count)
        out.append(contentsOf: repeatElement(0, count: BatchHeader.size + bound))
        var header = BatchHeader(
            codec: .lz4Block, baseOffset: baseOffset, recordCount: count, storedLength: 0, uncompressedLength: records.count,
            firstTimestamp: firstTimestamp, maxTimestamp: maxTimestamp, fingerprint: fingerprint, crc: 0)
        out.withUnsafeMutableBytes { whole in
            let batch = UnsafeMutableRawBufferPointer(rebasing: whole[start...])
            let payload = UnsafeMutableRawBufferPointer(rebasing: batch[BatchHeader.size...])
            var stored = 0
            if let src = records.baseAddress, let dst = payload.baseAddress {
                stored = Int(LZ4_compress_default(
                    src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
                    Int32(records.count), Int32(bound)))
            }
            if stored <= 0 || stored >= records.count {
                header.codec = .none
                stored = records.count
                payload.copyMemory(from: records)
            }
            header.storedLength = stored
            header.write(to: batch)
            var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: batch[..<BatchHeader.crcPosition]))
            crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: payload[..<stored]), continuing: crc)
            header.crc = crc
            batch.storeBytes(of: crc.littleEndian, toByteOffset: BatchHeader.crcPosition, as: UInt32.self)
        }
        out.removeLast(bound - header.storedLength)
        return header
    }

    /// Checks the batch at the start of `raw`: header, length, CRC. Does not decompress.
    public static func check(_ raw: UnsafeRawBufferPointer) -> Result<BatchHeader, Problem> {
        let header: BatchHeader
        switch BatchHeader.parse(raw) {
        case .success(let h): header = h
        case .failure(.shortHeader(let n)): return .failure(.truncated(needed: BatchHeader.size, available: n))
        case .failure(let p): return .failure(.header(p))
        }
        guard header.totalLength <= raw.count else {
            return .failure(.truncated(needed: header.totalLength, available: raw.count))
        }
        var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<BatchHeader.crcPosition]))
        crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[BatchHeader.size..<header.totalLength]), continuing: crc)
        guard crc == header.crc else { return .failure(.crcMismatch(stored: header.crc, computed: crc)) }
        return .success(header)
    }

    /// The uncompressed payload of a checked batch (`raw` starts at its header).
    public static func payload(of header: BatchHeader, in raw: UnsafeRawBufferPointer) -> Result<[UInt8], Problem> {
        var output: [UInt8] = []
        return payload(of: header, in: raw, into: &output).map { _ in output }
    }

    /// Decompresses the payload of a checked batch into `buffer`, reusing its memory; on success `buffer`
    /// holds exactly the payload.
    public static func payload(of header: BatchHeader, in raw: UnsafeRawBufferPointer, into buffer: inout [UInt8]) -> Result<Void, Problem> {
        guard header.totalLength <= raw.count else {
            return .failure(.truncated(needed: header.totalLength, available: raw.count))
        }
        let stored = UnsafeRawBufferPointer(rebasing: raw[BatchHeader.size..<header.totalLength])
        switch header.codec {
        case .none:
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: stored)
            return .success(())
        case .lz4Block:
            let length = header.uncompressedLength  // ≤ BatchHeader.maxPayloadBytes, checked by the header parse
            if buffer.count < length {
                buffer.append(contentsOf: repeatElement(0, count: length - buffer.count))
            } else if buffer.count > length {
                buffer.removeLast(buffer.count - length)
            }
            let got = buffer.withUnsafeMutableBytes { dst -> Int in
                guard let d = dst.baseAddress, let s = stored.baseAddress else { return -1 }
                return Int(LZ4_decompress_safe(
                    s.assumingMemoryBound(to: CChar.self), d.assumingMemoryBound(to: CChar.self),
                    Int32(stored.count), Int32(dst.count)))
            }
            guard got == length else {
                return .failure(.decompression(expected: length, got: got))
            }
            return .success(())
        }
    }
}
