import DriftlineCore
import DriftlineLog

/// The state an ``InferenceLogger`` shares with its writer thread.
///
/// Two buffers take turns. Callers validate and encode under the *records* lock into the active
/// ``RecordBuffer``. When it passes `flushBytes` the caller that filled it hands it to the writer thread
/// through the *handoff* lock, taking the writer's empty buffer in exchange (an O(1) swap, and only with
/// `trylock`: a caller never waits for the writer). The writer compresses and writes outside both locks and
/// touches the records lock only for its timer and for `flush`/`close`, so a caller logging flat out cannot
/// starve it (a pthread mutex is not fair) and the writer never makes `log` wait for I/O.
/// The thread holds the core, not the logger: the logger's `deinit` asks the thread to finish and stop.
///
/// Why `@unchecked Sendable` is sound: every stored property but ``writerSide`` is a `let` of a `Sendable`
/// type or a `_ConditionLock` (whose value is only reached under its mutex). ``writerSide`` (with the
/// non-`Sendable` `PartitionWriter` in it) is written by `init` before `startWriterThread` starts the
/// thread (`Thread.start` orders the two) and afterwards read and written by the writer thread alone:
/// only `LoggerCore+WriterThread.swift` touches it, from `runWriter` and the functions it calls.
final class LoggerCore: @unchecked Sendable {
    /// Callers' side; under ``lock``.
    struct Shared {
        var active: RecordBuffer
        var statistics = LoggerStatistics()
        /// Counts swaps; a caller blocked by a full buffer waits for it to change.
        var generation: UInt64 = 0
        /// Flushes waiting for the records now in ``active``.
        var flushWaiters: [FlushWaiter] = []
        var closing = false
        /// ``EventTimeRange``'s upper bound at the last clock read (µs): a later event time reads the clock again.
        var latestValidTime = Int64.min
    }

    /// Between callers and the writer; under ``handoff``.
    struct Handoff {
        /// The writer's empty buffer, when it is not writing it.
        var spare: RecordBuffer?
        /// A full buffer handed over by a caller, with the flushes it answers.
        var full: RecordBuffer?
        var fullWaiters: [FlushWaiter] = []
        /// A flush or close wants the writer to take the active buffer even when it is small.
        var swapRequested = false
        var closing = false
        var stopped = false
        /// The writer's counters (written, synced, dropped by failed writes, batches, errors).
        var statistics = LoggerStatistics()
    }

    /// A `flush` waiting for the writer thread to make everything before it durable.
    struct FlushWaiter {
        let complete: @Sendable (Result<Void, LoggerError>) -> Void
    }

    let lock: _ConditionLock<Shared>
    let handoff: _ConditionLock<Handoff>
    let encoder: RecordEncoder
    let options: InferenceLogger.Options
    /// The partition folder `<log>/<endpoint>/<writer-id>`.
    let partitionFolder: String
    /// Bytes of segment files present when the logger opened the partition.
    let initialSegmentBytes: Int

    /// Touched by the writer thread only.
    var writerSide: WriterSide

    init(sink: sending PartitionWriter, reopen: @escaping @Sendable () throws(LogError) -> sending PartitionWriter, options: InferenceLogger.Options) {
        self.encoder = sink.encoder
        self.options = options
        self.partitionFolder = sink.folder
        let chunkBytes = max(1024, options.batchBytes)
        self.lock = _ConditionLock(Shared(active: RecordBuffer(capacity: options.bufferBytes, chunkBytes: chunkBytes)))
        self.handoff = _ConditionLock(Handoff(spare: RecordBuffer(capacity: options.bufferBytes, chunkBytes: chunkBytes)))
        self.initialSegmentBytes = Self.segmentBytes(in: sink.folder)
        self.writerSide = WriterSide(sink: sink, reopen: reopen)
    }

    static func closedError() -> LoggerError {
        LoggerError(.closed, detail: "the logger is closed; open a new InferenceLogger")
    }

    // MARK: - Callers

    /// Validates and encodes one record into the buffer, applying the buffer policy when it is full.
    ///
    /// `encode` appends exactly one record (or throws and appends nothing).
    @inline(__always)
    func append(timestamp: Timestamp, encode: (RecordEncoder, inout [UInt8]) throws(ValidationError) -> Void) throws(LoggerError) {
        let appended = try lock.withLock { (shared) throws(LoggerError) -> Bool in
            try self.appendLocked(&shared, timestamp: timestamp, encode: encode)
        }
        if !appended { try appendSlow(timestamp: timestamp, encode: encode) }
    }

    /// Appends under the records lock; false when the buffer is full (nothing appended).
    @inline(__always)
    func appendLocked(
        _ shared: inout Shared, timestamp: Timestamp, encode: (RecordEncoder, inout [UInt8]) throws(ValidationError) -> Void
    ) throws(LoggerError) -> Bool {
        if shared.closing { throw Self.closedError() }
        let start = shared.active.bytes.count
        do throws(ValidationError) {
            try Self.checkEventTime(timestamp, latestValid: &shared.latestValidTime)
            try encode(encoder, &shared.active.bytes)
        } catch {
            shared.statistics.rejected += 1
            throw LoggerError.invalid(error)
        }
        if shared.active.bytes.count > options.bufferBytes && !shared.active.isEmpty {
            shared.active.bytes.removeSubrange(start...)
            handOver(&shared)
            return false
        }
        shared.active.noteRecord(timestamp: timestamp)
        shared.statistics.logged += 1
        if shared.active.bytes.count >= options.flushBytes { handOver(&shared) }
        return true
    }

    /// The event-time rule (``EventTimeRange``) every record meets before it is logged: from 2000-01-01 to one
    /// hour after now, the same rule `tail` quarantines by. The clock is read only when `time` is after the
    /// bound of the last read (`latestValid`, µs), so the common case costs two comparisons.
    @inline(__always)
    static func checkEventTime(_ time: Timestamp, latestValid: inout Int64) throws(ValidationError) {
        let micros = time.microsecondsSinceEpoch
        if micros >= EventTimeRange.earliest.microsecondsSinceEpoch && micros <= latestValid { return }
        let range = EventTimeRange(now: .now())
        latestValid = range.upperBound.microsecondsSinceEpoch
        try range.check(time)
    }

    /// Gives the active buffer to the writer when its spare is free (never waits for the handoff lock).
    @inline(__always)
    func handOver(_ shared: inout Shared) {
        let swapped = handoff.withLockIfAvailable { exchange -> Bool in
            guard exchange.full == nil, var spare = exchange.spare.take() else { return false }
            shared.active.closeChunk()
            swap(&shared.active, &spare)
            exchange.full = consume spare
            exchange.fullWaiters = shared.flushWaiters
            shared.flushWaiters.removeAll()
            return true
        }
        if swapped == true {
            shared.generation &+= 1
            handoff.signal(.writer)
        }
    }

    /// The buffer was full: drop (counted), or wait for room up to the block timeout.
    func appendSlow(timestamp: Timestamp, encode: (RecordEncoder, inout [UInt8]) throws(ValidationError) -> Void) throws(LoggerError) {
        guard case .block(let timeout) = options.bufferPolicy else {
            lock.withLock { $0.statistics.droppedBufferFull += 1 }
            return
        }
        let deadline = MonotonicClock.deadline(after: timeout)
        while true {
            // One bounded wait per attempt: the writer broadcasts when it frees its buffer, then we retry
            // (and the retry hands the full buffer over).
            var waited = false
            let appended = try lock.withLock(
                waitingOn: .callers, untilNanoseconds: min(deadline, MonotonicClock.nanoseconds() + 10_000_000),
                while: { shared in
                    defer { waited = true }
                    return !waited && !shared.closing
                }
            ) { (shared) throws(LoggerError) -> Bool in
                try self.appendLocked(&shared, timestamp: timestamp, encode: encode)
            }
            if appended { return }
            if MonotonicClock.nanoseconds() >= deadline {
                lock.withLock { $0.statistics.droppedBufferFull += 1 }
                return
            }
        }
    }

    // MARK: - Flush and close

    /// Registers `complete` to run once every record accepted so far is durable (or failed).
    func requestFlush(_ complete: @escaping @Sendable (Result<Void, LoggerError>) -> Void) {
        // Lock order everywhere: records, then handoff. The writer sets `stopped` holding both, so a waiter
        // registered here is always answered.
        let stopped = lock.withLock { shared -> Bool in
            if handoff.withLock({ $0.stopped }) { return true }
            shared.flushWaiters.append(FlushWaiter(complete: complete))
            return false
        }
        if stopped { return complete(outcomeAfterStop()) }
        handoff.withLock { $0.swapRequested = true }
        handoff.signal(.writer)
    }

    /// Asks the writer thread to write everything, sync, close the partition and exit.
    func requestClose(_ complete: (@Sendable (Result<Void, LoggerError>) -> Void)?) {
        let stopped = lock.withLock { shared -> Bool in
            if handoff.withLock({ $0.stopped }) { return true }
            shared.closing = true
            if let complete { shared.flushWaiters.append(FlushWaiter(complete: complete)) }
            return false
        }
        if stopped {
            complete?(outcomeAfterStop())
            return
        }
        lock.broadcast(.callers)
        handoff.withLock { $0.closing = true }
        handoff.signal(.writer)
    }

    /// What a flush or close asked after the writer stopped answers: success only when every record accepted
    /// was synced (the writer's last write and fsync, at close, may have failed).
    func outcomeAfterStop() -> Result<Void, LoggerError> {
        let counts = statistics()
        guard counts.synced < counts.logged else { return .success(()) }
        return .failure(LoggerError(
            counts.lastError?.kind ?? .syncFailed,
            detail: "\(counts.logged - counts.synced) of the \(counts.logged) records accepted were not synced before the logger closed"
                + (counts.lastError.map { ": \($0)" } ?? "")))
    }

    /// A snapshot of the counters, with the bytes the partition's segments grew by.
    func statistics() -> LoggerStatistics {
        var snapshot = lock.withLock { $0.statistics }
        let writer = handoff.withLock { $0.statistics }
        snapshot.written = writer.written
        snapshot.synced = writer.synced
        snapshot.droppedWriteFailed = writer.droppedWriteFailed
        snapshot.batches = writer.batches
        snapshot.writeErrors = writer.writeErrors
        snapshot.lastError = writer.lastError
        snapshot.segmentsDeleted = writer.segmentsDeleted
        snapshot.bytesDeleted = writer.bytesDeleted
        snapshot.unconsumedRecordsDeleted = writer.unconsumedRecordsDeleted
        snapshot.retentionFailures = writer.retentionFailures
        // Segment bytes now, plus what retention deleted, minus what was there at open.
        snapshot.bytesWritten = max(0, Self.segmentBytes(in: partitionFolder) &+ writer.bytesDeleted &- initialSegmentBytes)
        return snapshot
    }
}
