import DriftlineCore

extension PartitionWriter {
    struct RecoveredSegment {
        var segment: ActiveSegment
        var recovery: Recovery
        var nextOffset: Int64
        var created: Bool
    }

    /// Opens the partition's last segment (or creates segment 0), keeps its longest valid prefix of
    /// contiguous batches, truncates the rest and rebuilds its indexes.
    static func recoverLastSegment(in folder: String, indexInterval: Int) throws(LogError) -> RecoveredSegment {
        // The last segment that is one: a stray file named like a segment (its first batch starts elsewhere)
        // is left alone, never truncated and continued, which would move the partition's offsets to its name's.
        var files = SegmentFiles(baseOffset: 0, folder: folder)
        for candidate in try SegmentFiles.list(in: folder).reversed() where try candidate.isGenuine() != false {
            files = candidate
            break
        }
        var (segment, created) = try ActiveSegment.open(files)
        do throws(LogError) {
            let (recovery, nextOffset) = try recover(&segment, indexInterval: indexInterval)
            return RecoveredSegment(segment: segment, recovery: created ? Recovery(segmentPath: nil, validBytes: 0, droppedBytes: 0) : recovery,
                                    nextOffset: nextOffset, created: created)
        } catch {
            segment.closeFiles()
            throw error
        }
    }

    /// Scans `segment` from its start, truncates after the last valid batch, rewrites the indexes.
    static func recover(_ segment: inout ActiveSegment, indexInterval: Int) throws(LogError) -> (Recovery, Int64) {
        let size = try segment.log.size()
        var scanner = SegmentScanner(file: segment.log, position: 0)
        var expected = segment.files.baseOffset
        var marks = ActiveSegment.Marks()
        var index: [UInt8] = [], timeIndex: [UInt8] = []
        var problem: String?
        scan: while true {
            switch try scanner.next(fileSize: size) {
            case .end:
                break scan
            case .incomplete(_, let needed, let available):
                problem = "torn batch: \(available) of \(needed) bytes"
                break scan
            case .bad(_, let why):
                problem = why.description
                break scan
            case .batch(let header, let position, _):
                guard header.baseOffset == expected else {
                    problem = "batch base offset \(header.baseOffset), expected \(expected)"
                    scanner.position = position
                    break scan
                }
                addIndexEntries(for: header, at: position, base: segment.files.baseOffset, marks: &marks,
                                interval: indexInterval, index: &index, timeIndex: &timeIndex)
                expected = header.nextOffset
            }
        }
        let valid = scanner.position
        if valid < size { try segment.log.truncate(to: valid) }
        try segment.index.truncate(to: 0)
        try segment.timeIndex.truncate(to: 0)
        try index.withRawBytes { (raw) throws(LogError) in try segment.index.write(raw, at: 0) }
        try timeIndex.withRawBytes { (raw) throws(LogError) in try segment.timeIndex.write(raw, at: 0) }
        segment.writtenBytes = valid
        segment.indexWrittenBytes = index.count
        segment.timeIndexWrittenBytes = timeIndex.count
        segment.written = marks
        segment.current = marks
        segment.indexBroken = false
        let recovery = Recovery(segmentPath: segment.files.logPath, validBytes: valid, droppedBytes: size - valid,
                                problem: size > valid ? problem : nil)
        return (recovery, expected)
    }

    /// Adds the sparse index entries a batch at `position` calls for (Kafka's rule: an entry when at least
    /// `interval` bytes of batches were appended since the last one; the first batch needs none).
    static func addIndexEntries(
        for header: BatchHeader, at position: Int, base: Int64, marks: inout ActiveSegment.Marks, interval: Int,
        index: inout [UInt8], timeIndex: inout [UInt8]
    ) {
        let relative = UInt32(truncatingIfNeeded: header.baseOffset - base)
        marks.maxTimestamp = max(marks.maxTimestamp, header.maxTimestamp.microsecondsSinceEpoch)
        if position > 0 && marks.bytesSinceIndexEntry >= interval {
            SegmentIndex.append(SegmentIndex.OffsetEntry(relativeOffset: relative, position: UInt32(position)), to: &index)
            if marks.maxTimestamp > marks.lastTimeIndexTimestamp {
                SegmentIndex.append(SegmentIndex.TimeEntry(maxTimestamp: marks.maxTimestamp, relativeOffset: relative), to: &timeIndex)
                marks.lastTimeIndexTimestamp = marks.maxTimestamp
            }
            marks.bytesSinceIndexEntry = 0
        }
        marks.bytesSinceIndexEntry += header.totalLength
    }
}
