/// The state of a table at one version: protocol, metadata, live files, tombstones and application
/// transactions, computed by replaying the log (from the newest checkpoint, then the JSON commits after it).
public struct Snapshot: Sendable {
    /// The table root.
    public let tablePath: String
    /// The version this snapshot reflects.
    public let version: Int64
    /// The latest `protocol` action.
    public let protocolVersions: ProtocolVersions
    /// The latest `metaData` action.
    public let metadata: TableMetadata
    /// The parsed schema of `metadata`.
    public let schema: DeltaSchema
    /// Live files keyed by their decoded relative path.
    let filesByPath: [String: AddFile]
    /// Removed files not yet expired, keyed by their decoded relative path.
    let tombstonesByPath: [String: RemoveFile]
    /// appId → latest `txn` action.
    let transactionsByApp: [String: AppTransaction]

    /// Partition columns, in table order.
    public var partitionColumns: [String] { metadata.partitionColumns }

    /// Live data files, ordered by path.
    public var files: [AddFile] { filesByPath.keys.sorted().compactMap { filesByPath[$0] } }

    /// Tombstones (removed files) the log still remembers, ordered by path.
    public var tombstones: [RemoveFile] { tombstonesByPath.keys.sorted().compactMap { tombstonesByPath[$0] } }

    /// appId → the latest committed application version.
    public var transactions: [String: Int64] { transactionsByApp.mapValues(\.version) }

    /// The latest version an application committed with a `txn` action, or nil if it never did.
    public func transactionVersion(appId: String) -> Int64? { transactionsByApp[appId]?.version }

    /// Live files that may hold rows of `selection`: their partition matches and, when the selection
    /// has a time range, their statistics do not rule it out. Use it to read only the files a query needs.
    public func files(overlapping selection: FileSelection) -> [AddFile] {
        files.filter { selection.mayOverlap($0) }
    }

    /// The live file at a relative path.
    public func file(at relativePath: String) -> AddFile? { filesByPath[relativePath] }

    /// Total records of the live files, when every file has statistics.
    public var numRecords: Int64? {
        var total: Int64 = 0
        for file in filesByPath.values {
            guard let statistics = file.statistics else { return nil }
            total += statistics.numRecords
        }
        return total
    }
}

/// The mutable state of a log replay.
struct ReplayState: Sendable {
    var version: Int64 = -1
    var protocolVersions: ProtocolVersions?
    var metadata: TableMetadata?
    var files: [String: AddFile] = [:]
    var tombstones: [String: RemoveFile] = [:]
    var transactions: [String: AppTransaction] = [:]

    mutating func apply(_ actions: [Action]) {
        for action in actions {
            switch action {
            case let .protocol(value): protocolVersions = value
            case let .metaData(value): metadata = value
            case let .txn(value): transactions[value.appId] = value
            case let .add(value):
                let key = value.relativePath
                files[key] = value
                tombstones[key] = nil
            case let .remove(value):
                let key = value.relativePath
                files[key] = nil
                tombstones[key] = value
            case .commitInfo: break
            }
        }
    }

    init() {}

    init(_ snapshot: Snapshot) {
        version = snapshot.version
        protocolVersions = snapshot.protocolVersions
        metadata = snapshot.metadata
        files = snapshot.filesByPath
        tombstones = snapshot.tombstonesByPath
        transactions = snapshot.transactionsByApp
    }

    func snapshot(table: String) throws -> Snapshot {
        guard let protocolVersions else {
            throw DeltaError.malformedLog(file: LogFiles(table: table).commit(max(version, 0)), line: 0,
                                          reason: "no protocol action up to version \(version)")
        }
        guard let metadata else {
            throw DeltaError.malformedLog(file: LogFiles(table: table).commit(max(version, 0)), line: 0,
                                          reason: "no metaData action up to version \(version)")
        }
        try protocolVersions.checkReadable(table: table)
        let schema: DeltaSchema
        do {
            schema = try metadata.schema()
        } catch let error as DeltaError {
            throw DeltaError.unsupportedProtocol(table: table, detail: "schemaString of version \(version): \(error)")
        }
        return Snapshot(tablePath: table, version: version, protocolVersions: protocolVersions, metadata: metadata,
                        schema: schema, filesByPath: files, tombstonesByPath: tombstones, transactionsByApp: transactions)
    }
}
