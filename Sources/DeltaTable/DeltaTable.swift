import DriftlineCore
import Foundation
import DurableFiles
import Synchronization

/// A Delta Lake table in a local folder: create it, read snapshots, commit appends and replaces with
/// optimistic concurrency, vacuum removed files.
///
/// ```swift
/// let table = try DeltaTable.create(at: "/data/store/profiles", schema: schema, partitionColumns: ["endpoint"])
/// let file = try table.writeDataFile(relativePath: "endpoint=iris/part-1.parquet", bytes: parquetBytes,
///                                    partitionValues: ["endpoint": "iris"], statistics: stats)
/// let version = try table.append([file], transactions: [AppTransaction(appId: "tail-iris", version: 42)]).version
/// let snapshot = try table.snapshot()     // snapshot.transactionVersion(appId: "tail-iris") == 42
/// ```
///
/// Several processes may commit to one table at once: a commit creates `_delta_log/<version>.json`
/// only if no other writer created it first, and otherwise checks the winner's actions and retries.
public struct DeltaTable: Sendable {
    /// How the table commits, checkpoints and cleans up. A table's own properties
    /// (`delta.checkpointInterval`, `delta.logRetentionDuration`, `delta.deletedFileRetentionDuration`)
    /// win over these where it sets them.
    public struct Options: Sendable {
        /// A checkpoint is written after every commit whose version is a multiple of this (0 disables).
        public var checkpointInterval: Int64
        /// JSON commits older than this are deleted once a checkpoint covers them.
        public var logRetention: Duration
        /// `vacuum` deletes removed data files once their removal is older than this.
        public var deletedFileRetention: Duration
        /// How many versions a commit tries before giving up while others keep winning.
        public var maxCommitAttempts: Int

        public init(checkpointInterval: Int64 = 100, logRetention: Duration = .seconds(30 * 86_400),
                    deletedFileRetention: Duration = .seconds(7 * 86_400), maxCommitAttempts: Int = 10_000) {
            self.checkpointInterval = checkpointInterval
            self.logRetention = logRetention
            self.deletedFileRetention = deletedFileRetention
            self.maxCommitAttempts = maxCommitAttempts
        }
    }

    /// The table root folder.
    public let path: String
    /// Checkpoint interval, retentions and retry bound used by this value.
    public let options: Options
    let log: LogFiles
    let cache = SnapshotCache()

    /// Opens the table at `path` (nothing is read until a snapshot or commit needs it).
    public init(path: String, options: Options = Options()) {
        var root = path
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.path = root
        self.options = options
        self.log = LogFiles(table: root)
    }

    /// Creates a table: version 0 with `protocol` (reader 1, writer 2) and `metaData`.
    /// Throws `tableExists` if the folder already holds a table.
    public static func create(at path: String, schema: DeltaSchema, partitionColumns: [String] = [],
                              configuration: [String: String] = [:], name: String? = nil,
                              options: Options = Options()) throws -> DeltaTable {
        try schema.validate(partitionColumns: partitionColumns)
        let table = DeltaTable(path: path, options: options)
        try deltaIO { try Folder.create(table.log.directory) }
        let now = Timestamp.now()
        let metadata = TableMetadata(
            id: UUID().uuidString.lowercased(), name: name, schemaString: schema.json,
            partitionColumns: partitionColumns, createdTime: now.milliseconds, configuration: configuration)
        let actions: [Action] = [
            .commitInfo(["timestamp": .int(now.milliseconds), "operation": .string("CREATE TABLE"),
                         "clientVersion": .string("driftline")]),
            .protocol(ProtocolVersions(minReaderVersion: 1, minWriterVersion: 2)),
            .metaData(metadata),
        ]
        let outcome = try deltaIO { try DurableFile.putIfAbsent(table.log.commit(0), contents: ActionCoding.encodeCommit(actions)) }
        guard outcome == .created else { throw DeltaError.tableExists(path: table.path) }
        return table
    }

    /// The latest snapshot. Repeated calls on the same `DeltaTable` value replay only the new commits.
    public func snapshot() throws -> Snapshot {
        let snapshot = try loadSnapshot(after: cache.get())
        cache.set(snapshot)
        return snapshot
    }

    /// The table as of an earlier `version` (time travel), replayed from the newest checkpoint at or
    /// before it. Versions whose log was cleaned up are an `invalidArgument` error.
    public func snapshot(version: Int64) throws -> Snapshot {
        let cached = cache.get().flatMap { $0.version <= version ? $0 : nil }
        return try loadSnapshot(after: cached, through: version)
    }

    /// The latest committed version, or nil when the folder holds no table.
    public func latestVersion() throws -> Int64? {
        let listing = try log.list()
        let latest = max(listing.commits.last ?? -1, listing.checkpoints.last ?? -1)
        return latest >= 0 ? latest : nil
    }

    /// The actions of one commit file, as written.
    public func actions(version: Int64) throws -> [Action] {
        let file = log.commit(version)
        return try ActionCoding.decodeCommit(try deltaIO { try DurableFile.read(file) }, file: file)
    }

    /// The `commitInfo` of a version, or nil when it has none (or its JSON commit was cleaned up).
    public func commitInfo(version: Int64) throws -> [String: JSONValue]? {
        guard DurableFile.exists(log.commit(version)) else { return nil }
        for case let .commitInfo(info) in try actions(version: version) { return info }
        return nil
    }

    /// Writes a data file below the table root durably (temporary name, fsync, rename, folder fsync)
    /// and returns the `add` action describing it. Partition folders are created as needed.
    ///
    /// - Parameter relativePath: `/`-separated, inside the table, not starting with `_` or `.`
    ///   (`endpoint=iris/part-00001-<uuid>.parquet`). An existing file is never overwritten.
    public func writeDataFile(relativePath: String, bytes: [UInt8], partitionValues: [String: String?] = [:],
                              statistics: FileStatistics? = nil) throws -> AddFile {
        try Self.validate(relativePath: relativePath)
        let full = path + "/" + relativePath
        try deltaIO { try Folder.create(Folder.parent(of: full)) }
        let outcome: DurableFile.PutOutcome
        do throws(FileError) {
            outcome = try DurableFile.putIfAbsent(full, contents: bytes)
        } catch {
            // Linked but not durable: not committed either, so it goes (a failed write leaves nothing behind).
            if error.operation == .syncFolder { _ = try? DurableFile.remove(full) }
            throw DeltaError(error)
        }
        guard outcome == .created else {
            throw DeltaError.invalidArgument("data file \(full) already exists; data files must have unique names")
        }
        let time = fileModificationTime(full) ?? .now()
        return AddFile(relativePath: relativePath, size: Int64(bytes.count), partitionValues: partitionValues,
                       modificationTime: time, statistics: statistics)
    }

    static func validate(relativePath: String) throws {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        guard !relativePath.isEmpty, !relativePath.hasPrefix("/"),
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
              let first = parts.first, !first.hasPrefix("_"), !first.hasPrefix(".")
        else {
            throw DeltaError.invalidArgument(
                "data file path \"\(relativePath)\" must be relative, inside the table and not hidden (no leading _ or .)")
        }
    }
}

/// The last snapshot a `DeltaTable` value computed, shared by its copies.
final class SnapshotCache: Sendable {
    private let snapshot = Mutex<Snapshot?>(nil)

    func get() -> Snapshot? {
        snapshot.withLock { $0 }
    }

    /// Forgets the snapshot when it includes `version` (that version's file was moved aside).
    func forget(includingVersion version: Int64) {
        snapshot.withLock { snapshot in
            if (snapshot?.version ?? -1) >= version { snapshot = nil }
        }
    }

    func set(_ value: Snapshot) {
        snapshot.withLock { snapshot in
            if (snapshot?.version ?? -1) <= value.version { snapshot = value }
        }
    }
}
