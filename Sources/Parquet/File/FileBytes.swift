#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a file being read: memory-mapped read-only (no copy, no zero-filled
/// allocation), or an array given by the caller.
final class FileBytes: @unchecked Sendable {
    // Immutable after init; the mapping lives until deinit.
    private let array: [UInt8]
    private let mapped: UnsafeRawBufferPointer?

    init(_ bytes: [UInt8]) {
        array = bytes
        mapped = nil
    }

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError(.io, "cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ParquetError(.io, "cannot stat \(path): errno \(errno)") }
        let size = Int(st.st_size)
        array = []
        if size == 0 {
            mapped = nil
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw ParquetError(.io, "cannot map \(path): errno \(errno)")
        }
        mapped = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        if let mapped, let base = mapped.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), mapped.count) }
    }

    var count: Int { mapped?.count ?? array.count }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let mapped { return try body(mapped) }
        return try array.withUnsafeBytes(body)
    }
}
