import DriftlineCore

/// Encoded records waiting for the writer thread, cut into batch-sized chunks as they arrive.
///
/// The logger keeps two: callers append to the active one under the lock; the writer thread swaps it
/// for its empty twin in O(1) and compresses and writes the full one outside the lock.
struct RecordBuffer {
    /// A run of whole records that becomes one batch.
    struct Chunk {
        var start: Int
        var end: Int
        var count: Int
        var firstTimestamp: Timestamp
        var maxTimestamp: Timestamp
    }

    /// The records, back to back, as ``RecordEncoder`` wrote them.
    var bytes: [UInt8]
    /// Closed chunks, in order.
    var chunks: [Chunk] = []
    /// The chunk still growing.
    var open: Chunk
    /// Records in the buffer.
    var count = 0
    /// Target uncompressed size of a chunk.
    let chunkBytes: Int

    init(capacity: Int, chunkBytes: Int) {
        bytes = []
        // Room for one record past the limit, so the encoder's `reserveCapacity` never reallocates.
        bytes.reserveCapacity(capacity + 128 << 10)
        self.chunkBytes = chunkBytes
        open = Chunk(start: 0, end: 0, count: 0, firstTimestamp: Timestamp(microsecondsSinceEpoch: 0), maxTimestamp: Timestamp(microsecondsSinceEpoch: 0))
    }

    var isEmpty: Bool { count == 0 }

    /// Books the record just appended at the end of ``bytes``.
    @inline(__always)
    mutating func noteRecord(timestamp: Timestamp) {
        if open.count == 0 {
            open.firstTimestamp = timestamp
            open.maxTimestamp = timestamp
        } else if timestamp > open.maxTimestamp {
            open.maxTimestamp = timestamp
        }
        open.count += 1
        count += 1
        open.end = bytes.count
        if open.end - open.start >= chunkBytes { closeChunk() }
    }

    /// Ends the growing chunk (when it holds records).
    mutating func closeChunk() {
        guard open.count > 0 else { return }
        chunks.append(open)
        open = Chunk(start: open.end, end: open.end, count: 0, firstTimestamp: open.maxTimestamp, maxTimestamp: open.maxTimestamp)
    }

    /// Empties the buffer, keeping its memory.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        chunks.removeAll(keepingCapacity: true)
        open = Chunk(start: 0, end: 0, count: 0, firstTimestamp: open.firstTimestamp, maxTimestamp: open.maxTimestamp)
        count = 0
    }
}
