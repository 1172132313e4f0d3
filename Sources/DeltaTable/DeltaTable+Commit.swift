import DriftlineCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DurableFiles

/// What a successful commit did.
public struct CommitResult: Sendable, Hashable {
    /// The version the commit became.
    public let version: Int64
    /// Relative paths of the files a replace removed.
    public let removedPaths: [String]
    /// How many versions were tried (1 when no other writer got in first).
    public let attempts: Int
    /// The checkpoint this commit triggered (every `checkpointInterval` versions), if it was written.
    public let checkpoint: CheckpointInfo?
    /// Why the triggered checkpoint failed. The commit itself is durable either way: a checkpoint is
    /// only a shortcut for readers, and the next interval writes one again.
    public let checkpointError: DeltaError?
    /// A damaged newest commit this commit moved aside before taking its version (``DeltaTable/repairNewestCommit(minimumAge:)``).
    public var movedAside: DamagedCommit? = nil
}

extension DeltaTable {
    /// Commits new data files (a blind append: it never conflicts with other writers' appends),
    /// optionally with application transactions and provenance.
    ///
    /// A `txn` conflicts when the table (or a concurrent commit) already holds a version of that
    /// `appId` at least as large: the application's progress would go backwards or repeat.
    @discardableResult
    public func append(_ files: [AddFile], transactions: [AppTransaction] = [],
                       commitInfo: [String: JSONValue] = [:]) throws -> CommitResult {
        try commit(adding: files, removing: nil, transactions: transactions, commitInfo: commitInfo, operation: "WRITE")
    }

    /// Atomically removes every live file `selection` covers and adds `files`, in one version.
    ///
    /// Conflicts (throws `DeltaError.conflict`) when a concurrent commit added a file the selection may
    /// cover or removed one this replace removes. Throws `ambiguousFile` for a file that straddles the
    /// selection's time range.
    ///
    /// `readVersion`: the version the caller read the data it rewrites from (a compaction). The files
    /// removed are then those live at that version, and every commit after it is checked for conflicts,
    /// so a file another writer added after the caller's read is never removed unseen. Nil: the latest version.
    @discardableResult
    ///
    /// `dataChange`: false for a rewrite that changes no data (a compaction): the `remove` actions say so
    /// (the `add` actions carry their own flag), and readers of the change feed may skip the commit.
    public func replace(_ selection: FileSelection, with files: [AddFile], transactions: [AppTransaction] = [],
                        commitInfo: [String: JSONValue] = [:], readVersion: Int64? = nil, dataChange: Bool = true) throws -> CommitResult {
        try commit(adding: files, removing: selection, transactions: transactions, commitInfo: commitInfo, operation: "REPLACE",
                   readVersion: readVersion, dataChange: dataChange)
    }

    /// `beforeFirstAttempt` runs after the snapshot is read and the actions are built: tests use it to
    /// let a rival writer commit in between.
    func commit(adding files: [AddFile], removing selection: FileSelection?, transactions: [AppTransaction],
                commitInfo: [String: JSONValue], operation: String, readVersion: Int64? = nil, dataChange: Bool = true,
                beforeFirstAttempt: (() throws -> Void)? = nil) throws -> CommitResult {
        let snapshot: Snapshot
        var movedAside: DamagedCommit?
        do {
            snapshot = try readVersion.map { try self.snapshot(version: $0) } ?? self.snapshot()
        } catch let error as DeltaError where error.isDamagedCommit && readVersion == nil {
            // A damaged newest commit (never readable, so never acted on) is moved aside; an older one stays an error.
            guard let moved = try repairNewestCommit() else { throw error }
            movedAside = moved
            snapshot = try self.snapshot()
        }
        try snapshot.protocolVersions.checkWritable(table: path)
        if let column = snapshot.schema.fields.first(where: { $0.metadata["delta.invariants"] != nil }) {
            throw DeltaError.unsupportedProtocol(table: path, detail: "column \(column.name) has invariants, which this library does not enforce")
        }
        if selection != nil, snapshot.metadata.configuration["delta.appendOnly"] == "true" {
            throw DeltaError.invalidArgument("\(path) is append-only (delta.appendOnly=true): replace is not allowed")
        }
        try validate(files, against: snapshot)
        var appIds = Set<String>()
        for transaction in transactions {
            guard appIds.insert(transaction.appId).inserted else {
                throw DeltaError.invalidArgument("appId \(transaction.appId) appears twice in one commit")
            }
            if let current = snapshot.transactionVersion(appId: transaction.appId), current >= transaction.version {
                throw DeltaError.conflict(
                    table: path, version: snapshot.version,
                    reason: "application \(transaction.appId) is already at version \(current), not before \(transaction.version)")
            }
        }

        let now = Timestamp.now()
        let removed = try selection.map { selection in try snapshot.filesByPath.values.filter { try selection.contains($0) } } ?? []
        let removedPaths = Set(removed.map(\.relativePath))
        var info = commitInfo
        info["timestamp"] = info["timestamp"] ?? .int(now.milliseconds)
        info["operation"] = info["operation"] ?? .string(operation)
        info["clientVersion"] = info["clientVersion"] ?? .string("driftline")
        info["readVersion"] = .int(snapshot.version)
        var newActions: [Action] = [.commitInfo(info)]
        newActions += transactions.map { transaction in
            var stamped = transaction
            stamped.lastUpdated = stamped.lastUpdated ?? now.milliseconds
            return .txn(stamped)
        }
        newActions += removed.sorted { $0.path < $1.path }.map { .remove(RemoveFile(removing: $0, at: now, dataChange: dataChange)) }
        newActions += files.map { .add($0) }
        let bytes = ActionCoding.encodeCommit(newActions)

        try beforeFirstAttempt?()
        var version = snapshot.version + 1
        for attempt in 1...max(1, options.maxCommitAttempts) {
            let outcome = try putCommit(bytes, version: version)
            if outcome == .created {
                let interval = options.applying(snapshot.metadata.configuration).checkpointInterval
                let (checkpoint, checkpointError) = checkpointIfDue(version: version, interval: interval)
                return CommitResult(version: version, removedPaths: removedPaths.sorted(), attempts: attempt,
                                    checkpoint: checkpoint, checkpointError: checkpointError, movedAside: movedAside)
            }
            let winner: [Action]
            do {
                winner = try actions(version: version)
            } catch DeltaError.io(_, "open", ENOENT) {
                // Log cleanup already deleted the winning commit (only with a near-zero retention).
                // A blind append cannot conflict with it; anything else cannot be checked.
                guard selection == nil, transactions.isEmpty else {
                    throw DeltaError.conflict(table: path, version: version,
                                              reason: "the commit was cleaned from the log before it could be checked")
                }
                version += 1
                continue
            } catch let error as DeltaError where error.isDamagedCommit {
                // The version is taken by a damaged file: moved aside when it is the newest, then tried again.
                guard let moved = try repairNewestCommit() else { throw error }
                movedAside = moved
                continue
            }
            try checkConflicts(with: winner, version: version, selection: selection,
                               removedPaths: removedPaths, transactions: transactions)
            version += 1
        }
        throw DeltaError.conflict(table: path, version: version,
                                  reason: "other writers won \(options.maxCommitAttempts) versions in a row")
    }

    /// Whether a commit that won `version` invalidates ours.
    private func checkConflicts(with winner: [Action], version: Int64, selection: FileSelection?,
                                removedPaths: Set<String>, transactions: [AppTransaction]) throws {
        for action in winner {
            switch action {
            case .metaData:
                throw DeltaError.conflict(table: path, version: version, reason: "the table's metadata changed")
            case .protocol:
                throw DeltaError.conflict(table: path, version: version, reason: "the table's protocol changed")
            case let .txn(other):
                if let mine = transactions.first(where: { $0.appId == other.appId }), other.version >= mine.version {
                    throw DeltaError.conflict(
                        table: path, version: version,
                        reason: "application \(other.appId) committed version \(other.version), not before \(mine.version)")
                }
            case let .add(file):
                if let selection, selection.mayOverlap(file) {
                    throw DeltaError.conflict(table: path, version: version,
                                              reason: "it added \(file.relativePath), which this replace would cover")
                }
            case let .remove(file):
                if removedPaths.contains(file.relativePath) {
                    throw DeltaError.conflict(table: path, version: version,
                                              reason: "it removed \(file.relativePath), which this replace removes too")
                }
            case .commitInfo:
                break
            }
        }
    }

    /// Checks that added files fit the table: relative paths, exactly the partition columns.
    private func validate(_ files: [AddFile], against snapshot: Snapshot) throws {
        let partitionColumns = Set(snapshot.partitionColumns)
        var paths = Set<String>()
        for file in files {
            try Self.validate(relativePath: file.relativePath)
            guard paths.insert(file.relativePath).inserted else {
                throw DeltaError.invalidArgument("\(file.relativePath) is added twice in one commit")
            }
            guard snapshot.filesByPath[file.relativePath] == nil else {
                throw DeltaError.invalidArgument("\(file.relativePath) is already in the table; data files must have unique names")
            }
            let given = Set(file.partitionValues.keys)
            guard given == partitionColumns else {
                throw DeltaError.invalidArgument(
                    "\(file.relativePath) has partition values for \(given.sorted()); the table is partitioned by \(snapshot.partitionColumns)")
            }
            guard file.size >= 0 else { throw DeltaError.invalidArgument("\(file.relativePath) has a negative size") }
        }
    }

    /// After a successful commit: a checkpoint every `checkpointInterval` versions. Never throws, since
    /// the commit already happened and a caller retrying it would duplicate data.
    private func checkpointIfDue(version: Int64, interval: Int64) -> (CheckpointInfo?, DeltaError?) {
        guard interval > 0, version > 0, version % interval == 0 else { return (nil, nil) }
        do {
            return (try checkpoint(version: version), nil)
        } catch let error as DeltaError {
            return (nil, error)
        } catch {
            return (nil, .malformedCheckpoint(file: log.checkpoint(version), reason: "\(error)"))
        }
    }

    /// Writes commit `version` unless it exists (put-if-absent: a temporary file, fsync, link, folder fsync),
    /// so a commit is never seen partially written and never replaces another writer's.
    func putCommit(_ bytes: [UInt8], version: Int64) throws(DeltaError) -> DurableFile.PutOutcome {
        do throws(FileError) {
            return try DurableFile.putIfAbsent(log.commit(version), contents: bytes)
        } catch where error.operation == .syncFolder {
            // Linked into place (others may see it) but the folder's fsync failed.
            throw DeltaError.commitNotDurable(table: path, version: version, errno: error.errno.rawValue)
        } catch {
            throw DeltaError(error)
        }
    }
}
