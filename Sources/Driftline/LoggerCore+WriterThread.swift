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
        let reopen: @Sendable () throws(LogError) -> PartitionWriter
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
        /// The first error since the last flush was answered; the next flush reports it.
        var errorSinceFlush: LoggerError?
        /// Counter changes of this cycle, published under the lock once per cycle (the lock stays short).
        var delta = LoggerStatistics()

        init(sink: PartitionWriter, reopen: @escaping @Sendable () throws(LogError) -> PartitionWriter) {
            self.sink = sink
            self.reopen = reopen
            self.baseOffset = sink.nextOffset
        }
    }

    /// Starts the writer thread (a real thread: it blocks in `write` and `fsync`, never on the cooperative pool).
    func startWriterThread(name: String) {
        let thread = Thread { [self] in self.runWriter() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The writer loop: wait for work (buffer past `flushBytes`, a flush, close) or the flush interval,
    /// swap buffers, write, sync when due, answer flushes.
    func runWriter() {
        let flushInterval = UInt64(clamping: max(1_000_000, options.flushInterval.wholeMicroseconds * 1000))
        let syncInterval = UInt64(clamping: max(0, options.syncInterval.wholeMicroseconds * 1000))
        while true {
            let deadline = MonotonicClock.nanoseconds() + flushInterval
            var waiters: [FlushWaiter] = []
            var closing = false
            lock.withLock(
                waitingOn: .writer, untilNanoseconds: deadline,
                while: { !$0.writerSignalled && $0.flushWaiters.isEmpty && !$0.closing }
            ) { shared in
                shared.active.closeChunk()
                swap(&shared.active, &spare)
                shared.writerSignalled = false
                shared.generation &+= 1
                waiters = shared.flushWaiters
                shared.flushWaiters.removeAll()
                closing = shared.closing
            }
            lock.broadcast(.callers)

            writeSpare()
            let now = MonotonicClock.nanoseconds()
            let syncDue = writerSide.unsynced > 0 && now &- writerSide.lastSync >= syncInterval
            if !waiters.isEmpty || closing || syncDue { syncSink() }
            if closing { closeSink() }
            publish()
            answer(waiters)
            if closing {
                lock.withLock { $0.stopped = true }
                lock.broadcast(.callers)
                return
            }
        }
    }

    /// Appends the spare buffer's chunks as batches and writes them to the OS.
    func writeSpare() {
        guard !spare.isEmpty else { return }
        defer { spare.reset() }
        if writerSide.sink == nil { reopenSink() }
        guard let sink = writerSide.sink else {
            // No partition (reopen failed): the records are lost, and counted.
            let lost = spare.count
            writerSide.delta.droppedWriteFailed += lost
            return
        }
        spare.bytes.withUnsafeBytes { raw in
            for chunk in spare.chunks {
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
        let newlyWritten = Int(written - writerSide.writtenCounted)
        let newlyLost = Int(lost - writerSide.lostCounted)
        var batches = 0
        if sink.writtenOffset == sink.nextOffset {
            batches = writerSide.unwrittenBatches
            writerSide.unwrittenBatches = 0
        }
        guard newlyWritten != 0 || newlyLost != 0 || batches != 0 else { return }
        writerSide.writtenCounted = written
        writerSide.lostCounted = lost
        writerSide.unsynced += newlyWritten
        writerSide.delta.written += newlyWritten
        writerSide.delta.droppedWriteFailed += newlyLost
        writerSide.delta.batches += batches
    }

    func syncSink() {
        guard let sink = writerSide.sink, writerSide.unsynced > 0 else { return }
        do throws(LogError) {
            try sink.sync()
            account()
            let synced = writerSide.unsynced
            writerSide.unsynced = 0
            writerSide.lastSync = MonotonicClock.nanoseconds()
            writerSide.delta.synced += synced
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

    /// Adds this cycle's counter changes to the shared statistics (one short lock).
    func publish() {
        let delta = writerSide.delta
        guard delta.written != 0 || delta.droppedWriteFailed != 0 || delta.batches != 0 || delta.synced != 0 || delta.writeErrors != 0 else { return }
        writerSide.delta = LoggerStatistics()
        lock.withLock { shared in
            shared.statistics.written += delta.written
            shared.statistics.droppedWriteFailed += delta.droppedWriteFailed
            shared.statistics.batches += delta.batches
            shared.statistics.synced += delta.synced
            shared.statistics.writeErrors += delta.writeErrors
            if let error = delta.lastError { shared.statistics.lastError = error }
        }
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
