#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call's reason and what to do about it, by `errno`, e.g. `No space left on device
/// (errno 28): the disk is full: free space or move the folder to a larger disk`. Public for the store
/// built on these tables; DriftlineCore's `SystemCallAdvice` says the same for the log side (the two
/// module families share no dependency).
public func systemCallText(errno code: Int32) -> String {
    let remedy = switch code {
    case ENOENT: "check that the path exists (a missing parent folder?)"
    case EACCES, EPERM: "check its permissions: the user running driftline needs read and write access"
    case ENOSPC, EDQUOT: "the disk is full: free space or move the folder to a larger disk"
    case ENOTDIR: "a part of the path is a file, not a folder; choose another path"
    case EISDIR: "it is a folder; give a file path"
    case EROFS: "the file system is read-only; choose a writable path"
    case EEXIST: "it already exists; remove it or choose another path"
    case EMFILE, ENFILE: "too many open files; raise the limit (ulimit -n)"
    case EIO: "the device reported an I/O error; check the disk (dmesg)"
    case ENAMETOOLONG: "the path is too long; choose a shorter one"
    default: "check the path and its file system"
    }
    return "\(String(cString: strerror(code))) (errno \(code)): \(remedy)"
}
