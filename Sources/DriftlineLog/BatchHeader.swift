import DriftlineCore

/// How a batch's payload is stored.
public enum BatchCodec: UInt8, Sendable {
    /// The encoded records as they are (used when LZ4 would not make them smaller).
    case none = 0
    /// One LZ4 block (liblz4's `LZ4_compress_default` format, no frame).
    case lz4Block = 1
}

/// The fixed 64-byte header in front of every batch (layout: `FORMAT.md`, "Batch").
public struct BatchHeader: Sendable, Equatable {
    /// Header size in bytes.
    public static let size = 64
    /// The first four bytes: `D` `L` `B` and the format version 1.
    public static let magic: (UInt8, UInt8, UInt8, UInt8) = (0x44, 0x4C, 0x42, 0x01)
    /// Byte position of the CRC field; the CRC covers the bytes before it and the payload.
    public static let crcPosition = 60
    /// The largest uncompressed payload a batch may hold.
    public static let maxPayloadBytes = 64 << 20

    /// How the payload is stored.
    public var codec: BatchCodec
    /// Offset of the batch's first record; record i has offset `baseOffset + i`.
    public var baseOffset: Int64
    /// Number of records (≥ 1).
    public var recordCount: Int
    /// Payload bytes stored after the header.
    public var storedLength: Int
    /// Payload bytes after decompression.
    public var uncompressedLength: Int
    /// Event time of the first record.
    public var firstTimestamp: Timestamp
    /// Largest event time in the batch.
    public var maxTimestamp: Timestamp
    /// Fingerprint of the ``PartitionManifest`` the records were written with.
    public var fingerprint: SchemaFingerprint
    /// CRC-32C over header bytes 0..<60 then the stored payload.
    public var crc: UInt32

    /// Bytes the whole batch takes in a segment.
    public var totalLength: Int { Self.size + storedLength }
    /// Offset just past the batch's last record.
    public var nextOffset: Int64 { baseOffset + Int64(recordCount) }

    /// Writes the 64 header bytes into `raw` (which must hold at least 64 bytes).
    func write(to raw: UnsafeMutableRawBufferPointer) {
        precondition(raw.count >= Self.size)
        raw[0] = Self.magic.0; raw[1] = Self.magic.1; raw[2] = Self.magic.2; raw[3] = Self.magic.3
        raw[4] = codec.rawValue
        raw[5] = 0; raw[6] = 0; raw[7] = 0
        raw.storeBytes(of: UInt64(bitPattern: baseOffset).littleEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: UInt32(recordCount).littleEndian, toByteOffset: 16, as: UInt32.self)
        raw.storeBytes(of: UInt32(storedLength).littleEndian, toByteOffset: 20, as: UInt32.self)
        raw.storeBytes(of: UInt32(uncompressedLength).littleEndian, toByteOffset: 24, as: UInt32.self)
        raw.storeBytes(of: UInt32(0), toByteOffset: 28, as: UInt32.self)
        raw.storeBytes(of: UInt64(bitPattern: firstTimestamp.microsecondsSinceEpoch).littleEndian, toByteOffset: 32, as: UInt64.self)
        raw.storeBytes(of: UInt64(bitPattern: maxTimestamp.microsecondsSinceEpoch).littleEndian, toByteOffset: 40, as: UInt64.self)
        raw.storeBytes(of: fingerprint.value.littleEndian, toByteOffset: 48, as: UInt64.self)
        raw.storeBytes(of: UInt32(0), toByteOffset: 56, as: UInt32.self)
        raw.storeBytes(of: crc.littleEndian, toByteOffset: 60, as: UInt32.self)
    }

    /// Why 64 bytes are not a plausible batch header.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case shortHeader(Int)
        case badMagic
        case unknownCodec(UInt8)
        case nonZeroReserved
        case badRecordCount(Int)
        case badLength(stored: Int, uncompressed: Int)
        case negativeOffset(Int64)
        case timestampsOutOfOrder(first: Int64, max: Int64)

        public var description: String {
            switch self {
            case .shortHeader(let n): return "only \(n) of \(BatchHeader.size) header bytes"
            case .badMagic: return "magic is not \"DLB\\x01\""
            case .unknownCodec(let c): return "unknown codec \(c)"
            case .nonZeroReserved: return "reserved bytes are not zero"
            case .badRecordCount(let n): return "record count \(n)"
            case .badLength(let s, let u): return "stored length \(s) / uncompressed length \(u) impossible"
            case .negativeOffset(let o): return "base offset \(o) is negative"
            case .timestampsOutOfOrder(let f, let m): return "first timestamp \(f) after max timestamp \(m)"
            }
        }
    }

    /// Parses and checks the 64 bytes at the start of `raw` (the CRC is checked separately, with the payload).
    public static func parse(_ raw: UnsafeRawBufferPointer) -> Result<BatchHeader, Problem> {
        guard raw.count >= size else { return .failure(.shortHeader(raw.count)) }
        guard raw[0] == magic.0, raw[1] == magic.1, raw[2] == magic.2, raw[3] == magic.3 else { return .failure(.badMagic) }
        guard let codec = BatchCodec(rawValue: raw[4]) else { return .failure(.unknownCodec(raw[4])) }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        guard raw[5] == 0, raw[6] == 0, raw[7] == 0, u32(28) == 0, u32(56) == 0 else { return .failure(.nonZeroReserved) }
        let baseOffset = Int64(bitPattern: u64(8))
        guard baseOffset >= 0 else { return .failure(.negativeOffset(baseOffset)) }
        let count = Int(u32(16)), stored = Int(u32(20)), uncompressed = Int(u32(24))
        guard count >= 1, count <= uncompressed else { return .failure(.badRecordCount(count)) }
        let lengthOK: Bool
        switch codec {
        case .none: lengthOK = stored == uncompressed
        case .lz4Block: lengthOK = stored >= 1 && stored <= Batch.compressBound(uncompressed)
        }
        guard uncompressed <= maxPayloadBytes, lengthOK else { return .failure(.badLength(stored: stored, uncompressed: uncompressed)) }
        let first = Int64(bitPattern: u64(32)), maxTime = Int64(bitPattern: u64(40))
        guard first <= maxTime else { return .failure(.timestampsOutOfOrder(first: first, max: maxTime)) }
        return .success(BatchHeader(
            codec: codec, baseOffset: baseOffset, recordCount: count, storedLength: stored, uncompressedLength: uncompressed,
            firstTimestamp: Timestamp(microsecondsSinceEpoch: first), maxTimestamp: Timestamp(microsecondsSinceEpoch: maxTime),
            fingerprint: SchemaFingerprint(value: u64(48)), crc: u32(60)))
    }
}
