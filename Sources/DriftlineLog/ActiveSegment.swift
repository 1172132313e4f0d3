import DriftlineCore

/// The segment a writer appends to: its three open files and what has reached them.
struct ActiveSegment {
    let files: SegmentFiles
    let log: LogFile
    let index: LogFile
    let timeIndex: LogFile
    /// When the writer started this segment (for the age roll).
    let startedAt: ContinuousClock.Instant

    /// Bytes of the log file that hold written batches.
    var writtenBytes: Int
    var indexWrittenBytes: Int
    var timeIndexWrittenBytes: Int
    /// Index writes failed and could not be undone: stop indexing this segment (readers fall back to scanning).
    var indexBroken = false

    /// Index bookkeeping, as of the last successful write and including pending batches.
    struct Marks: Equatable {
        var bytesSinceIndexEntry = 0
        var maxTimestamp = Int64.min
        var lastTimeIndexTimestamp = Int64.min
    }
    var written = Marks()
    var current = Marks()

    static func open(_ files: SegmentFiles) throws(LogError) -> (segment: ActiveSegment, created: Bool) {
        let (log, created) = try LogFile.openForWriting(files.logPath)
        let index: LogFile, timeIndex: LogFile
        do throws(LogError) {
            index = try LogFile.openForWriting(files.indexPath).file
            do throws(LogError) {
                timeIndex = try LogFile.openForWriting(files.timeIndexPath).file
            } catch {
                index.close()
                throw error
            }
        } catch {
            log.close()
            throw error
        }
        let segment = ActiveSegment(
            files: files, log: log, index: index, timeIndex: timeIndex, startedAt: .now,
            writtenBytes: 0, indexWrittenBytes: 0, timeIndexWrittenBytes: 0)
        return (segment, created)
    }

    func closeFiles() {
        log.close()
        index.close()
        timeIndex.close()
    }
}

/// A batch in the writer's buffer, and the state after it.
struct PendingBatch {
    /// End of the batch in the write buffer.
    var end: Int
    var indexEnd: Int
    var timeIndexEnd: Int
    var nextOffset: Int64
    var marks: ActiveSegment.Marks
    var recordsSoFar: Int
}
