import DriftlineCore

/// Walks the batches of one segment file from a byte position, checking each one.
struct SegmentScanner {
    /// What the scanner found at its position.
    enum Step {
        /// A valid batch (header checked, CRC matched); `bytes` holds header and stored payload.
        case batch(BatchHeader, position: Int, bytes: [UInt8])
        /// The file ends exactly here.
        case end
        /// The file ends inside a batch (a torn tail, or a batch still being written).
        case incomplete(position: Int, needed: Int, available: Int)
        /// The bytes here are not a valid batch.
        case bad(position: Int, problem: Batch.Problem)
    }

    let file: LogFile
    var position: Int

    /// The next step; the position moves past a valid batch only.
    mutating func next(fileSize: Int) throws(LogError) -> Step {
        let available = fileSize - position
        if available <= 0 { return .end }
        if available < BatchHeader.size { return .incomplete(position: position, needed: BatchHeader.size, available: available) }
        let headerBytes = try file.read(count: BatchHeader.size, at: position)
        guard headerBytes.count == BatchHeader.size else {
            return .incomplete(position: position, needed: BatchHeader.size, available: headerBytes.count)
        }
        let parsed = headerBytes.withUnsafeBytes { BatchHeader.parse($0) }
        let header: BatchHeader
        switch parsed {
        case .success(let h): header = h
        case .failure(let problem): return .bad(position: position, problem: .header(problem))
        }
        if header.totalLength > available {
            return .incomplete(position: position, needed: header.totalLength, available: available)
        }
        var bytes = headerBytes
        bytes += try file.read(count: header.storedLength, at: position + BatchHeader.size)
        guard bytes.count == header.totalLength else {
            return .incomplete(position: position, needed: header.totalLength, available: bytes.count)
        }
        switch bytes.withUnsafeBytes({ Batch.check($0) }) {
        case .success:
            let at = position
            position += header.totalLength
            return .batch(header, position: at, bytes: bytes)
        case .failure(let problem):
            return .bad(position: position, problem: problem)
        }
    }
}
