import DriftlineCore
import DurableFiles

/// A failure of the log: a file operation, a locked partition, a writer that can no longer promise durability.
public struct LogError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Equatable {
        /// Another writer holds the partition's lock.
        case partitionLocked
        /// A system call on a file or folder failed (`errno` tells why).
        case io
        /// `write` failed; the unwritten batches were discarded (see ``LogError/lostRecords``).
        case writeFailed
        /// `fsync` failed: data written since the last successful sync may be lost. The writer is then unusable.
        case syncFailed
        /// The writer failed before (a failed `fsync`) or was closed; open the partition again.
        case unusable
        /// An argument is out of range (batch too large, timestamps out of order, ...).
        case invalidArgument
        /// A name or record failed validation (see ``LogError/validation``).
        case invalid
        /// A file of the partition holds bytes that cannot be decoded.
        case corrupt
    }

    /// What kind of failure.
    public let kind: Kind
    /// The file or folder concerned.
    public let path: String
    /// The POSIX error number, when a system call failed.
    public let errno: Int32?
    /// What happened and what to do.
    public let detail: String
    /// Records discarded by a failed write.
    public let lostRecords: Int
    /// The validation failure behind a ``Kind/invalid`` error.
    public let validation: ValidationError?

    init(_ kind: Kind, path: String, errno: Int32? = nil, detail: String, lostRecords: Int = 0, validation: ValidationError? = nil) {
        self.kind = kind
        self.path = path
        self.errno = errno
        self.detail = detail
        self.lostRecords = lostRecords
        self.validation = validation
    }

    /// A failed file operation of DurableFiles, keeping its path and errno. The kind follows the call:
    /// ``Kind/syncFailed`` for an fsync (of a file or a folder), ``Kind/writeFailed`` for a write, else ``Kind/io``.
    init(_ error: FileError) {
        let kind: Kind = switch error.operation {
        case .fsync, .syncFolder: .syncFailed
        case .write: .writeFailed
        default: .io
        }
        self.init(kind, path: error.path, errno: error.errno.rawValue, detail: "\(error.operation) failed: \(error.advice)")
    }

    static func invalid(_ error: ValidationError) -> LogError {
        LogError(.invalid, path: "", detail: error.description, validation: error)
    }

    public var description: String {
        var text = path.isEmpty ? detail : "\(path): \(detail)"
        if kind == .invalidArgument { text += " (a bug in the caller: please report it with what you ran)" }
        if lostRecords > 0 { text += " (\(lostRecords) records not written)" }
        return text
    }
}
