import DurableFiles

/// Everything that can go wrong reading or writing a Delta table.
///
/// Each case names the file, field or version involved and says what to do about it.
public enum DeltaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A system call failed on a file of the table (`operation` is the call, `errno` its error number).
    case io(path: String, operation: String, errno: Int32)
    /// The folder holds no `_delta_log` with a version 0 or checkpoint: not a Delta table (or not yet created).
    case notATable(path: String)
    /// `create` was asked for a table whose `_delta_log` already has commits.
    case tableExists(path: String)
    /// A line of a commit file is not a valid action.
    case malformedLog(file: String, line: Int, reason: String)
    /// A commit file is empty, or holds fewer actions than its writer recorded (`driftlineActions` in
    /// its `commitInfo`), or was cut inside its last line: it was damaged after it was written (commits
    /// are put in place whole). ``DeltaTable/repairNewestCommit(minimumAge:)`` moves a damaged newest
    /// commit aside; an older one must be restored (see the message).
    case damagedCommit(file: String, reason: String)
    /// A checkpoint or `_last_checkpoint` file could not be decoded.
    case malformedCheckpoint(file: String, reason: String)
    /// The log has a hole: `version` is missing although later ones exist.
    case missingVersion(table: String, version: Int64)
    /// The table needs a newer protocol or features this library does not implement.
    case unsupportedProtocol(table: String, detail: String)
    /// A concurrent commit changed something this commit depends on; re-read the table and decide again.
    case conflict(table: String, version: Int64, reason: String)
    /// The caller's input is not acceptable (schema, partition values, paths, statistics).
    case invalidArgument(String)
    /// A replace cannot decide which rows of a file its selection covers.
    case ambiguousFile(path: String, reason: String)
    /// The commit file of `version` was created but its folder could not be fsynced: other readers
    /// may already see the version, yet it may not survive a crash. Do not blindly retry; re-read
    /// the table (its `txn` versions) to learn whether the commit is there.
    case commitNotDurable(table: String, version: Int64, errno: Int32)

    public var description: String {
        switch self {
        case let .io(path, operation, code):
            return "\(operation) failed on \(path): \(FileError.advice(errno: code))"
        case let .notATable(path):
            return "\(path) is not a Delta table: no _delta_log/00000000000000000000.json or checkpoint; create it first"
        case let .tableExists(path):
            return "\(path) already holds a Delta table; open it instead of creating it"
        case let .malformedLog(file, line, reason):
            return "\(file):\(line): not a valid Delta action (\(reason)); the commit file is corrupt: restore it from a backup"
        case let .damagedCommit(file, reason):
            return "\(file): damaged commit (\(reason)); when it is the newest version, the table's writer "
                + "(`driftline tail` for profiles, `driftline batch` for drift and performance) moves it to _delta_log_damaged/ "
                + "at its next start and writes that version again; an older one must be restored from a backup "
                + "(docs/operations.md, \"Damaged store files\")"
        case let .malformedCheckpoint(file, reason):
            return "\(file): invalid checkpoint (\(reason)); delete it and _delta_log/_last_checkpoint so that readers replay the JSON commits (when those are all still there)"
        case let .missingVersion(table, version):
            return "\(table): commit \(version) is missing from _delta_log although later versions exist; restore the file from a backup (a checkpoint at or after it also lets readers skip it)"
        case let .unsupportedProtocol(table, detail):
            return "\(table): unsupported Delta protocol: \(detail); this library reads minReaderVersion 1 tables: use another Delta reader, or point at a table Driftline wrote"
        case let .conflict(table, version, reason):
            return "\(table): commit conflicts with concurrent version \(version): \(reason); re-read the table and retry"
        case let .invalidArgument(reason):
            return "invalid argument: \(reason); correct the call (coming from the driftline CLI, it is a bug: please report it)"
        case let .ambiguousFile(path, reason):
            return "cannot replace part of data file \(path): \(reason); replace whole files (select by partition or by the file's full range)"
        case let .commitNotDurable(table, version, code):
            return "\(table): version \(version) was written but fsync of _delta_log failed (\(FileError.advice(errno: code))): "
                + "it may be visible yet lost in a crash; re-read the table before retrying"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
