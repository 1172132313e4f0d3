#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a writer's bytes go: a file descriptor (buffered) or memory.
final class ByteSink {
    private(set) var position: Int64 = 0
    private var buffer: [UInt8] = []
    private let fd: Int32?
    private let path: String
    static let flushThreshold = 4 << 20
    /// Writes at least this large skip the buffer (saves a copy of big pages).
    static let directWriteBytes = 256 << 10

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParquetError(.io, "cannot create \(path): errno \(errno)") }
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(Self.flushThreshold + (1 << 20))
    }

    init() {
        fd = nil
        path = "<memory>"
    }

    deinit {
        if let fd { close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if fd != nil && bytes.count >= Self.directWriteBytes {
            try flush()
            try writeAll(bytes)
            position += Int64(bytes.count)
            return
        }
        buffer.append(contentsOf: bytes)
        position += Int64(bytes.count)
        if fd != nil && buffer.count >= Self.flushThreshold { try flush() }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func flush() throws {
        guard fd != nil else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws {
        guard let fd else { return }
        var done = 0
        do {
            while done < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ParquetError(.io, "writing \(path) failed: errno \(errno)")
                }
                done += n
            }
        }
    }

    /// Flushes, fsyncs (when `sync`) and closes a file sink; returns the bytes of a memory sink.
    func finish(sync: Bool) throws -> [UInt8] {
        guard let fd else { return buffer }
        try flush()
        if sync && fsync(fd) != 0 { throw ParquetError(.io, "fsync of \(path) failed: errno \(errno)") }
        return []
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif
