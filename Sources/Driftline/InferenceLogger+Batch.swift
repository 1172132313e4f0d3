import DriftlineCore

extension InferenceLogger {
    /// Logs every row of `batch`, all or nothing as far as validation goes.
    ///
    /// Every row is validated first: an invalid row throws a ``LoggerError`` naming it (`batch[17].features[2]`)
    /// and nothing of the batch is logged. When the buffer fills part-way, the ``BufferPolicy`` applies to the
    /// remaining rows. Returns how many rows were accepted into the buffer.
    @discardableResult
    public func log(batch: InferenceBatch) throws(LoggerError) -> Int {
        guard batch.rowCount > 0 else { return 0 }
        var bytes: [UInt8] = []
        var ends: [Int] = []
        do throws(ValidationError) {
            var latestValid = Int64.min
            try LoggerCore.checkEventTime(batch.timestamp, latestValid: &latestValid)
            try batch.encode(with: core.encoder, into: &bytes, ends: &ends)
        } catch {
            core.lock.withLock { $0.statistics.rejected += batch.rowCount }
            throw LoggerError.invalid(error)
        }
        return try core.appendEncoded(bytes, ends: ends, timestamp: batch.timestamp)
    }
}

extension LoggerCore {
    /// Copies already validated, encoded records into the buffer as room allows; returns how many were accepted.
    func appendEncoded(_ bytes: [UInt8], ends: [Int], timestamp: Timestamp) throws(LoggerError) -> Int {
        var next = 0
        let deadline: UInt64? = {
            if case .block(let timeout) = options.bufferPolicy { return MonotonicClock.deadline(after: timeout) }
            return nil
        }()
        var firstAttempt = true
        while next < ends.count {
            var waited = firstAttempt
            firstAttempt = false
            let accepted = try lock.withLock(
                waitingOn: .callers, untilNanoseconds: deadline.map { min($0, MonotonicClock.nanoseconds() + 10_000_000) },
                while: { shared in
                    defer { waited = true }
                    return !waited && !shared.closing
                }
            ) { (shared) throws(LoggerError) -> Int in
                if shared.closing { throw Self.closedError() }
                var count = 0
                while next + count < ends.count {
                    let index = next + count
                    let start = index == 0 ? 0 : ends[index - 1]
                    if shared.active.bytes.count + ends[index] - start > options.bufferBytes && !shared.active.isEmpty {
                        handOver(&shared)
                        if shared.active.bytes.count + ends[index] - start > options.bufferBytes && !shared.active.isEmpty { break }
                    }
                    shared.active.bytes.append(contentsOf: bytes[start..<ends[index]])
                    shared.active.noteRecord(timestamp: timestamp)
                    count += 1
                }
                shared.statistics.logged += count
                if shared.active.bytes.count >= options.flushBytes { handOver(&shared) }
                return count
            }
            next += accepted
            guard next < ends.count else { break }
            if let deadline, MonotonicClock.nanoseconds() < deadline { continue }
            let dropped = ends.count - next
            lock.withLock { $0.statistics.droppedBufferFull += dropped }
            break
        }
        return next
    }
}
