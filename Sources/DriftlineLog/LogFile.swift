#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file of the log: a thin, throwing wrapper over a POSIX descriptor.
struct LogFile {
    let descriptor: Int32
    let path: String

    /// Permissions of every file the log creates (feature values can be personal data).
    static let fileMode: mode_t = 0o640
    /// Permissions of every folder the log creates.
    static let folderMode: mode_t = 0o750

    /// Opens `path` for reading and writing, creating it with mode 0640 (whatever the umask) when absent.
    /// `created` tells whether the file is new (so its folder must be synced).
    static func openForWriting(_ path: String) throws(LogError) -> (file: LogFile, created: Bool) {
        var fd = open(path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL, fileMode)
        var created = true
        if fd < 0 && errno == EEXIST {
            created = false
            fd = open(path, O_RDWR | O_CLOEXEC)
        }
        guard fd >= 0 else { throw LogError.system("open", path: path, errno: errno) }
        if created && fchmod(fd, fileMode) != 0 {
            let code = errno
            closeDescriptor(fd)
            throw LogError.system("fchmod 0640", path: path, errno: code)
        }
        return (LogFile(descriptor: fd, path: path), created)
    }

    /// Opens `path` read-only; nil when it does not exist.
    static func openForReading(_ path: String) throws(LogError) -> LogFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw LogError.system("open", path: path, errno: errno)
        }
        return LogFile(descriptor: fd, path: path)
    }

    func size() throws(LogError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw LogError.system("fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Writes all of `bytes` at `position`, retrying short writes and EINTR.
    func write(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(LogError) {
        let (_, failure) = writeReportingProgress(bytes, at: position)
        if let failure { throw failure }
    }

    /// Writes as much of `bytes` at `position` as the system takes; returns how many bytes were written
    /// and the error that stopped it, if any.
    func writeReportingProgress(_ bytes: UnsafeRawBufferPointer, at position: Int) -> (written: Int, error: LogError?) {
        guard let base = bytes.baseAddress else { return (0, nil) }
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, base + done, bytes.count - done, off_t(position + done))
            if n < 0 {
                if errno == EINTR { continue }
                return (done, LogError.system("write", path: path, errno: errno, kind: .writeFailed))
            }
            if n == 0 { return (done, LogError.system("write", path: path, errno: ENOSPC, kind: .writeFailed)) }
            done += n
        }
        return (done, nil)
    }

    /// Reads up to `count` bytes at `position` (fewer at the end of the file).
    func read(count: Int, at position: Int) throws(LogError) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while done < count {
                let n = pread(descriptor, base + done, count - done, off_t(position + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                done += n
            }
        }
        if failure != 0 { throw LogError.system("read", path: path, errno: failure) }
        if done < count { buffer.removeLast(count - done) }
        return buffer
    }

    func truncate(to length: Int) throws(LogError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno == EINTR { continue }
            throw LogError.system("ftruncate", path: path, errno: errno)
        }
    }

    /// fsync; a failure is reported, never retried into a false success.
    func sync() throws(LogError) {
        if fsync(descriptor) != 0 { throw LogError.system("fsync", path: path, errno: errno, kind: .syncFailed) }
    }

    func close() { closeDescriptor(descriptor) }
}

/// Folder operations with the log's permissions.
enum LogFolder {
    /// Creates `path` (and missing parents) with mode 0750 whatever the umask. Returns the folders created.
    @discardableResult
    static func create(_ path: String) throws(LogError) -> [String] {
        var created: [String] = []
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, LogFile.folderMode) == 0 {
                if chmod(prefix, LogFile.folderMode) != 0 { throw LogError.system("chmod 0750", path: prefix, errno: errno) }
                created.append(prefix)
            } else if errno != EEXIST {
                throw LogError.system("mkdir", path: prefix, errno: errno)
            }
        }
        return created
    }

    /// fsync of a folder, so that files created or renamed in it survive a power cut.
    static func sync(_ path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw LogError.system("open folder", path: path, errno: errno, kind: .syncFailed) }
        defer { closeDescriptor(fd) }
        if fsync(fd) != 0 { throw LogError.system("fsync folder", path: path, errno: errno, kind: .syncFailed) }
    }

    /// The names in `path` (without `.` and `..`); empty when it does not exist.
    static func list(_ path: String) throws(LogError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw LogError.system("opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}

/// `close(2)`, callable from types that have their own `close` method.
func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps a typed error.
    func withRawBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }.get()
    }
}
