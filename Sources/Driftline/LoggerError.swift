import DriftlineLog

/// A failure of an ``InferenceLogger``: input it refused, a logger that is closed, or a write that failed.
///
/// Invalid input (``Kind/invalid``) carries the ``ValidationError`` that names the field; the logger stays usable.
public struct LoggerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The input broke a rule of the schema (see ``LoggerError/validation``); nothing was logged.
        case invalid
        /// The logger was closed; open a new one.
        case closed
        /// The partition could not be opened (locked by another writer, permissions, ...).
        case openFailed
        /// Writing to the log failed (disk full, I/O error); the records concerned were dropped.
        case writeFailed
        /// `fsync` failed: records written since the last successful sync may be lost.
        case syncFailed
        /// Deleting old segments failed; no record was lost, the next pass tries again.
        case retentionFailed
        /// `flush` did not complete in the time given.
        case timedOut
    }

    /// What went wrong.
    public let kind: Kind
    /// What happened and what to do.
    public let detail: String
    /// The field-level reason behind ``Kind/invalid``.
    public let validation: ValidationError?
    /// The log's error behind ``Kind/openFailed``, ``Kind/writeFailed`` or ``Kind/syncFailed``.
    public let logError: LogError?

    init(_ kind: Kind, detail: String, validation: ValidationError? = nil, logError: LogError? = nil) {
        self.kind = kind
        self.detail = detail
        self.validation = validation
        self.logError = logError
    }

    static func invalid(_ error: ValidationError) -> LoggerError {
        LoggerError(.invalid, detail: error.description, validation: error)
    }

    /// The field an ``Kind/invalid`` error is about (`features[2] (region)`, `probabilities`, `endpoint`, ...).
    public var field: String? { validation?.field }

    /// The POSIX error number behind a failed write or sync (`ENOSPC` for a full disk).
    public var errno: Int32? { logError?.errno }

    public var description: String { detail }
}
