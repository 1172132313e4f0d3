import DriftlineCore

/// The `add` action: a data file that is part of the table from this version on.
public struct AddFile: Sendable, Hashable {
    /// The path relative to the table root as the log stores it: a URI reference, percent-encoded.
    public var path: String
    /// Partition column → value as Delta serializes it (a `nil` value is a null partition).
    public var partitionValues: [String: String?]
    /// Bytes.
    public var size: Int64
    /// Milliseconds since the epoch.
    public var modificationTime: Int64
    public var dataChange: Bool
    /// Per-file statistics as JSON text (see `FileStatistics`).
    public var stats: String?
    public var tags: [String: String?]?

    /// Describes a data file the caller wrote under the table root.
    ///
    /// - Parameters:
    ///   - relativePath: the file's path below the table root, `/`-separated and not encoded
    ///     (`endpoint=iris/part-0001.parquet`).
    ///   - statistics: numRecords, min/max and null counts; build them with `FileStatistics`.
    public init(relativePath: String, size: Int64, partitionValues: [String: String?] = [:],
                modificationTime: Timestamp, statistics: FileStatistics? = nil, dataChange: Bool = true) {
        self.path = PathEncoding.encode(relativePath)
        self.partitionValues = partitionValues
        self.size = size
        self.modificationTime = modificationTime.milliseconds
        self.dataChange = dataChange
        self.stats = statistics?.json
        self.tags = nil
    }

    /// The path below the table root, percent-decoded.
    public var relativePath: String { PathEncoding.decode(path) }

    /// The parsed `stats`, or nil when absent or not valid JSON.
    public var statistics: FileStatistics? { stats.flatMap { try? FileStatistics(json: $0) } }
}

/// The `remove` action: a tombstone for a data file that left the table in this version.
public struct RemoveFile: Sendable, Hashable {
    public var path: String
    /// Milliseconds since the epoch; `vacuum` deletes the file once this is older than the retention.
    public var deletionTimestamp: Int64?
    public var dataChange: Bool
    public var extendedFileMetadata: Bool?
    public var partitionValues: [String: String?]?
    public var size: Int64?
    public var stats: String?
    public var tags: [String: String?]?

    /// The tombstone for a live file, removed at `time`.
    public init(removing file: AddFile, at time: Timestamp, dataChange: Bool = true) {
        path = file.path
        deletionTimestamp = time.milliseconds
        self.dataChange = dataChange
        extendedFileMetadata = true
        partitionValues = file.partitionValues
        size = file.size
        stats = file.stats
        tags = nil
    }

    /// The path below the table root, percent-decoded.
    public var relativePath: String { PathEncoding.decode(path) }

    init(path: String, deletionTimestamp: Int64?, dataChange: Bool, extendedFileMetadata: Bool?,
         partitionValues: [String: String?]?, size: Int64?) {
        self.path = path
        self.deletionTimestamp = deletionTimestamp
        self.dataChange = dataChange
        self.extendedFileMetadata = extendedFileMetadata
        self.partitionValues = partitionValues
        self.size = size
        stats = nil
        tags = nil
    }
}

/// Percent-encoding of data file paths in `add`/`remove` actions (RFC 2396 URI references).
enum PathEncoding {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/=".utf8))
    private static let hex = Array("0123456789ABCDEF".utf8)

    static func encode(_ path: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(path.utf8.count)
        for byte in path.utf8 {
            if unreserved.contains(byte) {
                out.append(byte)
            } else {
                out.append(37)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ path: String) -> String {
        guard path.utf8.contains(37) else { return path }
        let bytes = Array(path.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 37, index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }
}
