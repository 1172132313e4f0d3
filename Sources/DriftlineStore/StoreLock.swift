#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Who holds a `StoreLock`, as written into the lock file by the holder.
public struct LockHolder: Sendable, Equatable, Codable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    public var command: String
    /// When the lock was taken, µs since the epoch (UTC).
    public var sinceMicroseconds: Int64

    public init(pid: Int32, host: String, command: String, sinceMicroseconds: Int64) {
        self.pid = pid
        self.host = host
        self.command = command
        self.sinceMicroseconds = sinceMicroseconds
    }

    /// This process.
    public static func current(command: String? = nil) -> LockHolder {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LockHolder(pid: getpid(), host: host,
                          command: command ?? CommandLine.arguments.joined(separator: " "),
                          sinceMicroseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    public var description: String { "pid \(pid) on \(host) (\(command))" }
}

/// An exclusive, non-blocking `flock` on a file of `<store>/locks`: one tail per endpoint, one batch per
/// store. The holder writes its pid, host and command into the file so that a loser can say who holds it.
/// The lock is released by `release()`, when the value is deinitialized, or when the process dies.
///
/// ```swift
/// let lock = try StoreLock.acquire(path: store.lockPath("tail-iris"))   // throws .lockHeld(…holder…)
/// defer { lock.release() }
/// ```
public final class StoreLock: @unchecked Sendable {
    /// The lock file.
    public let path: String
    private let mutex = NSLock()
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Takes the lock at `path` without waiting; throws `.lockHeld` (with the holder, when it could be
    /// read) if another process, or another `StoreLock` of this process, holds it.
    public static func acquire(path: String, name: String? = nil, command: String? = nil) throws(StoreError) -> StoreLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            guard code == EWOULDBLOCK || code == EAGAIN else { throw .io(path: path, operation: "flock", errno: code) }
            throw .lockHeld(name: name ?? path, path: path, holder: holder(path: path))
        }
        let lock = StoreLock(path: path, descriptor: descriptor)
        var text = (try? JSONEncoder().encode(LockHolder.current(command: command))).map { Array($0) } ?? []
        text.append(10)
        // Best effort: the lock is what matters; the holder text only makes the loser's message useful.
        if ftruncate(descriptor, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            _ = fsync(descriptor)
        }
        return lock
    }

    /// The holder recorded in a lock file, or nil when it is empty or unreadable.
    public static func holder(path: String) -> LockHolder? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return try? JSONDecoder().decode(LockHolder.self, from: data)
    }

    /// Releases the lock (idempotent). The file stays; its content is stale until the next holder.
    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
