#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exclusive `flock` on `<partition>/writer.lock` that makes one writer own a partition.
///
/// The holder writes its process id into the file, so the error a second writer gets can name it.
/// The lock is released when the writer closes it or its process dies (even by SIGKILL).
struct PartitionLock {
    static let fileName = "writer.lock"
    let file: LogFile

    static func acquire(partition: String) throws(LogError) -> (lock: PartitionLock, created: Bool) {
        let path = "\(partition)/\(fileName)"
        let (file, created) = try LogFile.openForWriting(path)
        while flock(file.descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            var holder = ""
            if let bytes = try? file.read(count: 32, at: 0) {
                let pid = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
                if !pid.isEmpty { holder = " (held by process \(pid))" }
            }
            file.close()
            if code == EWOULDBLOCK {
                throw LogError(.partitionLocked, path: path, errno: code,
                               detail: "the partition \(partition) is locked by another writer\(holder); stop it or use another writer id")
            }
            throw LogError.system("flock", path: path, errno: code)
        }
        let pid = Array("\(getpid())\n".utf8)
        try? file.truncate(to: 0)
        try? pid.withRawBytes { (raw) throws(LogError) in try file.write(raw, at: 0) }
        return (PartitionLock(file: file), created)
    }

    func release() {
        _ = flock(file.descriptor, LOCK_UN)
        file.close()
    }
}
