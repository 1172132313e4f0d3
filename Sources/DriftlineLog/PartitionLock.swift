import DurableFiles
import SystemPackage

/// The exclusive `flock` on `<partition>/writer.lock` that makes one writer own a partition
/// (DurableFiles' ``LockFile``).
///
/// The holder records its pid, host and command in the file, so the error a second writer gets can name it.
/// The lock is released when the writer closes it or its process dies (even by SIGKILL).
struct PartitionLock {
    static let fileName = "writer.lock"
    let file: LockFile

    static func acquire(partition: String) throws(LogError) -> (lock: PartitionLock, created: Bool) {
        let path = "\(partition)/\(fileName)"
        let attempt: LockFile.Attempt
        do throws(FileError) { attempt = try LockFile.acquire(path) } catch { throw LogError(error) }
        switch attempt {
        case .acquired(let file):
            return (PartitionLock(file: file), file.created)
        case .held(let holder):
            let who = holder.map { " (held by process \($0.pid) on \($0.host): \($0.command))" } ?? ""
            throw LogError(.partitionLocked, path: path, errno: Errno.wouldBlock.rawValue,
                           detail: "the partition \(partition) is locked by another writer\(who); stop it or use another writer id")
        }
    }

    func release() {
        file.release()
    }
}
