import DriftlineCore
import DurableFiles

/// Which closed segments retention deletes.
///
/// A segment goes when its newest record is older than ``maxAge`` *and* every consumer has read it
/// (`consumer-*.offset` files; with none, nothing counts as read). Independently, while the partition is
/// larger than ``maxBytes``, the oldest segments go even if unread (counted in ``RetentionReport/unconsumedRecordsDeleted``).
/// The active segment is never deleted.
public struct RetentionPolicy: Sendable, Equatable {
    /// Delete consumed segments whose newest record is older than this (nil: keep forever). Default 7 days.
    public var maxAge: Duration? = .seconds(7 * 24 * 3600)
    /// Keep the partition's segment files under this many bytes, deleting the oldest even if unread (nil: no cap).
    public var maxBytes: Int?

    public init(maxAge: Duration? = .seconds(7 * 24 * 3600), maxBytes: Int? = nil) {
        self.maxAge = maxAge
        self.maxBytes = maxBytes
    }
}

/// What one retention pass did.
public struct RetentionReport: Sendable, Equatable {
    /// Base offsets of the segments deleted.
    public var deletedSegments: [Int64] = []
    /// Bytes of segment files deleted.
    public var deletedBytes = 0
    /// Records deleted before any consumer had read them (forced by the size cap).
    public var unconsumedRecordsDeleted: Int64 = 0
}

extension PartitionWriter {
    /// Deletes closed segments as ``Options/retention`` says; `now` decides what is old. With
    /// `requireOldFiles`, a segment also counts as old only when its file was last written more than the
    /// maximum age before `now` (the logger's own passes use it: a backfill of old event times is not
    /// deleted the moment the tail has read it).
    @discardableResult
    public func applyRetention(now: Timestamp = .now(), requireOldFiles: Bool = false) throws(LogError) -> RetentionReport {
        try checkUsable()
        let policy = options.retention
        let closed = try SegmentFiles.list(in: folder).filter { $0.baseOffset < segment.files.baseOffset }
        guard !closed.isEmpty else { return RetentionReport() }
        let consumers = try ConsumerOffset.readAll(in: folder)
        let consumed = consumers.values.min() ?? 0
        var sizes: [Int64: Int] = [:]
        for files in closed { sizes[files.baseOffset] = Self.fileSize(files.logPath) }
        var total = sizes.values.reduce(0, +) + segment.writtenBytes + pending.count
        var report = RetentionReport()
        for (i, files) in closed.enumerated() {
            let end = i + 1 < closed.count ? closed[i + 1].baseOffset : segment.files.baseOffset
            let size = sizes[files.baseOffset] ?? 0
            let overCap = policy.maxBytes.map { total > $0 } ?? false
            var expired = false
            if let maxAge = policy.maxAge, end <= consumed,
               let newest = try Self.newestTimestamp(files) {
                expired = newest.advanced(by: maxAge) < now
                if expired && requireOldFiles {
                    let written = (try? DurableFile.status(files.logPath))?.modificationMicroseconds ?? Int64.max
                    expired = Timestamp(microsecondsSinceEpoch: written).advanced(by: maxAge) < now
                }
            }
            guard overCap || expired else { break }  // delete oldest first, never leave holes
            for path in [files.logPath, files.indexPath, files.timeIndexPath] {
                do throws(FileError) { try DurableFile.remove(path) } catch { throw LogError(error) }
            }
            foldersToSync.insert(folder)
            report.deletedSegments.append(files.baseOffset)
            report.deletedBytes += size
            if end > consumed { report.unconsumedRecordsDeleted += end - max(files.baseOffset, consumed) }
            total -= size
        }
        return report
    }

    static func fileSize(_ path: String) -> Int {
        Int((try? DurableFile.status(path))?.size ?? 0)
    }

    /// The newest event time in a closed segment: the last time-index entry, else a scan of its headers.
    static func newestTimestamp(_ files: SegmentFiles) throws(LogError) -> Timestamp? {
        if let index = try LogFile.openForReading(files.timeIndexPath) {
            defer { index.close() }
            if let last = SegmentIndex.timeEntries(try index.read(count: try index.size(), at: 0)).last {
                return Timestamp(microsecondsSinceEpoch: last.maxTimestamp)
            }
        }
        guard let log = try LogFile.openForReading(files.logPath) else { return nil }
        defer { log.close() }
        let size = try log.size()
        var position = 0
        var newest: Int64?
        while position + BatchHeader.size <= size {
            let bytes = try log.read(count: BatchHeader.size, at: position)
            guard case .success(let header) = bytes.withUnsafeBytes({ BatchHeader.parse($0) }) else { break }
            newest = max(newest ?? .min, header.maxTimestamp.microsecondsSinceEpoch)
            position += header.totalLength
        }
        return newest.map { Timestamp(microsecondsSinceEpoch: $0) }
    }
}
