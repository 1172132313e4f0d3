#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The POSIX calls swift-system does not wrap (fsync, fchmod, chmod, mkdir, rename, link, unlink, flock,
/// opendir), each retried on `EINTR` and returning the `Errno` of a failure. Internal: callers use the
/// durable operations built on them.
enum Posix {
    /// The calling thread's `errno`.
    static var lastError: Errno { Errno(rawValue: errno) }

    /// Runs `call` until it does not fail with `EINTR`; nil on success (`0`), else the error.
    @inline(__always)
    static func check(_ call: () -> Int32) -> Errno? {
        while true {
            if call() == 0 { return nil }
            let error = lastError
            if error != .interrupted { return error }
        }
    }

    /// Never retried: a failed fsync must not be retried into a false success (Linux may already have
    /// dropped the dirty pages and cleared the error, so a second fsync could "succeed" over lost data).
    static func syncFile(_ descriptor: FileDescriptor) -> Errno? {
        fsync(descriptor.rawValue) == 0 ? nil : lastError
    }

    static func setMode(_ descriptor: FileDescriptor, _ permissions: FilePermissions) -> Errno? {
        check { fchmod(descriptor.rawValue, permissions.rawValue) }
    }

    static func setMode(_ path: String, _ permissions: FilePermissions) -> Errno? {
        check { chmod(path, permissions.rawValue) }
    }

    static func makeFolder(_ path: String, _ permissions: FilePermissions) -> Errno? {
        check { mkdir(path, permissions.rawValue) }
    }

    static func move(_ from: String, to: String) -> Errno? {
        check { rename(from, to) }
    }

    static func hardLink(_ existing: String, to new: String) -> Errno? {
        check { link(existing, new) }
    }

    static func removeName(_ path: String) -> Errno? {
        check { unlink(path) }
    }

    static func lockOrUnlock(_ descriptor: FileDescriptor, _ operation: Int32) -> Errno? {
        check { flock(descriptor.rawValue, operation) }
    }

    /// Takes (`exclusive`) or releases an exclusive POSIX record lock on the whole file, without waiting;
    /// a conflicting lock is `wouldBlock`.
    ///
    /// On Linux the lock belongs to the open file description (`fcntl(F_OFD_SETLK)`), so it behaves like
    /// `flock` (a second open of the file conflicts, even in the same process; closing the descriptor or the
    /// process's death releases it), and conflicts with classic `fcntl`/`lockf` locks of other processes.
    /// NFS clients forward it to the server (NFSv4 `LOCK`, NFSv3 through the lock manager), so it excludes
    /// processes on other hosts sharing the filesystem. Elsewhere: `F_SETLK` (per process).
    static func recordLock(_ descriptor: FileDescriptor, exclusive: Bool) -> Errno? {
        let type = exclusive ? F_WRLCK : F_UNLCK
        var record = flock(l_type: Int16(truncatingIfNeeded: type), l_whence: Int16(truncatingIfNeeded: SEEK_SET),
                           l_start: 0, l_len: 0, l_pid: 0)
        let error = check { fcntl(descriptor.rawValue, recordLockCommand, &record) }
        // A conflicting lock: EAGAIN or EACCES (POSIX allows either).
        if error == .resourceTemporarilyUnavailable || error == .permissionDenied { return .wouldBlock }
        return error
    }

    #if os(Linux)
    /// `F_OFD_SETLK` (linux/fcntl.h; Glibc's module does not export it).
    static let recordLockCommand: Int32 = 37
    #else
    static let recordLockCommand: Int32 = F_SETLK
    #endif

    static let lockExclusiveNonBlocking = LOCK_EX | LOCK_NB
    static let unlock = LOCK_UN

    /// The names in a folder, without `.` and `..`, in no particular order.
    static func list(_ path: String) -> Result<[String], Errno> {
        guard let folder = opendir(path) else { return .failure(lastError) }
        defer { closedir(folder) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(folder) else {
                let error = lastError
                return error.rawValue == 0 ? .success(names) : .failure(error)
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    static var processID: Int32 { getpid() }

    static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "?" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func nowMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
