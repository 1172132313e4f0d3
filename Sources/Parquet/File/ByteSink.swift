import DurableFiles

/// Where a writer's bytes go: a file (buffered; created 0640 or truncated, through DurableFiles) or memory.
final class ByteSink {
    private(set) var position: Int64 = 0
    private var buffer: [UInt8] = []
    /// Bytes of the file already written (the buffer goes after them).
    private var flushed = 0
    private var file: OpenFile?
    private let toFile: Bool
    static let flushThreshold = 4 << 20
    /// Writes at least this large skip the buffer (saves a copy of big pages).
    static let directWriteBytes = 256 << 10

    init(path: String) throws {
        do throws(FileError) {
            file = try OpenFile.open(path, creating: .truncating).file
        } catch {
            throw ParquetError(.io, "cannot create the file: \(error)")
        }
        toFile = true
        buffer.reserveCapacity(Self.flushThreshold + (1 << 20))
    }

    init() {
        file = nil
        toFile = false
    }

    deinit {
        file?.close()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if toFile && bytes.count >= Self.directWriteBytes {
            try flush()
            try writeAll(bytes)
            position += Int64(bytes.count)
            return
        }
        buffer.append(contentsOf: bytes)
        position += Int64(bytes.count)
        if toFile && buffer.count >= Self.flushThreshold { try flush() }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func flush() throws {
        guard toFile else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws {
        guard let file else { throw ParquetError(.invalidArgument, "write after the file was closed") }
        do throws(FileError) {
            try file.write(raw, at: flushed)
        } catch {
            throw ParquetError(.io, "\(error)")
        }
        flushed += raw.count
    }

    /// Flushes, fsyncs (when `sync`) and closes a file sink; returns the bytes of a memory sink.
    func finish(sync: Bool) throws -> [UInt8] {
        guard toFile else { return buffer }
        try flush()
        if sync, let file {
            do throws(FileError) { try file.sync() } catch { throw ParquetError(.io, "\(error)") }
        }
        file?.close()
        file = nil
        return []
    }
}
