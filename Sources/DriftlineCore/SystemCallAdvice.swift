#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a user can do about a failed system call, by its `errno`: the second half of an error message
/// whose first half says which call failed on which path.
public enum SystemCallAdvice {
    /// The reason and a remedy, e.g. `Not a directory (errno 20): a part of the path is a file, not a folder; choose another path`.
    public static func text(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code)): \(remedy(errno: code))"
    }

    /// The remedy alone.
    public static func remedy(errno code: Int32) -> String {
        switch code {
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
    }
}
