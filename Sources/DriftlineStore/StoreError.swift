import DeltaTable
import DurableFiles

/// Everything that can go wrong in the store, naming the file, table or field involved and what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// A name that becomes a folder or file of the store (endpoint, model version, lock name) is unsafe.
    case invalidName(field: String, value: String, detail: String)
    /// A system call failed on a file of the store.
    case io(path: String, operation: String, errno: Int32)
    /// A table folder holds a Delta table whose schema is not the one Driftline expects.
    case schemaMismatch(table: String, detail: String)
    /// The Delta layer failed; `error` tells how (`.conflict` when a concurrent commit won — for an
    /// append with a `txn`, another process already committed that application's version).
    case delta(table: String, error: DeltaError)
    /// Writing a data file failed (Parquet encoding or I/O).
    case writeFailed(file: String, detail: String)
    /// A data file of a table could not be read or has a column of an unexpected type.
    case malformedData(file: String, detail: String)
    /// A row handed to a table is not acceptable (wrong endpoint, outside the replaced range, …).
    case invalidRow(table: String, detail: String)
    /// A lock of `<store>/locks` is held by another process.
    case lockHeld(name: String, path: String, holder: LockHolder?)
    /// Partial rows of one key could not be merged (different kinds, corrupt sketch, …).
    case unmergeable(key: String, detail: String)
    /// A compaction lost the race against a concurrent writer every time it tried.
    case compactionConflict(table: String, attempts: Int, detail: String)
    /// A reference file could not be read: `field` is the JSON path that is wrong.
    case malformedReference(file: String, field: String, detail: String)
    /// A reference file's `reference_id` does not match its content (it was edited by hand).
    case referenceFingerprintMismatch(file: String, stored: String, computed: String)

    public var description: String {
        switch self {
        case let .invalidName(field, value, detail):
            "invalid \(field) \"\(value)\": \(detail); use a name of letters, digits, '.', '_' or '-'"
        case let .io(path, operation, code):
            "\(operation) failed on \(path): \(FileError.advice(errno: code))"
        case let .schemaMismatch(table, detail):
            "\(table) is not a Driftline table of the expected schema: \(detail); move it away or point --store elsewhere"
        case let .delta(table, error):
            "\(table): \(error)"
        case let .writeFailed(file, detail):
            "writing \(file) failed: \(detail); nothing was committed: fix the cause and run the command again"
        case let .malformedData(file, detail):
            "data file \(file) cannot be read: \(detail); it is damaged or was not written by Driftline: restore it from a backup, or move the table away and rebuild it (profiles: `driftline tail` re-reads the log; drift and performance: `driftline batch --from …`)"
        case let .invalidRow(table, detail):
            "row rejected by \(table): \(detail) (a bug in the caller: please report it with the command that failed)"
        case let .lockHeld(name, path, holder):
            "\(name) is already locked (\(path))" + (holder.map { " by \($0)" } ?? "") + "; wait for that process to finish or stop it"
        case let .unmergeable(key, detail):
            "cannot merge the partial rows of \(key): \(detail); a column changed kind within one model version, or a row is damaged: log a changed model under a new model version"
        case let .compactionConflict(table, attempts, detail):
            "compaction of \(table) conflicted with concurrent writers \(attempts) times (\(detail)); run it again later"
        case let .malformedReference(file, field, detail):
            "reference \(file): bad \(field): \(detail); re-create it with `driftline profile`"
        case let .referenceFingerprintMismatch(file, stored, computed):
            "reference \(file) has reference_id \(stored) but its content hashes to \(computed): it was edited; re-create it with `driftline profile`"
        }
    }
}

extension StoreError {
    /// A failed file operation of DurableFiles as ``StoreError/io(path:operation:errno:)``.
    init(_ error: FileError) {
        self = .io(path: error.path, operation: error.operation.description, errno: error.errno.rawValue)
    }
}
