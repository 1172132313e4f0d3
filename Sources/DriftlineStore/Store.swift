import DeltaTable
import DurableFiles
import Foundation

/// The layout of a Driftline store root, shared by the tail and batch stages:
///
/// ```
/// <store>/profiles      Delta table (ProfilesTable), partitioned by endpoint
/// <store>/drift         Delta table (DriftTable)
/// <store>/performance   Delta table (PerformanceTable)
/// <store>/quality       Delta table (QualityTable)
/// <store>/references/<endpoint>/<model_version>.json   (Reference)
/// <store>/reports/<endpoint>/                          HTML/JSON reports of the batch stage
/// <store>/locks/<name>.lock                            (StoreLock: a DurableFiles LockFile)
/// <store>/locks/tail/<endpoint>/<writer id>.lock       (the tail that follows that log partition)
/// ```
///
/// Tables are created on first use; two processes creating one at once both end up with the same table.
///
/// ```swift
/// let store = Store(root: "/var/lib/driftline")
/// let profiles = try store.profiles()
/// let lock = try store.tailLock(endpoint: "iris")
/// ```
public struct Store: Sendable {
    /// The store root folder.
    public let root: String
    /// Options of the Delta tables (checkpoint interval, retentions).
    public let tableOptions: DeltaTable.Options

    public init(root: String, tableOptions: DeltaTable.Options = DeltaTable.Options()) {
        var path = root
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        self.root = path
        self.tableOptions = tableOptions
    }

    public var profilesPath: String { root + "/profiles" }
    public var driftPath: String { root + "/drift" }
    public var performancePath: String { root + "/performance" }
    public var qualityPath: String { root + "/quality" }
    public var referencesPath: String { root + "/references" }
    public var reportsPath: String { root + "/reports" }
    public var locksPath: String { root + "/locks" }

    /// The `profiles` table, created if missing. Keep the value: it caches the table's snapshot and the
    /// parsed file statistics, so later reads and commits replay only what is new.
    ///
    /// `repairing`: the table's writer (the tail) passes it to move a damaged newest commit aside first
    /// (``DeltaTable/repairNewestCommit(minimumAge:)``); it is called with what was moved. Readers leave it nil
    /// and get the damage as an error.
    public func profiles(repairing: ((DamagedCommit) -> Void)? = nil) throws(StoreError) -> ProfilesTable {
        ProfilesTable(storage: try TableStorage.open(path: profilesPath, schema: ProfilesTable.schema, options: tableOptions,
                                                     repairing: repairing))
    }

    /// The `drift` table, created if missing (`repairing`: as for ``profiles(repairing:)``; its writer is the batch).
    public func drift(repairing: ((DamagedCommit) -> Void)? = nil) throws(StoreError) -> DriftTable {
        DriftTable(storage: try TableStorage.open(path: driftPath, schema: DriftRow.deltaSchema, options: tableOptions,
                                                  repairing: repairing))
    }

    /// The `performance` table, created if missing (`repairing`: as for ``profiles(repairing:)``).
    public func performance(repairing: ((DamagedCommit) -> Void)? = nil) throws(StoreError) -> PerformanceTable {
        PerformanceTable(storage: try TableStorage.open(path: performancePath, schema: PerformanceRow.deltaSchema,
                                                        options: tableOptions, repairing: repairing))
    }

    /// The `quality` table, created if missing (`repairing`: as for ``profiles(repairing:)``).
    public func quality(repairing: ((DamagedCommit) -> Void)? = nil) throws(StoreError) -> QualityTable {
        QualityTable(storage: try TableStorage.open(path: qualityPath, schema: QualityRow.deltaSchema,
                                                    options: tableOptions, repairing: repairing))
    }

    /// `<store>/references/<endpoint>/<model_version>.json`.
    public func referencePath(endpoint: String, modelVersion: String) throws(StoreError) -> String {
        try StoreName.check(endpoint, field: "endpoint")
        try StoreName.check(modelVersion, field: "model_version")
        return referencesPath + "/" + endpoint + "/" + modelVersion + ".json"
    }

    /// `<store>/reports/<endpoint>`, created (0750) if missing.
    public func reportsDirectory(endpoint: String) throws(StoreError) -> String {
        try StoreName.check(endpoint, field: "endpoint")
        let path = reportsPath + "/" + endpoint
        do throws(FileError) { try Folder.create(path) } catch { throw StoreError(error) }
        return path
    }

    /// `<store>/locks/<name>.lock`.
    public func lockPath(_ name: String) throws(StoreError) -> String {
        try StoreName.check(name, field: "lock name")
        return locksPath + "/" + name + ".lock"
    }

    /// Takes the lock `name` without waiting (a POSIX record lock: it holds across hosts on a filesystem
    /// that shares locks, such as NFSv4); throws `.lockHeld` naming the holder (another process, or
    /// another lock of this process). The lock is released by `release()`, deinit, or the process's death.
    public func lock(_ name: String, command: String? = nil) throws(StoreError) -> StoreLock {
        let path = try lockPath(name)
        let attempt: LockFile.Attempt
        do throws(FileError) {
            try Folder.create(locksPath)
            attempt = try LockFile.acquire(path, command: command, kind: .record)
        } catch {
            throw StoreError(error)
        }
        switch attempt {
        case .acquired(let lock): return lock
        case .held(let holder): throw .lockHeld(name: name, path: path, holder: holder)
        }
    }

    /// A lock named after one endpoint (`locks/tail-<endpoint>.lock`): what tails took before they locked
    /// partitions (``partitionLock(endpoint:writerID:command:)``); kept for tools that still take it.
    public func tailLock(endpoint: String, command: String? = nil) throws(StoreError) -> StoreLock {
        try StoreName.check(endpoint, field: "endpoint")
        return try lock("tail-" + endpoint, command: command)
    }

    /// The lock of the tail that follows the log partition `endpoint/writerID`
    /// (`locks/tail/<endpoint>/<writer id>.lock`), taken without waiting; throws `.lockHeld` naming the holder.
    ///
    /// The lock lives in the store, the one folder every tail of a fleet shares, so two tails on different
    /// hosts never consume the same partition. It is a POSIX record lock (``LockFile``): it holds across
    /// hosts when the store is on a filesystem whose locks are shared by its clients (NFSv4, or NFSv3 with
    /// the lock manager), and is released when the holder's process dies.
    public func partitionLock(endpoint: String, writerID: String, command: String? = nil) throws(StoreError) -> StoreLock {
        try StoreName.check(endpoint, field: "endpoint")
        try StoreName.check(writerID, field: "writer id")
        let folder = locksPath + "/tail/" + endpoint
        let path = folder + "/" + writerID + ".lock"
        let attempt: LockFile.Attempt
        do throws(FileError) {
            try Folder.create(folder)
            attempt = try LockFile.acquire(path, command: command, kind: .record)
        } catch {
            throw StoreError(error)
        }
        switch attempt {
        case .acquired(let lock): return lock
        case .held(let holder): throw .lockHeld(name: "tail/" + endpoint + "/" + writerID, path: path, holder: holder)
        }
    }

    /// The lock of the batch stage (`locks/batch.lock`).
    public func batchLock(command: String? = nil) throws(StoreError) -> StoreLock {
        try lock("batch", command: command)
    }

    /// The lock of shard `index` of `count` of the batch stage (`locks/batch-shard-<index>-of-<count>.lock`);
    /// an unsharded batch (`count` 1) takes ``batchLock(command:)``.
    public func batchLock(shard index: Int, of count: Int, command: String? = nil) throws(StoreError) -> StoreLock {
        count <= 1 ? try batchLock(command: command) : try lock("batch-shard-\(index)-of-\(count)", command: command)
    }
}

/// A lock of `<store>/locks`: DurableFiles' ``LockFile``, an exclusive POSIX record lock (``LockFile/Kind/record``,
/// shared between hosts by NFS) whose file names its holder.
public typealias StoreLock = LockFile
