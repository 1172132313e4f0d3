#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX file operations with the durability Delta needs: every file is written under a temporary
/// name, fsynced, then renamed (or linked, when it must not replace anything) to its final name, and
/// its folder fsynced so the name survives a power cut.
enum DurableFiles {
    static let fileMode: mode_t = 0o640
    static let directoryMode: mode_t = 0o750

    /// Whether `put` created the file or found one already there.
    enum PutOutcome { case created, alreadyExists }

    /// Writes `bytes` to `path`. With `exclusive`, the file is created only if no file has that name
    /// (hard link of the fsynced temporary file, which fails atomically when the name exists).
    @discardableResult
    static func put(_ bytes: [UInt8], at path: String, exclusive: Bool) throws -> PutOutcome {
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
        try writeNew(bytes, at: temporary)
        defer { unlink(temporary) }
        if exclusive {
            if link(temporary, path) != 0 {
                let code = errno
                if code == EEXIST { return .alreadyExists }
                guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == ENOSYS else {
                    throw DeltaError.io(path: path, operation: "link", errno: code)
                }
                // No hard links on this filesystem: create the final name exclusively and write it in place.
                do {
                    try writeNew(bytes, at: path)
                } catch DeltaError.io(_, "open", EEXIST) {
                    return .alreadyExists
                }
            }
        } else if rename(temporary, path) != 0 {
            throw DeltaError.io(path: path, operation: "rename", errno: errno)
        }
        // A failure here is `io(path: directory, operation: "fsync")`: the file is in place but may not
        // survive a crash (callers that must tell this apart match on the folder path).
        try syncDirectory(directory)
        return .created
    }

    /// Creates `path` (which must not exist), writes everything and fsyncs it.
    private static func writeNew(_ bytes: [UInt8], at path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { throw DeltaError.io(path: path, operation: "open", errno: errno) }
        var failure: DeltaError?
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }   // nothing to write
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .io(path: path, operation: "write", errno: errno)
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = .io(path: path, operation: "fsync", errno: errno) }
        if close(descriptor) != 0, failure == nil { failure = .io(path: path, operation: "close", errno: errno) }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    /// Reads a whole file.
    static func readAll(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DeltaError.io(path: path, operation: "open", errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                buffer.baseAddress.map { read(descriptor, $0, buffer.count) } ?? 0
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw DeltaError.io(path: path, operation: "read", errno: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The file's modification time, or nil when it does not exist.
    static func modificationTime(_ path: String) -> DeltaTimestamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let spec = info.st_mtimespec
        #else
        let spec = info.st_mtim
        #endif
        return DeltaTimestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    /// Names in a folder (without `.` and `..`).
    static func list(_ directory: String) throws -> [String] {
        guard let handle = opendir(directory) else { throw DeltaError.io(path: directory, operation: "opendir", errno: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates a folder and its missing parents, fsyncing each parent that gained an entry.
    static func makeDirectories(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw DeltaError.io(path: path, operation: "mkdir", errno: ENOTDIR) }
            return
        }
        let (parent, _) = split(path)
        if parent != path, !parent.isEmpty { try makeDirectories(parent) }
        if mkdir(path, directoryMode) != 0, errno != EEXIST {
            throw DeltaError.io(path: path, operation: "mkdir", errno: errno)
        }
        try syncDirectory(parent.isEmpty ? "/" : parent)
    }

    /// Deletes a file; a missing file is not an error.
    static func remove(_ path: String) throws {
        if unlink(path) != 0, errno != ENOENT { throw DeltaError.io(path: path, operation: "unlink", errno: errno) }
    }

    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DeltaError.io(path: directory, operation: "open", errno: errno) }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 { throw DeltaError.io(path: directory, operation: "fsync", errno: errno) }
    }

    /// (folder, last component) of a path; the folder of a bare name is ".".
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
