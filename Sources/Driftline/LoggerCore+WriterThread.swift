#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DriftlineCore
import DriftlineLog
import Foundation

extension LoggerCore {
    /// What only the writer thread touches.
    struct WriterSide {
        /// The open partition; nil after a failed fsync until it is reopened.
        var sink: PartitionWriter?
        let reopen: @Sendable () throws(LogError) -> sending PartitionWriter
        /// Records handed to the current sink, and the sink's first offset.
        var submitted: Int64 = 0
        var baseOffset: Int64 = 0
        /// Records of the current sink already counted as lost or written.
        var lostCounted: Int64 = 0
        var writtenCounted: Int64 = 0
        /// Batches appended to the sink but not yet written to the OS.
        var unwrittenBatches = 0
        /// Records written since the last successful fsync.
        var unsynced = 0
        var lastSync = MonotonicClock.nanoseconds()
        /// When retention last ran (monotonic ns); it runs once a ``retentionInterval``, on the writer thread.
        var lastRetention: UInt64 = 0
        /// The first error since the last flush was answered; the next flush reports it.
        var errorSinceFlush: LoggerError?
        /// Counter changes of this cycle, published under the handoff lock once per cycle.
        var delta = LoggerStatistics()

        init(sink: sending PartitionWriter, reopen: @escaping @Sendable () throws(LogError) -> sending PartitionWriter) {
            self.sink = sink
            self.reopen = reopen
            self.baseOffset = sink.nextOffset
        }
    }

    /// One turn of the writer: the flushes its buffer answers, and whether the logger is closing.
    struct Job {
        var waiters: [FlushWaiter]
        var closing: Bool
    }

    /// Starts the writer thread (a real thread: it blocks in `write` and `fsync`, never on the cooperative pool).
    func startWriterThread(name: String) {
        let scheduling = options.writerScheduling
        let thread = Thread { [self] in
            Self.scheduleCurrentThread(scheduling)
            self.runWriter()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Names the calling thread (the writer) `driftline-log` for the OS and puts it under `scheduling`. On Linux `sched_setscheduler` with pid 0
    /// applies to the calling thread only. `SCHED_BATCH` needs no privilege; if the call fails anyway the
    /// writer keeps the default policy, which is correct, only less kind to the request threads.
    static func scheduleCurrentThread(_ scheduling: InferenceLogger.WriterScheduling) {
        #if os(Linux)
        // The name `top -H` and /proc show (glibc's pthread_setname_np is not visible to Swift): best effort.
        if let comm = FileHandle(forWritingAtPath: "/proc/thread-self/comm") {
            try? comm.write(contentsOf: Data("driftline-log".utf8))
            try? comm.close()
        }
        guard scheduling == .background else { return }
        var parameters = sched_param()
        parameters.sched_priority = 0
        let schedBatch: Int32 = 3  // SCHED_BATCH of <linux/sched.h>; glibc's header shows it only under _GNU_SOURCE
        _ = sched_setscheduler(0, schedBatch, &parameters)
        #endif
    }

    /// The writer loop: take a full buffer (handed over by a caller, or taken on the timer, a flush or close),
    /// write it, sync when due, answer flushes, give the buffer back.
    ///
    /// Buffers move between the writer's `slot` and the shared slots with `take()`/`consume`, never copied:
    /// a second reference would make the next `append` copy the whole buffer.
    func runWriter() {
        let flushInterval = max(1_000_000, Self.nanoseconds(options.flushInterval))
        let syncInterval = Self.nanoseconds(options.syncInterval)
        var slot: RecordBuffer? = nil
        while true {
            let job = nextJob(into: &slot, deadline: MonotonicClock.nanoseconds() + flushInterval)
            if var buffer = slot.take() {
                write(buffer)
                buffer.reset()
                slot = consume buffer
            }
            let now = MonotonicClock.nanoseconds()
            let syncDue = writerSide.unsynced > 0 && now &- writerSide.lastSync >= syncInterval
            if !job.waiters.isEmpty || job.closing || syncDue { syncSink() }
            if now &- writerSide.lastRetention >= retentionInterval {
                applyRetention()
                writerSide.lastRetention = now
            }
            if job.closing {
                closeSink()
                finish(job)
                return
            }
            let delta = takeDelta()
            handoff.withLock { exchange in
                exchange.spare = slot.take()
                exchange.statistics.add(delta)
            }
            lock.broadcast(.callers)  // blocked callers retry, and hand the full active buffer over
            answer(job.waiters)
        }
    }

    /// Waits for a handed-over buffer, or until the flush interval passes / a flush or close asks; then takes
    /// the active buffer itself. The buffer to write lands in `slot`.
    func nextJob(into slot: inout RecordBuffer?, deadline: UInt64) -> Job {
        let handed = handoff.withLock(
            waitingOn: .writer, untilNanoseconds: deadline,
            while: { $0.full == nil && !$0.swapRequested && !$0.closing }
        ) { exchange -> Job? in
            guard exchange.full != nil else { return nil }
            slot = exchange.full.take()
            defer { exchange.fullWaiters = [] }
            return Job(waiters: exchange.fullWaiters, closing: false)
        }
        if let handed { return handed }
        // Timer, flush or close: swap with the active buffer ourselves (records lock, then handoff lock).
        return lock.withLock { shared in
            handoff.withLock { exchange in
                exchange.swapRequested = false
                if exchange.full != nil {  // a caller handed one over meanwhile
                    slot = exchange.full.take()
                    defer { exchange.fullWaiters = [] }
                    if !shared.flushWaiters.isEmpty || shared.closing { exchange.swapRequested = true }
                    return Job(waiters: exchange.fullWaiters, closing: false)
                }
                var buffer = exchange.spare.take() ?? RecordBuffer(capacity: options.bufferBytes, chunkBytes: max(1024, options.batchBytes))
                shared.active.closeChunk()
                swap(&shared.active, &buffer)
                slot = consume buffer
                shared.generation &+= 1
                defer { shared.flushWaiters.removeAll() }
                return Job(waiters: shared.flushWaiters, closing: shared.closing)
            }
        }
    }

    /// Appends the buffer's chunks as batches and writes them to the OS.
    func write(_ buffer: borrowing RecordBuffer) {
        guard !buffer.isEmpty else { return }
        if writerSide.sink == nil { reopenSink() }
        guard let sink = writerSide.sink else {
            writerSide.delta.droppedWriteFailed += buffer.count  // no partition (reopen failed): lost, and counted
            return
        }
        buffer.bytes.withUnsafeBytes { raw in
            for chunk in buffer.chunks {
                writerSide.submitted += Int64(chunk.count)
                do throws(LogError) {
                    try sink.append(
                        encodedRecords: UnsafeRawBufferPointer(rebasing: raw[chunk.start..<chunk.end]), count: chunk.count,
                        firstTimestamp: chunk.firstTimestamp, maxTimestamp: chunk.maxTimestamp)
                    writerSide.unwrittenBatches += 1
                } catch {
                    record(error, kind: .writeFailed)
                }
                account()
            }
        }
        do throws(LogError) {
            try sink.flushToOS()
        } catch {
            record(error, kind: .writeFailed)
        }
        account()
    }

    /// Brings the counters up to date with the sink's offsets (written, or lost by a failed write).
    func account() {
        guard let sink = writerSide.sink else { return }
        let written = sink.writtenOffset - writerSide.baseOffset
        let lost = writerSide.submitted - (sink.nextOffset - writerSide.baseOffset)
        if sink.writtenOffset == sink.nextOffset {
            writerSide.delta.batches += writerSide.unwrittenBatches
            writerSide.unwrittenBatches = 0
        }
        let newlyWritten = Int(written - writerSide.writtenCounted)
        writerSide.writtenCounted = written
        writerSide.unsynced += newlyWritten
        writerSide.delta.written += newlyWritten
        writerSide.delta.droppedWriteFailed += Int(lost - writerSide.lostCounted)
        writerSide.lostCounted = lost
    }

    func syncSink() {
        guard let sink = writerSide.sink, writerSide.unsynced > 0 else { return }
        do throws(LogError) {
            try sink.sync()
            account()
            writerSide.delta.synced += writerSide.unsynced
            writerSide.unsynced = 0
            writerSide.lastSync = MonotonicClock.nanoseconds()
        } catch {
            account()
            record(error, kind: error.kind == .writeFailed ? .writeFailed : .syncFailed)
            if error.kind != .writeFailed {
                // The writer is unusable after a failed fsync; open the partition again for the next records.
                writerSide.sink = nil
                writerSide.unsynced = 0
            }
        }
    }

    /// How often the writer applies the partition's retention policy (``InferenceLogger/Options/retentionInterval``), in ns.
    var retentionInterval: UInt64 { max(1_000_000, Self.nanoseconds(options.retentionInterval)) }

    /// A duration in whole nanoseconds, saturating (negative gives 0, beyond UInt64 the maximum).
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (product, overflow) = duration.wholeMicroseconds.multipliedReportingOverflow(by: 1000)
        if overflow { return duration < .zero ? 0 : .max }
        return UInt64(clamping: product)
    }

    /// Applies ``PartitionWriter/Options/retention``: old segments that every consumer has read go, and the size
    /// cap (if set) is kept. A failure loses no record and fails no flush: it is counted in
    /// ``LoggerStatistics/retentionFailures`` and shown as ``LoggerStatistics/lastError``; the next pass retries.
    func applyRetention() {
        guard let sink = writerSide.sink else { return }
        do throws(LogError) {
            let report = try sink.applyRetention(requireOldFiles: true)
            writerSide.delta.segmentsDeleted += report.deletedSegments.count
            writerSide.delta.bytesDeleted += report.deletedBytes
            writerSide.delta.unconsumedRecordsDeleted += Int(clamping: report.unconsumedRecordsDeleted)
        } catch {
            writerSide.delta.retentionFailures += 1
            writerSide.delta.lastError = LoggerError(.retentionFailed, detail: error.description, logError: error)
        }
    }

    func closeSink() {
        guard let sink = writerSide.sink else { return }
        do throws(LogError) {
            try sink.close()
        } catch {
            record(error, kind: .syncFailed)
        }
        writerSide.sink = nil
    }

    func reopenSink() {
        do throws(LogError) {
            let sink = try writerSide.reopen()
            writerSide.sink = sink
            writerSide.submitted = 0
            writerSide.baseOffset = sink.nextOffset
            writerSide.lostCounted = 0
            writerSide.writtenCounted = 0
            writerSide.unwrittenBatches = 0
        } catch {
            record(error, kind: .openFailed)
        }
    }

    func record(_ error: LogError, kind: LoggerError.Kind) {
        let failure = LoggerError(kind, detail: error.description, logError: error)
        if writerSide.errorSinceFlush == nil { writerSide.errorSinceFlush = failure }
        writerSide.delta.writeErrors += 1
        writerSide.delta.lastError = failure
    }

    func takeDelta() -> LoggerStatistics {
        defer { writerSide.delta = LoggerStatistics() }
        return writerSide.delta
    }

    /// The last turn: publish, mark stopped (holding both locks, so no flush can slip in unanswered), answer.
    func finish(_ job: Job) {
        let delta = takeDelta()
        let late = lock.withLock { shared -> [FlushWaiter] in
            handoff.withLock { exchange in
                exchange.statistics.add(delta)
                exchange.stopped = true
            }
            defer { shared.flushWaiters.removeAll() }
            return shared.flushWaiters
        }
        lock.broadcast(.callers)
        answer(job.waiters + late)
    }

    func answer(_ waiters: [FlushWaiter]) {
        guard !waiters.isEmpty else { return }
        let result: Result<Void, LoggerError> = writerSide.errorSinceFlush.map { .failure($0) } ?? .success(())
        writerSide.errorSinceFlush = nil
        for waiter in waiters { waiter.complete(result) }
    }

    /// Total size of the partition's segment files.
    static func segmentBytes(in folder: String) -> Int {
        guard let directory = opendir(folder) else { return 0 }
        defer { closedir(directory) }
        var total = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasSuffix(".log") else { continue }
            var info = stat()
            if stat("\(folder)/\(name)", &info) == 0 { total += Int(info.st_size) }
        }
        return total
    }
}

extension LoggerStatistics {
    /// Adds the writer-side counters of `delta`.
    mutating func add(_ delta: LoggerStatistics) {
        written += delta.written
        synced += delta.synced
        droppedWriteFailed += delta.droppedWriteFailed
        batches += delta.batches
        writeErrors += delta.writeErrors
        segmentsDeleted += delta.segmentsDeleted
        bytesDeleted += delta.bytesDeleted
        unconsumedRecordsDeleted += delta.unconsumedRecordsDeleted
        retentionFailures += delta.retentionFailures
        if let error = delta.lastError { lastError = error }
    }
}
