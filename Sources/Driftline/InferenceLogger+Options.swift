import DriftlineLog

extension InferenceLogger {
    /// What `log` does when the in-memory buffer is full.
    public enum BufferPolicy: Sendable, Equatable {
        /// Drop the record and count it in ``LoggerStatistics/droppedBufferFull`` (the default): serving never waits.
        case dropNewest
        /// Wait up to `timeout` for the writer to make room, then drop and count.
        case block(timeout: Duration)
    }

    /// How the writer thread is scheduled beside the threads that serve requests.
    public enum WriterScheduling: Sendable, Equatable {
        /// On Linux, `SCHED_BATCH` (the default): the writer still gets its fair share of CPU, so it keeps up
        /// under full load, but its wake-ups (every flush interval) never preempt a running request thread; it
        /// runs when they wait or at the end of their time slice. Elsewhere the same as ``normal``.
        case background
        /// The operating system's default for a new thread (`SCHED_OTHER` on Linux).
        case normal
    }

    /// Tunables of a logger; the defaults suit a model server.
    public struct Options: Sendable {
        /// The partition's writer id (a folder name). Default: `<hostname>-<pid>`. Give a stable id to
        /// continue the same partition after a restart.
        public var writerID: String?
        /// Bytes of encoded records the buffer holds before the policy applies (default 8 MiB).
        /// The writer thread owns a second buffer of the same size while it writes.
        public var bufferBytes: Int = 8 << 20
        /// What `log` does when the buffer is full (default ``BufferPolicy/dropNewest``).
        public var bufferPolicy: BufferPolicy = .dropNewest
        /// Uncompressed bytes of records per batch (default 64 KiB; LZ4 sees back 64 KiB).
        public var batchBytes: Int = 64 << 10
        /// Records reach the OS at least this often (default 100 ms)...
        public var flushInterval: Duration = .milliseconds(100)
        /// ...or as soon as this many bytes of records are buffered (default 256 KiB).
        public var flushBytes: Int = 256 << 10
        /// Written records are `fsync`ed at least this often (default 1 s).
        public var syncInterval: Duration = .seconds(1)
        /// Segment size, index spacing and retention of the partition.
        public var partition = PartitionWriter.Options()
        /// How often the writer thread applies `partition.retention` (default once a minute): closed segments
        /// that every consumer (each `driftline tail`) has read and whose newest record is older than the
        /// retention age are deleted; with a size cap, the oldest go first even if unread (counted).
        public var retentionInterval: Duration = .seconds(60)
        /// How the writer thread is scheduled (default ``WriterScheduling/background``).
        public var writerScheduling: WriterScheduling = .background

        public init(
            writerID: String? = nil, bufferBytes: Int = 8 << 20, bufferPolicy: BufferPolicy = .dropNewest,
            syncInterval: Duration = .seconds(1)
        ) {
            self.writerID = writerID
            self.bufferBytes = bufferBytes
            self.bufferPolicy = bufferPolicy
            self.syncInterval = syncInterval
        }
    }
}
