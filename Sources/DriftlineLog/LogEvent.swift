import DriftlineCore

/// What a ``PartitionReader`` finds, in log order.
public enum LogEvent: Sendable {
    /// Records of one valid batch.
    case records(RecordBatch)
    /// Bytes that are not a valid batch (reported once, then skipped).
    case corruption(CorruptRegion)
    /// Offsets that will never be read: deleted by retention, or inside a corrupt region.
    case gap(Gap)
}

/// The records of one batch, decoded with the manifest the batch names (or, from a reader opened with
/// ``PartitionReader/Decoding/deferred``, its payload for ``decode(into:)``).
public struct RecordBatch: Sendable {
    /// The segment file.
    public let segmentPath: String
    /// Byte position of the batch in the segment.
    public let position: Int
    /// The batch's header (base offset, count, timestamps, fingerprint).
    public let header: BatchHeader
    /// Endpoint, model version and schema of the records.
    public let manifest: PartitionManifest
    /// Offset of the first record handed out (after the reader's start position, when it started inside
    /// the batch).
    public let firstOffset: Int64
    /// The records, in order; record `i` has offset `firstOffset + i`. Empty from a deferred reader.
    public let records: [LogRecord]
    /// The decompressed, CRC-checked payload (deferred readers only; else empty).
    public let payload: [UInt8]
    let decoder: RecordDecoder?

    init(segmentPath: String, position: Int, header: BatchHeader, manifest: PartitionManifest, firstOffset: Int64, records: [LogRecord]) {
        self.segmentPath = segmentPath
        self.position = position
        self.header = header
        self.manifest = manifest
        self.firstOffset = firstOffset
        self.records = records
        self.payload = []
        self.decoder = nil
    }

    init(segmentPath: String, position: Int, header: BatchHeader, manifest: PartitionManifest, firstOffset: Int64,
         payload: [UInt8], decoder: RecordDecoder) {
        self.segmentPath = segmentPath
        self.position = position
        self.header = header
        self.manifest = manifest
        self.firstOffset = firstOffset
        self.records = []
        self.payload = payload
        self.decoder = decoder
    }

    /// How many records the batch hands out (from `firstOffset` on).
    public var count: Int { Int(header.nextOffset - firstOffset) }

    /// The offset after the last record.
    public var nextOffset: Int64 { header.nextOffset }

    /// The records into `storage` (see ``RecordDecoder/decodeAll(_:into:)``), reusing its elements;
    /// returns the indexes of the handed-out records (record `i` has offset `firstOffset + i - range.lowerBound`).
    /// Throws when a deferred payload does not decode or holds another number of records than the header says:
    /// report the batch as corrupt and its `count` records as lost.
    public func decode(into storage: inout [DecodedRecord]) throws(CodecError) -> Range<Int> {
        guard let decoder else {
            while storage.count < records.count { storage.append(DecodedRecord()) }
            for (i, record) in records.enumerated() { storage[i] = DecodedRecord(record) }
            return 0..<records.count
        }
        let total = try payload.withUnsafeBytes { raw in
            Result { () throws(CodecError) -> Int in try decoder.decodeAll(raw, into: &storage) }
        }.get()
        guard total == header.recordCount else {
            throw CodecError(.malformed, offset: 0, detail: "\(total) records, the batch header says \(header.recordCount)")
        }
        return (total - count)..<total
    }
}

/// A region of a segment that failed a check, with the reason.
public struct CorruptRegion: Sendable, CustomStringConvertible {
    /// Which check failed.
    public enum Reason: Error, Sendable, Equatable {
        /// Header checks or CRC-32C failed.
        case badBatch(Batch.Problem)
        /// The batch passed its CRC but its payload does not decompress or its records do not decode.
        case undecodable(String)
        /// The batch names a manifest the partition does not have.
        case unknownManifest(SchemaFingerprint)
        /// The segment ends inside a batch and a newer segment exists (a torn tail that was never repaired).
        case tornTail(needed: Int, available: Int)
        /// A file named like a segment whose first batch does not start at its name's offset (copied in from
        /// elsewhere, or not a segment at all): passed over, nothing in it is read and no offset is lost to it.
        case strayFile
    }

    /// The segment file.
    public let segmentPath: String
    /// Byte position where the region starts.
    public let position: Int
    /// Why it is bad.
    public let reason: Reason

    public var description: String {
        let why: String
        switch reason {
        case .badBatch(let problem): why = problem.description
        case .undecodable(let detail): why = "batch does not decode: \(detail)"
        case .unknownManifest(let fingerprint): why = "batch names manifest \(fingerprint.hex), which the partition lacks"
        case .tornTail(let needed, let available): why = "segment ends inside a batch (\(available) of \(needed) bytes)"
        case .strayFile: why = "a stray file named like a segment (its first batch does not start at the offset its name says); it is not read: move it out of the partition folder"
        }
        return "\(segmentPath) at byte \(position): \(why); skipped"
    }
}

/// Offsets `from ..< to` that cannot be read.
public struct Gap: Sendable, Equatable, CustomStringConvertible {
    /// Why they are missing.
    public enum Reason: Sendable, Equatable {
        /// Retention deleted the segment before it was read.
        case deleted
        /// The records were in a corrupt region or batch.
        case corrupt
    }

    /// First missing offset.
    public let from: Int64
    /// First offset after the gap.
    public let to: Int64
    /// Why.
    public let reason: Reason

    public init(from: Int64, to: Int64, reason: Reason) {
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// How many records are lost.
    public var lostRecords: Int64 { to - from }

    public var description: String { "\(lostRecords) records lost (offsets \(from)..<\(to), \(reason))" }
}
