import DriftlineCore
import DurableFiles

/// What `checkpoint` wrote.
public struct CheckpointInfo: Sendable, Hashable {
    /// The table version the checkpoint holds.
    public let version: Int64
    /// Number of actions (rows) in the checkpoint.
    public let size: Int64
    /// Bytes of the checkpoint file.
    public let sizeInBytes: Int64
    /// Live files in the checkpoint.
    public let numOfAddFiles: Int64
}

extension DeltaTable {
    /// Writes the classic single-file checkpoint of `version` (default: the latest) and points
    /// `_last_checkpoint` at it, then deletes JSON commits and checkpoints older than the log retention
    /// that the new checkpoint covers. Commits call this every `options.checkpointInterval` versions.
    @discardableResult
    public func checkpoint(version: Int64? = nil, now: Timestamp = .now()) throws -> CheckpointInfo {
        let snapshot = try version.map { try self.snapshot(version: $0) } ?? self.snapshot()
        let expiry = now.advanced(by: .zero - options.applying(snapshot.metadata.configuration).deletedFileRetention)
        var actions: [Action] = [.protocol(snapshot.protocolVersions), .metaData(snapshot.metadata)]
        actions += snapshot.transactionsByApp.keys.sorted().compactMap { snapshot.transactionsByApp[$0].map(Action.txn) }
        actions += snapshot.files.map(Action.add)
        // A tombstone stays while vacuum may still need it: unexpired, or its file still on disk.
        for tombstone in snapshot.tombstones {
            let expired = Timestamp(milliseconds: tombstone.deletionTimestamp ?? 0) < expiry
            if !expired || DurableFile.exists(path + "/" + tombstone.relativePath) {
                var slim = tombstone
                slim.stats = nil
                slim.tags = nil
                actions.append(.remove(slim))
            }
        }
        let bytes = try CheckpointFile.encode(actions)
        try deltaIO { try DurableFile.replace(log.checkpoint(snapshot.version), with: bytes) }
        let info = CheckpointInfo(version: snapshot.version, size: Int64(actions.count), sizeInBytes: Int64(bytes.count),
                                  numOfAddFiles: Int64(snapshot.filesByPath.count))
        if (try? readLastCheckpoint())?.version ?? -1 < info.version {
            let pointer: JSONValue = .object(["version": .int(info.version), "size": .int(info.size),
                                              "sizeInBytes": .int(info.sizeInBytes), "numOfAddFiles": .int(info.numOfAddFiles)])
            try deltaIO { try DurableFile.replace(log.lastCheckpoint, with: pointer.bytes(.deltaLog)) }
        }
        try cleanUpLog(now: now)
        return info
    }

    /// The `_last_checkpoint` pointer, or nil when there is none.
    func readLastCheckpoint() throws -> CheckpointInfo? {
        guard DurableFile.exists(log.lastCheckpoint) else { return nil }
        let bytes = try deltaIO { try DurableFile.read(log.lastCheckpoint) }
        do {
            let fields = try JSONFields(try JSONValue.parse(bytes), path: "_last_checkpoint")
            return CheckpointInfo(version: try fields.int("version"), size: try fields.optionalInt("size") ?? 0,
                                  sizeInBytes: try fields.optionalInt("sizeInBytes") ?? 0,
                                  numOfAddFiles: try fields.optionalInt("numOfAddFiles") ?? 0)
        } catch {
            throw DeltaError.malformedCheckpoint(file: log.lastCheckpoint, reason: "not a valid _last_checkpoint: \(error)")
        }
    }

    /// Reads the classic checkpoint of `version` into a replay state.
    func readCheckpoint(version: Int64) throws -> ReplayState {
        let file = log.checkpoint(version)
        var state = ReplayState()
        state.apply(try CheckpointFile.decode(try deltaIO { try DurableFile.read(file) }, file: file))
        state.version = version
        return state
    }

    /// Deletes log files the protocol's metadata cleanup allows: everything older than the newest
    /// checkpoint that is itself not newer than the newest commit older than the log retention.
    /// Deletion runs oldest first, so a concurrent reader never meets a hole after the oldest commit.
    /// Temporary files a crashed writer left in the log are deleted once they are an hour old.
    ///
    /// - Returns: the names deleted.
    @discardableResult
    public func cleanUpLog(now: Timestamp = .now()) throws -> [String] {
        let listing = try log.list()
        var deleted: [String] = []
        let abandoned = now.advanced(by: .seconds(-3600))
        for name in listing.temporaries {
            let file = log.directory + "/" + name
            if let time = fileModificationTime(file), time < abandoned {
                try deltaIO { try DurableFile.remove(file) }
                deleted.append(name)
            }
        }
        let retention = (try? snapshot())?.metadata.configuration ?? [:]
        let cutoffTime = now.advanced(by: .zero - options.applying(retention).logRetention)
        guard let cutoffCommit = listing.commits.last(where: { version in
            (fileModificationTime(log.commit(version)) ?? now) <= cutoffTime
        }), let cutoffCheckpoint = listing.checkpoints.last(where: { $0 <= cutoffCommit }) else { return deleted }
        var doomed: [(Int64, String)] = []
        doomed += listing.commits.filter { $0 < cutoffCheckpoint }.map { ($0, log.commit($0)) }
        doomed += listing.checkpoints.filter { $0 < cutoffCheckpoint }.map { ($0, log.checkpoint($0)) }
        doomed += listing.others.filter { $0.version < cutoffCheckpoint }.map { ($0.version, log.directory + "/" + $0.name) }
        doomed.sort { $0.0 < $1.0 }
        for (_, file) in doomed { try deltaIO { try DurableFile.remove(file) } }
        if !doomed.isEmpty || !deleted.isEmpty { try deltaIO { try Folder.sync(log.directory) } }
        return deleted + doomed.map { Folder.name(of: $0.1) }
    }
}
