import SystemPackage

extension FileError {
    /// What a user can do about a failed system call, by its `errno`: the second half of an error message
    /// whose first half says which call failed on which path, e.g.
    /// `No space left on device (errno 28): the disk is full: free space or move the folder to a larger disk`.
    public static func advice(for errno: Errno) -> String {
        "\(errno.description) (errno \(errno.rawValue)): \(remedy(for: errno))"
    }

    /// The remedy alone.
    public static func remedy(for errno: Errno) -> String {
        switch errno {
        case .noSuchFileOrDirectory: "check that the path exists (a missing parent folder?)"
        case .permissionDenied, .notPermitted: "check its permissions: the user running driftline needs read and write access"
        case .noSpace, .diskQuotaExceeded: "the disk is full: free space or move the folder to a larger disk"
        case .fileTooLarge: "the file would pass a size limit (`ulimit -f`, or the file system's): raise the limit or free space"
        case .notDirectory: "a part of the path is a file, not a folder; choose another path"
        case .isDirectory: "it is a folder; give a file path"
        case .readOnlyFileSystem: "the file system is read-only; choose a writable path"
        case .fileExists: "it already exists; remove it or choose another path"
        case .tooManyOpenFiles, .tooManyOpenFilesInSystem: "too many open files; raise the limit (ulimit -n)"
        case .ioError: "the device reported an I/O error; check the disk (dmesg)"
        case .fileNameTooLong: "the path is too long; choose a shorter one"
        case .resourceTemporarilyUnavailable: "another process holds it; wait for that process or stop it"
        default: "check the path and its file system"
        }
    }

    /// ``advice(for:)`` of a raw `errno` number (for callers that hold a C `Int32`).
    public static func advice(errno code: Int32) -> String { advice(for: Errno(rawValue: code)) }
}
