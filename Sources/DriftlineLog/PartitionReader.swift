import DriftlineCore

/// Reads a partition from an offset, across segments, while its writer may still be appending.
///
/// ```swift
/// let reader = try PartitionReader(partition: "/var/lib/driftline/log/iris/host-1", from: savedOffset)
/// for event in try reader.read() {              // everything readable now; [] when caught up
///     switch event {
///     case .records(let batch): handle(batch.records, manifest: batch.manifest)
///     case .corruption(let region): log(region)   // reported once, then skipped
///     case .gap(let gap): count(gap.lostRecords)  // deleted by retention or inside a corrupt region
///     }
/// }
/// // or: for try await event in reader.follow() { ... }   // polls; new data shows within the poll interval
/// ```
///
/// The reader never takes the writer's lock and never trusts the bytes: a batch that fails its header
/// checks, CRC-32C, decompression or record decoding is reported and skipped (the reader searches forward
/// for the next valid batch). A batch torn at the end of the last segment is treated as not yet written.
/// Not thread-safe, and so not `Sendable`: one task owns a reader; hand it to another isolation domain
/// only as a `sending` value, never share it.
public final class PartitionReader {
    /// The partition folder.
    public let folder: String
    /// The offset of the next record to read; save it to resume later.
    public private(set) var position: Int64

    var current: OpenSegment?
    var manifests: [SchemaFingerprint: PartitionManifest] = [:]
    /// Manifest files the last re-read could not use, with why.
    var manifestProblems: [String] = []
    /// Files named like segments whose first batch does not start at their name's offset: passed over.
    var strays: Set<String> = []
    /// Strays found since the last read (reported as corruption events of kind `strayFile`).
    var newStrays: [String] = []
    var decoders: [SchemaFingerprint: RecordDecoder] = [:]
    /// Reused for decompressed payloads (no page faults from a fresh large allocation per batch).
    var payloadBuffer: [UInt8] = []
    /// Whether batches come decoded or as payloads the consumer decodes.
    public let decoding: Decoding
    /// Why the last ``read(maxBatches:)`` stopped before a batch it cannot decode yet, or nil. The batch names a
    /// model manifest that no readable manifest file of the partition holds (the file was deleted or damaged,
    /// both copies): the reader is *held* there. Its records are not skipped as lost; every read tries the
    /// batch again, so restoring the manifest file resumes the partition where it stopped.
    public private(set) var held: String?

    /// How the reader hands out a batch's records.
    public enum Decoding: Sendable {
        /// Decoded into ``RecordBatch/records`` (a batch whose records do not decode is reported as corrupt).
        case records
        /// Left in the checked, decompressed ``RecordBatch/payload`` for ``RecordBatch/decode(into:)``, which
        /// reuses the caller's storage; for readers that look at each record once and must not allocate
        /// per record (the tail stage). A batch that passes its CRC but does not decode is found only then:
        /// the caller reports it as corrupt.
        case deferred
    }

    struct OpenSegment {
        let files: SegmentFiles
        let file: LogFile
        /// Byte position of the next batch to read.
        var filePosition: Int
        /// After a bad batch: the search for the next valid one resumes here.
        var resyncFrom: Int?
    }

    /// A reader of `partition` starting at record offset `offset` (0: the oldest record still kept).
    public init(partition: String, from offset: Int64 = 0, decoding: Decoding = .records) throws(LogError) {
        guard offset >= 0 else { throw LogError(.invalidArgument, path: partition, detail: "start offset \(offset) is negative") }
        self.folder = partition
        self.position = offset
        self.decoding = decoding
    }

    deinit {
        current?.file.close()
    }

    /// Reads what is readable now, up to `maxBatches` record batches; returns [] when caught up.
    public func read(maxBatches: Int = 64) throws(LogError) -> [LogEvent] {
        held = nil
        var events: [LogEvent] = []
        var batches = 0
        while batches < maxBatches {
            if current == nil {
                guard try openSegment(events: &events) else { break }
            }
            let progressed = try step(events: &events)
            for path in newStrays { events.append(.corruption(CorruptRegion(segmentPath: path, position: 0, reason: .strayFile))) }
            newStrays = []
            guard let progressed else { break }
            if progressed { batches += 1 }
        }
        return events
    }

    /// Follows the partition: yields events as the writer appends, checking for new data every `pollInterval`
    /// when caught up (new batches, segments and manifests show up within one interval).
    ///
    /// The sequence pulls: nothing is read ahead of the consumer. It ends when the task is cancelled, and throws
    /// only when the partition cannot be read at all (e.g. its folder is unreadable).
    public func follow(pollInterval: Duration = .milliseconds(100)) -> Following {
        Following(reader: self, pollInterval: pollInterval)
    }

    /// The events of a followed partition, as an async sequence (see ``follow(pollInterval:)``). Like the
    /// reader it pulls from, it is not `Sendable`: iterate it where it was made.
    public struct Following: AsyncSequence {
        public typealias Element = LogEvent
        let reader: PartitionReader
        let pollInterval: Duration

        public func makeAsyncIterator() -> Iterator { Iterator(reader: reader, pollInterval: pollInterval) }

        /// Pulls events from the reader, sleeping while it is caught up.
        public struct Iterator: AsyncIteratorProtocol {
            let reader: PartitionReader
            let pollInterval: Duration
            var buffered: [LogEvent] = []
            var index = 0

            public mutating func next() async throws -> LogEvent? {
                try await next(isolation: nil)
            }

            /// Runs on the caller's actor (`for try await` passes it), so the non-`Sendable` reader never
            /// leaves the isolation domain that owns it.
            public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> LogEvent? {
                while index == buffered.count {
                    if Task.isCancelled { return nil }
                    buffered = try reader.read()
                    index = 0
                    if buffered.isEmpty {
                        do { try await Task.sleep(for: pollInterval) } catch { return nil }
                    }
                }
                defer { index += 1 }
                return buffered[index]
            }
        }
    }

    // MARK: - Segments

    /// Opens the segment holding ``position`` (or the first after it, reporting the gap). False when there is none.
    func openSegment(events: inout [LogEvent]) throws(LogError) -> Bool {
        let segments = try SegmentFiles.list(in: folder)
        guard let first = segments.first else { return false }
        var chosen = segments.last { $0.baseOffset <= position }
        if chosen == nil {
            events.append(.gap(Gap(from: position, to: first.baseOffset, reason: .deleted)))
            position = first.baseOffset
            chosen = first
        }
        guard let files = chosen, let file = try LogFile.openForReading(files.logPath) else { return false }
        current = OpenSegment(files: files, file: file, filePosition: try startPosition(in: files, file: file))
        return true
    }

    /// The byte position to start scanning `files` for ``position``: from the offset index when it checks out.
    func startPosition(in files: SegmentFiles, file: LogFile) throws(LogError) -> Int {
        let relative = position - files.baseOffset
        guard relative > 0, relative <= Int64(UInt32.max), let index = try LogFile.openForReading(files.indexPath) else { return 0 }
        defer { index.close() }
        let entries = SegmentIndex.offsetEntries(try index.read(count: min(try index.size(), 64 << 20), at: 0))
        let candidate = SegmentIndex.position(before: UInt32(relative), in: entries)
        guard candidate > 0 else { return 0 }
        let size = try file.size()
        var scanner = SegmentScanner(file: file, position: candidate)
        if case .batch(let header, _, _) = try scanner.next(fileSize: size), header.baseOffset <= position {
            return candidate
        }
        return 0
    }

    /// The next segment after the current one, if the writer has started it. The writer starts a segment at
    /// the offset after the last one's, so one that starts later must prove itself by its first batch: a
    /// stray file named like a segment is reported once (``strays``) and passed over, never read as a jump
    /// of its name's offsets.
    func nextSegment(after files: SegmentFiles) throws(LogError) -> SegmentFiles? {
        for candidate in try SegmentFiles.list(in: folder) where candidate.baseOffset > files.baseOffset {
            if strays.contains(candidate.logPath) { continue }
            if candidate.baseOffset <= position { return candidate }
            switch try candidate.isGenuine() {
            case true?: return candidate
            case nil: return nil          // no complete batch yet: wait for it (or for a genuine segment before it)
            case false?:
                strays.insert(candidate.logPath)
                newStrays.append(candidate.logPath)
            }
        }
        return nil
    }

    /// Leaves the current segment for `next`, reporting skipped offsets as a gap.
    func move(to next: SegmentFiles, events: inout [LogEvent], reason: Gap.Reason) {
        current?.file.close()
        current = nil
        if next.baseOffset > position {
            events.append(.gap(Gap(from: position, to: next.baseOffset, reason: reason)))
            position = next.baseOffset
        }
    }

    // MARK: - Batches

    /// Handles one batch or condition. Returns true after a record batch, false after another event,
    /// nil when nothing more is readable now.
    func step(events: inout [LogEvent]) throws(LogError) -> Bool? {
        guard var segment = current else { return nil }
        let size = try segment.file.size()
        if let from = segment.resyncFrom {
            if let found = try findValidBatch(in: segment.file, from: from, fileSize: size) {
                segment.resyncFrom = nil
                segment.filePosition = found
                current = segment
                return false
            }
            if let next = try nextSegment(after: segment.files), try segment.file.size() == size {
                move(to: next, events: &events, reason: .corrupt)
                return false
            }
            current = segment
            return nil
        }
        var scanner = SegmentScanner(file: segment.file, position: segment.filePosition)
        switch try scanner.next(fileSize: size) {
        case .incomplete(let at, let needed, let available) where try findValidBatch(in: segment.file, from: at + 1, fileSize: size) != nil:
            // A valid batch after an "incomplete" one: its length field is corrupt, it is not a torn tail.
            events.append(.corruption(CorruptRegion(segmentPath: segment.files.logPath, position: at,
                                                    reason: .badBatch(.truncated(needed: needed, available: available)))))
            segment.resyncFrom = at + 1
            current = segment
            return false
        case .end, .incomplete:
            guard let next = try nextSegment(after: segment.files) else { return nil }
            // The writer flushed this segment before starting the next; re-check its size after listing.
            let finalSize = try segment.file.size()
            if finalSize > size { return false }
            if case .incomplete(let at, let needed, let available) = try scanner.next(fileSize: finalSize) {
                events.append(.corruption(CorruptRegion(segmentPath: segment.files.logPath, position: at,
                                                        reason: .tornTail(needed: needed, available: available))))
            }
            move(to: next, events: &events, reason: .corrupt)
            return false
        case .bad(let at, let problem):
            events.append(.corruption(CorruptRegion(segmentPath: segment.files.logPath, position: at, reason: .badBatch(problem))))
            segment.resyncFrom = at + 1
            current = segment
            return false
        case .batch(let header, let at, let bytes):
            segment.filePosition = scanner.position
            current = segment
            return try deliver(header: header, at: at, bytes: bytes, segment: segment.files, events: &events)
        }
    }

    /// Decodes a valid batch and reports its records (or why they cannot be decoded); nil when the reader is
    /// ``held`` before it.
    func deliver(header: BatchHeader, at: Int, bytes: [UInt8], segment: SegmentFiles, events: inout [LogEvent]) throws(LogError) -> Bool? {
        if header.nextOffset <= position { return false }  // before the start position
        if header.baseOffset > position {
            events.append(.gap(Gap(from: position, to: header.baseOffset, reason: .corrupt)))
            position = header.baseOffset
        }
        let path = segment.logPath
        guard let manifest = try manifest(for: header.fingerprint), let decoder = decoders[header.fingerprint] else {
            // A valid batch (its CRC holds) whose schema is unreadable: hold here, never skip it as lost.
            current?.filePosition = at
            let problems = manifestProblems.isEmpty ? "no file \(header.fingerprint.hex).manifest (or its .copy) in the partition"
                : manifestProblems.joined(separator: "; ")
            held = "offset \(position) (\(path), byte \(at)) names model manifest \(header.fingerprint.hex), which cannot be read: "
                + "\(problems). The partition is held there, nothing is skipped: restore the manifest file (from a backup or "
                + "another host that logs the same model version) and reading resumes"
            return nil
        }
        if decoding == .deferred {
            var payload: [UInt8] = []
            let checked = bytes.withUnsafeBytes { raw in Batch.payload(of: header, in: raw, into: &payload) }
            if case .failure(let problem) = checked {
                events.append(.corruption(CorruptRegion(segmentPath: path, position: at, reason: .badBatch(problem))))
                events.append(.gap(Gap(from: position, to: header.nextOffset, reason: .corrupt)))
                position = header.nextOffset
                return false
            }
            events.append(.records(RecordBatch(
                segmentPath: path, position: at, header: header, manifest: manifest, firstOffset: position,
                payload: payload, decoder: decoder)))
            position = header.nextOffset
            return true
        }
        var buffer = payloadBuffer
        payloadBuffer = []
        defer { payloadBuffer = buffer }
        let decoded: Result<[LogRecord], CorruptRegion.Reason> = bytes.withUnsafeBytes { raw in
            if case .failure(let problem) = Batch.payload(of: header, in: raw, into: &buffer) {
                return .failure(.badBatch(problem))
            }
            return buffer.withUnsafeBytes { payload in
                do throws(CodecError) {
                    let records = try decoder.decodeAll(payload)
                    guard records.count == header.recordCount else {
                        return .failure(.undecodable("\(records.count) records, the header says \(header.recordCount)"))
                    }
                    return .success(records)
                } catch {
                    return .failure(.undecodable(error.description))
                }
            }
        }
        switch decoded {
        case .failure(let reason):
            events.append(.corruption(CorruptRegion(segmentPath: path, position: at, reason: reason)))
            events.append(.gap(Gap(from: position, to: header.nextOffset, reason: .corrupt)))
            position = header.nextOffset
            return false
        case .success(let records):
            let skip = Int(position - header.baseOffset)
            events.append(.records(RecordBatch(
                segmentPath: path, position: at, header: header, manifest: manifest, firstOffset: position,
                records: skip == 0 ? records : Array(records[skip...]))))
            position = header.nextOffset
            return true
        }
    }

    /// The manifest with `fingerprint`, re-reading the partition's manifest files when it is new.
    func manifest(for fingerprint: SchemaFingerprint) throws(LogError) -> PartitionManifest? {
        if let known = manifests[fingerprint] { return known }
        manifestProblems = []
        manifests = try ManifestFile.readAll(in: folder, problems: &manifestProblems)
        for (key, manifest) in manifests where decoders[key] == nil {
            decoders[key] = RecordDecoder(schema: manifest.schema)
        }
        return manifests[fingerprint]
    }

    /// The position of the first valid batch at or after `from`, searching by the magic bytes.
    func findValidBatch(in file: LogFile, from: Int, fileSize: Int) throws(LogError) -> Int? {
        let window = 1 << 20
        var start = from
        while start + BatchHeader.size <= fileSize {
            let chunk = try file.read(count: min(window + BatchHeader.size, fileSize - start), at: start)
            var i = 0
            while i + 4 <= chunk.count {
                if chunk[i] == BatchHeader.magic.0 && chunk[i + 1] == BatchHeader.magic.1
                    && chunk[i + 2] == BatchHeader.magic.2 && chunk[i + 3] == BatchHeader.magic.3
                {
                    var scanner = SegmentScanner(file: file, position: start + i)
                    if case .batch = try scanner.next(fileSize: fileSize) { return start + i }
                }
                i += 1
            }
            start += window
        }
        return nil
    }
}
