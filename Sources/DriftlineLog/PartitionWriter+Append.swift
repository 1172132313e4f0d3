import DriftlineCore

extension PartitionWriter {
    /// Appends one batch of records already encoded with ``encoder`` and returns the offset of its first record.
    ///
    /// - Parameters:
    ///   - encodedRecords: `count` records, back to back, as ``RecordEncoder`` wrote them.
    ///   - count: how many records the bytes hold (≥ 1).
    ///   - firstTimestamp: event time of the first record.
    ///   - maxTimestamp: largest event time among the records.
    /// The batch is compressed into the write buffer; it reaches the OS when the buffer passes
    /// ``Options/writeBufferBytes`` or at the next ``flushToOS()`` / ``sync()``.
    @discardableResult
    public func append(
        encodedRecords: UnsafeRawBufferPointer, count: Int, firstTimestamp: Timestamp, maxTimestamp: Timestamp
    ) throws(LogError) -> Int64 {
        try checkUsable()
        guard count >= 1, count <= encodedRecords.count else {
            throw LogError(.invalidArgument, path: folder, detail: "a batch of \(encodedRecords.count) bytes cannot hold \(count) records")
        }
        guard encodedRecords.count <= BatchHeader.maxPayloadBytes else {
            throw LogError(.invalidArgument, path: folder, detail: "a batch holds at most \(BatchHeader.maxPayloadBytes) bytes of records, got \(encodedRecords.count)")
        }
        guard firstTimestamp <= maxTimestamp else {
            throw LogError(.invalidArgument, path: folder, detail: "firstTimestamp \(firstTimestamp) is after maxTimestamp \(maxTimestamp)")
        }
        if tailDamaged { try repairTail() }
        let logicalSize = segment.writtenBytes + pending.count
        let recordsInSegment = nextOffset - segment.files.baseOffset
        if logicalSize > 0 && (
            logicalSize + BatchHeader.size + encodedRecords.count > options.segmentBytes
                || segment.startedAt.duration(to: .now) >= options.segmentAge
                || recordsInSegment + Int64(count) > Int64(UInt32.max))
        {
            try roll()
        }
        let position = segment.writtenBytes + pending.count
        let header = Batch.append(
            records: encodedRecords, count: count, baseOffset: nextOffset, firstTimestamp: firstTimestamp,
            maxTimestamp: maxTimestamp, fingerprint: fingerprint, to: &pending)
        if !segment.indexBroken {
            Self.addIndexEntries(
                for: header, at: position, base: segment.files.baseOffset, marks: &segment.current,
                interval: options.indexIntervalBytes, index: &pendingIndex, timeIndex: &pendingTimeIndex)
        }
        nextOffset += Int64(count)
        pendingRecords += count
        pendingBatches.append(PendingBatch(
            end: pending.count, indexEnd: pendingIndex.count, timeIndexEnd: pendingTimeIndex.count,
            nextOffset: nextOffset, marks: segment.current, recordsSoFar: pendingRecords))
        if pending.count >= options.writeBufferBytes { try flushToOS() }
        return header.baseOffset
    }

    /// Appends one batch of records already encoded with ``encoder`` (array form).
    @discardableResult
    public func append(encodedRecords: [UInt8], count: Int, firstTimestamp: Timestamp, maxTimestamp: Timestamp) throws(LogError) -> Int64 {
        try encodedRecords.withUnsafeBytes { raw in
            Result { () throws(LogError) -> Int64 in
                try append(encodedRecords: raw, count: count, firstTimestamp: firstTimestamp, maxTimestamp: maxTimestamp)
            }
        }.get()
    }

    /// Validates, encodes and appends `records` as one batch (convenient for tools and tests; the logger
    /// encodes on its own buffer and calls ``append(encodedRecords:count:firstTimestamp:maxTimestamp:)``).
    @discardableResult
    public func append(_ records: [LogRecord]) throws(LogError) -> Int64 {
        guard let first = records.first else {
            throw LogError(.invalidArgument, path: folder, detail: "a batch needs at least one record")
        }
        var bytes: [UInt8] = []
        var maxTime = first.timestamp
        do throws(ValidationError) {
            for record in records {
                switch record {
                case .inference(let r): try encoder.appendInference(r, to: &bytes)
                case .label(let r): try encoder.appendLabel(r, to: &bytes)
                }
                maxTime = max(maxTime, record.timestamp)
            }
        } catch {
            throw LogError.invalid(error)
        }
        return try append(encodedRecords: bytes, count: records.count, firstTimestamp: first.timestamp, maxTimestamp: maxTime)
    }

    /// Writes the buffered batches (and their index entries) to the OS with `write(2)`.
    ///
    /// On failure (disk full, I/O error) the batches that reached the file whole are kept, the rest are
    /// discarded and the segment is cut back to the last whole batch, so a reader never sees a batch that
    /// is later taken back. The error (kind `.writeFailed`) counts the lost records; the writer stays usable.
    public func flushToOS() throws(LogError) {
        try checkUsable()
        guard !pending.isEmpty else { return }
        let (written, failure) = pending.withUnsafeBytes { segment.log.writeReportingProgress($0, at: segment.writtenBytes) }
        guard let failure else {
            commitPending(through: pendingBatches.count - 1)
            return
        }
        let whole = pendingBatches.lastIndex { $0.end <= written }
        let lost = pendingRecords - (whole.map { pendingBatches[$0].recordsSoFar } ?? 0)
        if let whole { commitPending(through: whole) }
        discardPending()
        do throws(LogError) {
            try segment.log.truncate(to: segment.writtenBytes)
        } catch {
            tailDamaged = true
        }
        throw LogError(.writeFailed, path: failure.path, errno: failure.errno, detail: failure.detail, lostRecords: lost)
    }

    /// Marks buffered batches 0…`last` as written and writes their index entries.
    func commitPending(through last: Int) {
        let batch = pendingBatches[last]
        segment.writtenBytes += batch.end
        segment.written = batch.marks
        writtenOffset = batch.nextOffset
        let index = Array(pendingIndex[..<batch.indexEnd]), timeIndex = Array(pendingTimeIndex[..<batch.timeIndexEnd])
        writeIndexes(index, timeIndex)
        if last == pendingBatches.count - 1 {
            pending.removeAll(keepingCapacity: true)
            pendingIndex.removeAll(keepingCapacity: true)
            pendingTimeIndex.removeAll(keepingCapacity: true)
            pendingBatches.removeAll(keepingCapacity: true)
            pendingRecords = 0
        }
    }

    /// Writes everything buffered and makes it durable: fsync of the segment, and of the folders in which
    /// files were created since the last sync. A failed fsync throws (kind `.syncFailed`) and leaves the
    /// writer unusable; it is never retried into a false success.
    public func sync() throws(LogError) {
        try flushToOS()
        do throws(LogError) {
            try segment.log.sync()
            for folder in foldersToSync.sorted(by: { $0.count > $1.count }) {
                try LogFolder.sync(folder)
                foldersToSync.remove(folder)
            }
        } catch {
            unusableReason = "fsync failed earlier (\(error.detail)); data may be lost: open the partition again"
            throw error
        }
    }

    /// Writes, syncs, closes the files and releases the partition's lock. The writer is unusable afterwards.
    /// A writer made unusable by a failed fsync releases the lock without syncing. Calling it twice does nothing.
    public func close() throws(LogError) {
        guard !released else { return }
        defer { release() }
        if unusableReason == nil {
            try sync()
            appendFinalTimeIndexEntry()
            unusableReason = "the writer was closed; open the partition again to write"
        }
    }

    func release() {
        guard !released else { return }
        released = true
        if unusableReason == nil { unusableReason = "the writer was closed; open the partition again to write" }
        segment.closeFiles()
        lock.release()
    }

    // MARK: - Internals

    func checkUsable() throws(LogError) {
        if let reason = unusableReason { throw LogError(.unusable, path: folder, detail: reason) }
    }

    func discardPending() {
        pending.removeAll(keepingCapacity: true)
        pendingIndex.removeAll(keepingCapacity: true)
        pendingTimeIndex.removeAll(keepingCapacity: true)
        pendingBatches.removeAll(keepingCapacity: true)
        pendingRecords = 0
        nextOffset = writtenOffset
        segment.current = segment.written
    }

    /// Best effort: indexes are advisory (readers verify them, recovery rebuilds them).
    func writeIndexes(_ index: [UInt8], _ timeIndex: [UInt8]) {
        guard !segment.indexBroken, !(index.isEmpty && timeIndex.isEmpty) else { return }
        do throws(LogError) {
            try index.withRawBytes { (raw) throws(LogError) in try segment.index.write(raw, at: segment.indexWrittenBytes) }
            segment.indexWrittenBytes += index.count
            try timeIndex.withRawBytes { (raw) throws(LogError) in try segment.timeIndex.write(raw, at: segment.timeIndexWrittenBytes) }
            segment.timeIndexWrittenBytes += timeIndex.count
        } catch {
            segment.indexBroken = true
            try? segment.index.truncate(to: 0)
            try? segment.timeIndex.truncate(to: 0)
        }
    }

    /// Adds a time-index entry for the segment's largest timestamp, so retention knows it after a roll.
    func appendFinalTimeIndexEntry() {
        guard !segment.indexBroken, segment.written.maxTimestamp > segment.written.lastTimeIndexTimestamp else { return }
        var entry: [UInt8] = []
        let relative = UInt32(truncatingIfNeeded: writtenOffset - 1 - segment.files.baseOffset)
        SegmentIndex.append(SegmentIndex.TimeEntry(maxTimestamp: segment.written.maxTimestamp, relativeOffset: relative), to: &entry)
        writeIndexes([], entry)
        segment.written.lastTimeIndexTimestamp = segment.written.maxTimestamp
        segment.current = segment.written
    }

    /// Closes the active segment (written, final time entry, fsynced) and starts one at ``nextOffset``.
    func roll() throws(LogError) {
        try flushToOS()
        appendFinalTimeIndexEntry()
        do throws(LogError) {
            try segment.log.sync()
            try segment.index.sync()
            try segment.timeIndex.sync()
        } catch {
            unusableReason = "fsync failed while closing a segment (\(error.detail)); open the partition again"
            throw error
        }
        let (next, created) = try ActiveSegment.open(SegmentFiles(baseOffset: nextOffset, folder: folder))
        segment.closeFiles()
        segment = next
        if created { foldersToSync.insert(folder) }
    }

    /// After a failed write whose tail could not be truncated: scan and cut the segment back to its valid prefix.
    func repairTail() throws(LogError) {
        let (_, next) = try Self.recover(&segment, indexInterval: options.indexIntervalBytes)
        nextOffset = next
        writtenOffset = next
        tailDamaged = false
    }
}
