import DriftlineCore
/// One action of a Delta commit: a line of a `_delta_log/NNN.json` file or a row of a checkpoint.
public enum Action: Sendable, Hashable {
    case `protocol`(ProtocolVersions)
    case metaData(TableMetadata)
    case add(AddFile)
    case remove(RemoveFile)
    case txn(AppTransaction)
    /// Free-form provenance: any JSON object.
    case commitInfo([String: JSONValue])
}

/// The `protocol` action: which readers and writers may use the table.
public struct ProtocolVersions: Sendable, Hashable {
    /// The oldest reader protocol that can read the table (1 for tables this library creates).
    public var minReaderVersion: Int
    /// The oldest writer protocol that can write it (2 for tables this library creates).
    public var minWriterVersion: Int
    /// Table features readers must support (reader version 3 only).
    public var readerFeatures: [String]?
    /// Table features writers must support (writer version 7 only).
    public var writerFeatures: [String]?

    public init(minReaderVersion: Int = 1, minWriterVersion: Int = 2,
                readerFeatures: [String]? = nil, writerFeatures: [String]? = nil) {
        self.minReaderVersion = minReaderVersion
        self.minWriterVersion = minWriterVersion
        self.readerFeatures = readerFeatures
        self.writerFeatures = writerFeatures
    }

    /// Reader features that change neither which files are live nor how their columns are named.
    static let readableFeatures: Set<String> = ["timestampNtz", "vacuumProtocolCheck"]
    /// Writer features this library honours when it commits (it writes neither constraints nor identity columns).
    static let writableFeatures: Set<String> = ["appendOnly", "timestampNtz"]

    /// Throws unless this library can compute the live files of a table with this protocol and read
    /// their columns by name (no column mapping, no deletion vectors).
    func checkReadable(table: String) throws {
        switch minReaderVersion {
        case 1: return
        case 3:
            let unknown = Set(readerFeatures ?? []).subtracting(Self.readableFeatures)
            guard unknown.isEmpty else {
                throw DeltaError.unsupportedProtocol(table: table, detail: "reader features \(unknown.sorted()) are not supported")
            }
        default:
            throw DeltaError.unsupportedProtocol(
                table: table, detail: "minReaderVersion \(minReaderVersion) is not supported (column mapping or newer)")
        }
    }

    /// Throws unless this library may commit to a table with this protocol.
    func checkWritable(table: String) throws {
        switch minWriterVersion {
        case 1, 2: return
        case 7 where Set(writerFeatures ?? []).isSubset(of: Self.writableFeatures): return
        default:
            throw DeltaError.unsupportedProtocol(
                table: table,
                detail: "writing needs writer version \(minWriterVersion) with features \(writerFeatures ?? []); this library writes version 2")
        }
    }
}

/// The `metaData` action: identity, schema, partitioning and configuration of the table.
public struct TableMetadata: Sendable, Hashable {
    /// The encoding of the data files (always `parquet` here).
    public struct Format: Sendable, Hashable {
        public var provider: String
        public var options: [String: String]?

        public init(provider: String = "parquet", options: [String: String]? = [:]) {
            self.provider = provider
            self.options = options
        }
    }

    /// The table's unique id (a UUID).
    public var id: String
    public var name: String?
    public var description: String?
    public var format: Format
    /// The schema as Spark JSON; `schema()` parses it.
    public var schemaString: String
    public var partitionColumns: [String]
    /// Milliseconds since the epoch.
    public var createdTime: Int64?
    /// Table properties (`delta.appendOnly`, `delta.logRetentionDuration`, …).
    public var configuration: [String: String?]

    public init(id: String, name: String? = nil, description: String? = nil, format: Format = Format(),
                schemaString: String, partitionColumns: [String], createdTime: Int64?, configuration: [String: String?]) {
        self.id = id
        self.name = name
        self.description = description
        self.format = format
        self.schemaString = schemaString
        self.partitionColumns = partitionColumns
        self.createdTime = createdTime
        self.configuration = configuration
    }

    /// The parsed `schemaString`.
    public func schema() throws -> DeltaSchema { try DeltaSchema(json: schemaString) }
}

/// The `txn` action: an application's progress marker, committed atomically with its data.
public struct AppTransaction: Sendable, Hashable {
    /// Identifies the application (e.g. one tail process per endpoint).
    public var appId: String
    /// The application's own progress marker; must grow from commit to commit.
    public var version: Int64
    /// Milliseconds since the epoch.
    public var lastUpdated: Int64?

    public init(appId: String, version: Int64, lastUpdated: Int64? = nil) {
        self.appId = appId
        self.version = version
        self.lastUpdated = lastUpdated
    }
}
