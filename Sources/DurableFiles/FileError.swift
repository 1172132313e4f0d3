import SystemPackage

/// A file operation that failed: which call, on which path, and why (the system's `errno`).
///
/// Its description says all three and what to do, e.g.
/// `fsync failed on /var/lib/driftline/log/iris/w1/00000000000000000000.log: Input/output error (errno 5):
/// the device reported an I/O error; check the disk (dmesg)`. Each module maps it into its own error type
/// (`LogError`, `DeltaError`, `StoreError`, …), keeping ``operation``, ``path`` and ``errno``.
public struct FileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The system call that failed.
    public enum Operation: Sendable, Hashable, CustomStringConvertible {
        case open, read, write, fsync, rename, link, unlink, mkdir, chmod, stat, lock, truncate, close
        /// `opendir`/`readdir` of a folder.
        case list
        /// The fsync of a folder after a name in it was created, renamed or removed. When it fails after
        /// ``DurableFile/replace(_:with:)`` or ``DurableFile/putIfAbsent(_:contents:)`` renamed or linked the
        /// file into place, other processes may already see the new file, yet it may not survive a power cut.
        case syncFolder

        public var description: String {
            switch self {
            case .open: "open"
            case .read: "read"
            case .write: "write"
            case .fsync: "fsync"
            case .rename: "rename"
            case .link: "link"
            case .unlink: "unlink"
            case .mkdir: "mkdir"
            case .chmod: "chmod"
            case .stat: "stat"
            case .lock: "flock"
            case .truncate: "ftruncate"
            case .close: "close"
            case .list: "opendir"
            case .syncFolder: "fsync of the folder"
            }
        }
    }

    /// The call that failed.
    public let operation: Operation
    /// The file or folder it was called on.
    public let path: String
    /// Why it failed.
    public let errno: Errno

    public init(_ operation: Operation, path: String, errno: Errno) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// `<operation> failed on <path>: <reason> (errno N): <what to do>`.
    public var description: String { "\(operation) failed on \(path): \(Self.advice(for: errno))" }

    /// The reason and the remedy alone (``advice(for:)`` of ``errno``), for messages that name the call and path themselves.
    public var advice: String { Self.advice(for: errno) }

    /// Whether the file or folder does not exist (`ENOENT`).
    public var isMissing: Bool { errno == .noSuchFileOrDirectory }
}
