import DriftlineCore
import DriftlineLog

/// Where the writer thread puts batches: a ``PartitionWriter`` in production.
///
/// A protocol so the logger's buffering can be tested without a disk.
protocol BatchSink: AnyObject {
    /// Offset of the next record appended (counts buffered batches).
    var nextOffset: Int64 { get }
    /// Offset just past the last record written to the OS.
    var writtenOffset: Int64 { get }
    /// Compresses and buffers one batch; may write to the OS when its buffer is full.
    @discardableResult
    func append(encodedRecords: UnsafeRawBufferPointer, count: Int, firstTimestamp: Timestamp, maxTimestamp: Timestamp) throws(LogError) -> Int64
    /// Writes buffered batches to the OS.
    func flushToOS() throws(LogError)
    /// Writes and fsyncs.
    func sync() throws(LogError)
    /// Writes, syncs and releases the partition.
    func close() throws(LogError)
}

extension PartitionWriter: BatchSink {}
