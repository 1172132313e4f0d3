/// Counters of an ``InferenceLogger`` since it was opened (a snapshot; read ``InferenceLogger/statistics``).
///
/// Every record given to `log` ends up in exactly one of: ``rejected`` (invalid input, thrown to the caller),
/// ``droppedBufferFull``, ``droppedWriteFailed``, ``written``, or still in memory (``pending``).
public struct LoggerStatistics: Sendable, CustomStringConvertible {
    /// Records accepted into the buffer (valid, not dropped for lack of space).
    public var logged = 0
    /// Records refused by validation (the caller got a ``LoggerError`` naming the field).
    public var rejected = 0
    /// Records dropped because the buffer was full (`.dropNewest`, or `.block` past its timeout).
    public var droppedBufferFull = 0
    /// Accepted records lost because writing them failed (disk full, I/O error) or their `fsync` failed.
    public var droppedWriteFailed = 0
    /// Records handed to the OS (`write(2)` succeeded).
    public var written = 0
    /// Records known durable (covered by a successful `fsync`).
    public var synced = 0
    /// Bytes of batches (headers and compressed payloads) written to the log.
    public var bytesWritten = 0
    /// Batches written.
    public var batches = 0
    /// Closed segments deleted by retention (``PartitionWriter/Options/retention``; checked once a minute).
    public var segmentsDeleted = 0
    /// Bytes of segment files retention deleted.
    public var bytesDeleted = 0
    /// Records retention deleted before every consumer had read them (only the size cap does that).
    public var unconsumedRecordsDeleted = 0
    /// Retention passes that failed (nothing lost; retried a minute later).
    public var retentionFailures = 0
    /// Failed writes and syncs so far.
    public var writeErrors = 0
    /// The most recent write or sync error, if any.
    public var lastError: LoggerError?

    public init() {}

    /// All records that will never reach the log: ``droppedBufferFull`` + ``droppedWriteFailed``.
    public var dropped: Int { droppedBufferFull + droppedWriteFailed }

    /// Records accepted but not yet written or dropped.
    public var pending: Int { logged - written - droppedWriteFailed }

    public var description: String {
        var text = "logged \(logged), written \(written), synced \(synced), dropped \(dropped) "
            + "(buffer full \(droppedBufferFull), write failed \(droppedWriteFailed)), rejected \(rejected), "
            + "\(batches) batches, \(bytesWritten) bytes"
        if let lastError { text += ", last error: \(lastError)" }
        return text
    }
}
