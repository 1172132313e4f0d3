#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DurableFiles

/// The bytes of a file being read: memory-mapped read-only (no copy, no zero-filled
/// allocation), or an array given by the caller.
///
/// Why `@unchecked Sendable` is sound: both stored properties are `let`s set in `init`; the mapping is
/// `PROT_READ` (nothing writes through it) and private, and it is unmapped only in `deinit`, when no
/// other reference can exist. Concurrent readers only read immutable memory.
final class FileBytes: @unchecked Sendable {
    private let array: [UInt8]
    private let mapped: UnsafeRawBufferPointer?

    init(_ bytes: [UInt8]) {
        array = bytes
        mapped = nil
    }

    init(path: String) throws {
        let file: OpenFile
        let size: Int
        do throws(FileError) {
            guard let opened = try OpenFile.openForReading(path) else {
                throw FileError(.open, path: path, errno: .noSuchFileOrDirectory)
            }
            file = opened
            do throws(FileError) { size = try file.size() } catch {
                file.close()
                throw error
            }
        } catch {
            throw ParquetError(.io, "\(error)")
        }
        defer { file.close() }
        array = []
        if size == 0 {
            mapped = nil
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, file.descriptor.rawValue, 0), p != MAP_FAILED else {
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
