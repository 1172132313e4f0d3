import DriftlineCore
import DriftlineLog

/// The state an ``InferenceLogger`` shares with its writer thread.
///
/// Callers validate and encode under one short lock into the active ``RecordBuffer``; the writer thread
/// swaps that buffer for its empty twin under the same lock (O(1)) and compresses and writes outside it,
/// so `log` never waits for I/O. The thread holds the core, not the logger: when the last reference to the
/// logger goes, its `deinit` asks the thread to write what is left and stop.
final class LoggerCore: @unchecked Sendable {
    /// Shared between callers and the writer thread; only touched under ``lock``.
    struct Shared {
        var active: RecordBuffer
        var statistics = LoggerStatistics()
        /// Counts buffer swaps; a caller blocked by a full buffer waits for it to change.
        var generation: UInt64 = 0
        var writerSignalled = false
        var flushWaiters: [FlushWaiter] = []
        var closing = false
        var stopped = false
    }

    /// A `flush` waiting for the writer thread to make everything before it durable.
    struct FlushWaiter {
        let complete: @Sendable (Result<Void, LoggerError>) -> Void
    }

    let lock: _ConditionLock<Shared>
    let encoder: RecordEncoder
    let schema: ModelSchema
    let options: InferenceLogger.Options
    /// The partition folder `<log>/<endpoint>/<writer-id>`.
    let partitionFolder: String
    /// Bytes of segment files present when the logger opened the partition (see ``segmentBytesOnDisk()``).
    let initialSegmentBytes: Int

    /// Touched by the writer thread only (two properties, so one can be read while the other changes).
    var writerSide: WriterSide
    var spare: RecordBuffer

    init(sink: PartitionWriter, reopen: @escaping @Sendable () throws(LogError) -> PartitionWriter, options: InferenceLogger.Options) {
        self.encoder = sink.encoder
        self.schema = sink.manifest.schema
        self.options = options
        self.partitionFolder = sink.folder
        let chunkBytes = max(1024, options.batchBytes)
        self.lock = _ConditionLock(Shared(active: RecordBuffer(capacity: options.bufferBytes, chunkBytes: chunkBytes)))
        self.initialSegmentBytes = Self.segmentBytes(in: sink.folder)
        self.writerSide = WriterSide(sink: sink, reopen: reopen)
        self.spare = RecordBuffer(capacity: options.bufferBytes, chunkBytes: chunkBytes)
    }

    // MARK: - Callers

    /// Validates and encodes one record into the buffer, applying the buffer policy when it is full.
    ///
    /// `encode` appends exactly one record (or throws and appends nothing).
    @inline(__always)
    func append(timestamp: Timestamp, encode: (RecordEncoder, inout [UInt8]) throws(ValidationError) -> Void) throws(LoggerError) {
        let outcome = try lock.withLock { (shared) throws(LoggerError) -> AppendOutcome in
            try self.appendLocked(&shared, timestamp: timestamp, encode: encode)
        }
        if case .full(let generation) = outcome {
            try appendSlow(timestamp: timestamp, firstGeneration: generation, encode: encode)
        }
    }

    enum AppendOutcome {
        case appended
        case full(generation: UInt64)
    }

    @inline(__always)
    func appendLocked(
        _ shared: inout Shared, timestamp: Timestamp, encode: (RecordEncoder, inout [UInt8]) throws(ValidationError) -> Void
    ) throws(LoggerError) -> AppendOutcome {
        if shared.closing { throw LoggerError(.closed, detail: "the logger is closed; open a new InferenceLogger") }
        let start = shared.active.bytes.count
        do throws(ValidationError) {
            try encode(encoder, &shared.active.bytes)
        } catch {
            shared.statistics.rejected += 1
            throw LoggerError.invalid(error)
        }
        if shared.active.bytes.count > options.bufferBytes && !shared.active.isEmpty {
            shared.active.bytes.removeSubrange(start...)
            if !shared.writerSignalled {
                shared.writerSignalled = true
                lock.signal(.writer)
            }
            return .full(generation: shared.generation)
        }
        shared.active.noteRecord(timestamp: timestamp)
        shared.statistics.logged += 1
        if !shared.writerSignalled && shared.active.bytes.count >= options.flushBytes {
            shared.writerSignalled = true
            lock.signal(.writer)
        }
        return .appended
    }

    /// The buffer was full: drop (counted), or wait for the writer's next swap up to the block timeout.
    func appendSlow(
        timestamp: Timestamp, firstGeneration: UInt64, encode: (RecordEncoder, inout [UInt8]) throws(ValidationError) -> Void
    ) throws(LoggerError) {
        guard case .block(let timeout) = options.bufferPolicy else {
            lock.withLock { $0.statistics.droppedBufferFull += 1 }
            return
        }
        let deadline = MonotonicClock.deadline(after: timeout)
        var generation = firstGeneration
        while true {
            let outcome = try lock.withLock(
                waitingOn: .callers, untilNanoseconds: deadline,
                while: { $0.generation == generation && !$0.closing }
            ) { (shared) throws(LoggerError) -> AppendOutcome in
                try self.appendLocked(&shared, timestamp: timestamp, encode: encode)
            }
            guard case .full(let next) = outcome else { return }
            if MonotonicClock.nanoseconds() >= deadline {
                lock.withLock { $0.statistics.droppedBufferFull += 1 }
                return
            }
            generation = next
        }
    }

    // MARK: - Flush and close

    /// Registers `complete` to run once every record accepted so far is durable (or failed).
    func requestFlush(_ complete: @escaping @Sendable (Result<Void, LoggerError>) -> Void) {
        let stopped = lock.withLock { shared -> Bool in
            if shared.stopped { return true }
            shared.flushWaiters.append(FlushWaiter(complete: complete))
            shared.writerSignalled = true
            lock.signal(.writer)
            return false
        }
        if stopped { complete(.success(())) }
    }

    /// Asks the writer thread to write everything, sync, close the partition and exit.
    func requestClose(_ complete: (@Sendable (Result<Void, LoggerError>) -> Void)?) {
        let stopped = lock.withLock { shared -> Bool in
            if shared.stopped { return true }
            shared.closing = true
            if let complete { shared.flushWaiters.append(FlushWaiter(complete: complete)) }
            lock.signal(.writer)
            lock.broadcast(.callers)
            return false
        }
        if stopped { complete?(.success(())) }
    }

    /// A snapshot of the counters, with the bytes the partition's segments grew by.
    func statistics() -> LoggerStatistics {
        var snapshot = lock.withLock { $0.statistics }
        snapshot.bytesWritten = max(0, Self.segmentBytes(in: partitionFolder) - initialSegmentBytes)
        return snapshot
    }
}
