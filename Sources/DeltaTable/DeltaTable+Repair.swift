#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DriftlineCore
import DurableFiles

/// A commit file that ``DeltaTable/repairNewestCommit(minimumAge:)`` moved out of `_delta_log`.
public struct DamagedCommit: Sendable, Hashable, CustomStringConvertible {
    /// The version the file held.
    public let version: Int64
    /// Where it was (`<table>/_delta_log/<version>.json`).
    public let file: String
    /// Where it is now (`<table>/_delta_log_damaged/<version>.json.<ms>.<random>`), kept for inspection.
    public let movedTo: String
    /// Why it was damaged.
    public let reason: String

    public var description: String {
        "\(file) was damaged (\(reason)): moved to \(movedTo); version \(version) is written again by the next commit"
    }
}

extension DeltaTable {
    /// The folder beside `_delta_log` where damaged commits are kept (Delta readers ignore `_` folders).
    public var damagedCommitsFolder: String { path + "/_delta_log_damaged" }

    /// Moves the newest commit file aside when it is damaged (empty, cut short, not JSON, not actions):
    /// the table then reads as of the version before, and the next commit writes that version again.
    ///
    /// Commits are put in place whole (put-if-absent through a fsynced temporary), so a damaged newest
    /// commit was damaged afterwards (a disk, a restore, a hand) or written in place on a filesystem
    /// without hard links by a writer that died. Nothing in it can be read, so nothing a reader saw is
    /// taken back. A commit younger than `minimumAge` is left alone (thrown as `damagedCommit`): on a
    /// filesystem without hard links a writer may still be writing it. A checkpoint at or after the
    /// newest commit means the commit is not needed to read the table: nothing is done.
    ///
    /// Returns what was moved, or nil when the newest commit is readable (or another process moved it first).
    @discardableResult
    public func repairNewestCommit(minimumAge: Duration = .seconds(30)) throws -> DamagedCommit? {
        let listing = try log.list()
        guard let newest = listing.commits.last, newest > (listing.checkpoints.last ?? -1) else { return nil }
        let file = log.commit(newest)
        guard let status = try deltaIO({ try DurableFile.status(file) }) else { return nil }
        let reason: String
        do {
            _ = try actions(version: newest)
            return nil
        } catch let DeltaError.damagedCommit(_, why) {
            reason = why
        } catch let DeltaError.malformedLog(_, line, why) {
            reason = "line \(line): \(why)"
        } catch DeltaError.io(_, "open", ENOENT) {
            return nil
        }
        let now = Timestamp.now()
        let age = now.microsecondsSinceEpoch.saturatingSubtract(status.modificationMicroseconds)
        let minimum = minimumAge.wholeMicroseconds
        guard age >= minimum else {
            throw DeltaError.damagedCommit(
                file: file, reason: reason + "; it was modified \(max(0, age) / 1000) ms ago and may still be being written: "
                    + "it is moved aside once \(minimumAge.components.seconds) s old")
        }
        try deltaIO { try Folder.create(damagedCommitsFolder) }
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let destination = damagedCommitsFolder + "/" + LogFiles.padded(newest) + ".json." + String(now.milliseconds) + "." + random
        guard try deltaIO({ try DurableFile.move(file, to: destination, ifInode: status.inode) }) else { return nil }
        cache.forget(includingVersion: newest)
        return DamagedCommit(version: newest, file: file, movedTo: destination, reason: reason)
    }
}

extension DeltaError {
    /// Whether this error says a commit file is damaged (empty, cut short, or not valid actions).
    public var isDamagedCommit: Bool {
        switch self {
        case .damagedCommit, .malformedLog: return true
        default: return false
        }
    }
}

/// A damaged newest commit that ``DeltaTable/readableSnapshot()`` read the table without: the snapshot is
/// the version before it, so whatever the damaged commit added or removed is not seen.
public struct SkippedCommit: Sendable, Hashable, CustomStringConvertible {
    /// The damaged version (the snapshot read is `version - 1`).
    public let version: Int64
    /// The damaged commit file (`<table>/_delta_log/<version>.json`).
    public let file: String
    /// Why it cannot be read (empty, cut short, not JSON, not actions).
    public let reason: String

    public var description: String {
        "\(file): damaged commit (\(reason)); read as of version \(version - 1) without it, so the rows it added are "
            + "left out: the table's writer (`driftline tail` for profiles, `driftline batch` for drift and performance) "
            + "moves it to _delta_log_damaged/ once it is 30 s old and writes the version again; run it, and read again"
    }
}

extension DeltaTable {
    /// The latest snapshot a reader can use: ``snapshot()``, except that a damaged newest commit (empty, cut
    /// short, not JSON, not actions; not covered by a checkpoint) is read around: the snapshot is then the
    /// version before it, and `skipped` names it. A damaged commit is never read as an empty one, and a damaged
    /// commit that is not the newest stays an error (the versions after it cannot be read without it).
    ///
    /// Only readers use this; a writer commits through ``repairNewestCommit(minimumAge:)``'s rule.
    public func readableSnapshot() throws -> (snapshot: Snapshot, skipped: SkippedCommit?) {
        do {
            return (try snapshot(), nil)
        } catch let error as DeltaError {
            guard let (file, reason) = error.damagedCommitFile else { throw error }
            let listing = try log.list()
            guard let newest = listing.commits.last, newest > 0, newest > (listing.checkpoints.last ?? -1),
                  file == log.commit(newest) else { throw error }
            let before = try snapshot(version: newest - 1)
            cache.set(before)
            return (before, SkippedCommit(version: newest, file: file, reason: reason))
        }
    }
}

extension DeltaError {
    /// The file and reason of a damaged commit (``isDamagedCommit``), else nil.
    var damagedCommitFile: (file: String, reason: String)? {
        switch self {
        case let .damagedCommit(file, reason): return (file, reason)
        case let .malformedLog(file, line, reason): return (file, "line \(line): \(reason)")
        default: return nil
        }
    }
}
