import DriftlineCore

extension InferenceLogger {
    /// Records validated against one logger's schema and encoded, waiting to enter its buffer together.
    ///
    /// For a server that must tell its client the truth about each request: stage every record (a bad one
    /// throws a ``LoggerError`` naming its field and is left out), then ``InferenceLogger/tryLog(_:)`` puts all
    /// of them into the buffer or none, and never drops, so the server can answer "accepted" or "busy, retry".
    ///
    /// ```swift
    /// var staged = logger.makeStagedRecords()
    /// for record in records {
    ///     do { try logger.stage(record, into: &staged) } catch { rejected.append(error) }
    /// }
    /// if try !logger.tryLog(staged) { /* answer 503: nothing of the request is in the log */ }
    /// ```
    public struct StagedRecords: Sendable {
        /// Which logger staged them (their encoding follows its schema).
        let owner: ObjectIdentifier
        var bytes: [UInt8] = []
        /// `ends[i]` is where record `i` ends in ``bytes``.
        var ends: [Int] = []
        var timestamps: [Timestamp] = []

        init(owner: ObjectIdentifier) { self.owner = owner }

        /// Number of staged records.
        public var count: Int { ends.count }
        /// Encoded bytes staged (what they take in the buffer).
        public var byteCount: Int { bytes.count }
        /// Whether nothing is staged.
        public var isEmpty: Bool { ends.isEmpty }
    }

    /// An empty set of staged records for this logger.
    public func makeStagedRecords() -> StagedRecords { StagedRecords(owner: ObjectIdentifier(core)) }

    /// Validates `record` like ``log(_:)`` and stages it; an invalid record throws and stages nothing.
    ///
    /// A rejection is counted in ``LoggerStatistics/rejected`` as `log` would count it.
    public func stage(_ record: InferenceRecord, into staged: inout StagedRecords) throws(LoggerError) {
        try stage(timestamp: record.timestamp, into: &staged) { (encoder, bytes) throws(ValidationError) in
            try encoder.appendInference(record, to: &bytes)
        }
    }

    /// Validates a delayed label like ``logLabel(requestID:label:timestamp:)`` and stages it.
    public func stage(_ label: LabelRecord, into staged: inout StagedRecords) throws(LoggerError) {
        try stage(timestamp: label.timestamp, into: &staged) { (encoder, bytes) throws(ValidationError) in
            try encoder.appendLabel(label, to: &bytes)
        }
    }

    func stage(
        timestamp: Timestamp, into staged: inout StagedRecords, encode: (RecordEncoder, inout [UInt8]) throws(ValidationError) -> Void
    ) throws(LoggerError) {
        guard staged.owner == ObjectIdentifier(core) else { throw Self.foreignStagingError() }
        do throws(ValidationError) {
            var latestValid = Int64.min
            try LoggerCore.checkEventTime(timestamp, latestValid: &latestValid)
            try encode(core.encoder, &staged.bytes)
        } catch {
            core.lock.withLock { $0.statistics.rejected += 1 }
            throw LoggerError.invalid(error)
        }
        staged.ends.append(staged.bytes.count)
        staged.timestamps.append(timestamp)
    }

    /// Puts every staged record into the buffer, or none when the buffer lacks room for all of them.
    ///
    /// Never waits for the writer and never drops, whatever the ``BufferPolicy``: `false` means nothing was
    /// logged (and nothing counted as dropped), so the caller can refuse the request and have it retried.
    /// A set larger than the whole buffer goes in only when the buffer is empty.
    /// - Throws: ``LoggerError/Kind/closed`` after ``close()``; ``LoggerError/Kind/invalid`` for records
    ///   staged by another logger.
    public func tryLog(_ staged: StagedRecords) throws(LoggerError) -> Bool {
        guard staged.owner == ObjectIdentifier(core) else { throw Self.foreignStagingError() }
        guard !staged.isEmpty else { return true }
        return try core.lock.withLock { (shared) throws(LoggerError) -> Bool in
            if shared.closing { throw LoggerCore.closedError() }
            if shared.active.bytes.count + staged.bytes.count > core.options.bufferBytes && !shared.active.isEmpty {
                core.handOver(&shared)
                if shared.active.bytes.count + staged.bytes.count > core.options.bufferBytes && !shared.active.isEmpty {
                    return false
                }
            }
            var start = 0
            for (end, timestamp) in zip(staged.ends, staged.timestamps) {
                shared.active.bytes.append(contentsOf: staged.bytes[start..<end])
                shared.active.noteRecord(timestamp: timestamp)
                start = end
            }
            shared.statistics.logged += staged.count
            if shared.active.bytes.count >= core.options.flushBytes { core.handOver(&shared) }
            return true
        }
    }

    static func foreignStagingError() -> LoggerError {
        LoggerError.invalid(ValidationError(
            .invalidName, field: "staged", value: "records of another logger",
            detail: "stage records with the logger that logs them (its schema encodes them)"))
    }
}
