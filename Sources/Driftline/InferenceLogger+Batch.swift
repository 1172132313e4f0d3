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
        var generation: UInt64? = nil
        while next < ends.count {
            let (accepted, nowGeneration) = try lock.withLock(
                waitingOn: .callers, untilNanoseconds: deadline,
                while: { shared in generation.map { shared.generation == $0 && !shared.closing } ?? false }
            ) { (shared) throws(LoggerError) -> (Int, UInt64) in
                if shared.closing { throw LoggerError(.closed, detail: "the logger is closed; open a new InferenceLogger") }
                var count = 0
                while next + count < ends.count {
                    let index = next + count
                    let start = index == 0 ? 0 : ends[index - 1]
                    let length = ends[index] - start
                    if shared.active.bytes.count + length > options.bufferBytes && !shared.active.isEmpty { break }
                    shared.active.bytes.append(contentsOf: bytes[start..<ends[index]])
                    shared.active.noteRecord(timestamp: timestamp)
                    count += 1
                }
                shared.statistics.logged += count
                if !shared.writerSignalled && (shared.active.bytes.count >= options.flushBytes || next + count < ends.count) {
                    shared.writerSignalled = true
                    lock.signal(.writer)
                }
                return (count, shared.generation)
            }
            next += accepted
            guard next < ends.count else { break }
            if let deadline, MonotonicClock.nanoseconds() < deadline {
                generation = nowGeneration
                continue
            }
            let dropped = ends.count - next
            lock.withLock { $0.statistics.droppedBufferFull += dropped }
            break
        }
        return next
    }
}
