/// Sparse, Kafka-style indexes beside a segment (layout: `FORMAT.md`, "Indexes").
///
/// The offset index maps a record offset to the file position of the batch holding it; the time index
/// maps an event time to the first batch that may hold it. Both are advisory: a reader checks every entry
/// against the segment and falls back to scanning, and a writer rebuilds the last segment's indexes on recovery.
public enum SegmentIndex {
    /// One offset-index entry: 8 bytes, `u32 relativeOffset` then `u32 position`.
    public struct OffsetEntry: Sendable, Equatable {
        /// Base offset of the batch minus the segment's base offset.
        public var relativeOffset: UInt32
        /// Byte position of the batch in the segment file.
        public var position: UInt32
    }

    /// One time-index entry: 12 bytes, `i64 maxTimestamp` then `u32 relativeOffset`.
    public struct TimeEntry: Sendable, Equatable {
        /// The largest event time in the segment up to and including this batch.
        public var maxTimestamp: Int64
        /// Base offset of the batch minus the segment's base offset.
        public var relativeOffset: UInt32
    }

    static let offsetEntrySize = 8
    static let timeEntrySize = 12

    static func append(_ entry: OffsetEntry, to out: inout [UInt8]) {
        out.appendLittleEndian(entry.relativeOffset)
        out.appendLittleEndian(entry.position)
    }

    static func append(_ entry: TimeEntry, to out: inout [UInt8]) {
        out.appendLittleEndian(entry.maxTimestamp)
        out.appendLittleEndian(entry.relativeOffset)
    }

    /// Parses offset-index bytes, keeping the longest prefix of strictly increasing entries.
    public static func offsetEntries(_ bytes: [UInt8]) -> [OffsetEntry] {
        var entries: [OffsetEntry] = []
        bytes.withUnsafeBytes { raw in
            var at = 0
            while at + offsetEntrySize <= raw.count {
                let entry = OffsetEntry(
                    relativeOffset: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)),
                    position: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self)))
                if let last = entries.last, entry.relativeOffset <= last.relativeOffset || entry.position <= last.position { break }
                entries.append(entry)
                at += offsetEntrySize
            }
        }
        return entries
    }

    /// Parses time-index bytes, keeping the longest prefix of non-decreasing entries.
    public static func timeEntries(_ bytes: [UInt8]) -> [TimeEntry] {
        var entries: [TimeEntry] = []
        bytes.withUnsafeBytes { raw in
            var at = 0
            while at + timeEntrySize <= raw.count {
                let entry = TimeEntry(
                    maxTimestamp: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int64.self)),
                    relativeOffset: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self)))
                if let last = entries.last, entry.maxTimestamp < last.maxTimestamp || entry.relativeOffset < last.relativeOffset { break }
                entries.append(entry)
                at += timeEntrySize
            }
        }
        return entries
    }

    /// The position of the last indexed batch whose base is at or before `relativeOffset` (0 when none).
    public static func position(before relativeOffset: UInt32, in entries: [OffsetEntry]) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].relativeOffset <= relativeOffset { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? 0 : Int(entries[low - 1].position)
    }
}
