import DriftlineCore

/// The one writer of a partition `<log>/<endpoint>/<writer-id>/`: appends batches, rolls segments,
/// keeps the indexes, applies retention.
///
/// ```swift
/// let writer = try PartitionWriter(logDirectory: "/var/lib/driftline/log", endpoint: "iris", writerID: "host-1",
///                                  modelVersion: "3", schema: schema)
/// var records: [UInt8] = []
/// try writer.encoder.appendInference(record, to: &records)            // validate + encode (Core)
/// let base = try writer.append(encodedRecords: records, count: 1,
///                              firstTimestamp: record.timestamp, maxTimestamp: record.timestamp)
/// try writer.flushToOS()   // write(2) what is buffered
/// try writer.sync()        // fsync: durable from here on
/// try writer.close()
/// ```
///
/// Opening takes an exclusive `flock` on `writer.lock` (a second writer gets ``LogError/Kind/partitionLocked``),
/// writes the manifest file, and recovers the last segment: a torn or corrupt tail is truncated at the last
/// valid batch (see ``recovery``).
///
/// Buffering: ``append(encodedRecords:count:firstTimestamp:maxTimestamp:)`` compresses into an in-memory buffer
/// and writes it to the OS only when it passes ``Options/writeBufferBytes``; ``flushToOS()`` writes it now;
/// ``sync()`` writes and fsyncs. Offsets returned by `append` are final once the batch is written: a failed
/// write discards the unwritten batches (the error counts them) and their offsets are reused.
/// A failed `fsync` makes the writer unusable: its data may be lost, so open the partition again.
///
/// Retention is explicit: call ``applyRetention(now:)`` now and then (say every minute, or when
/// ``activeSegmentBaseOffset`` changes after a roll); it only touches closed segments.
///
/// Not thread-safe, and so not `Sendable`: one thread (the logger's writer thread) owns it; hand it to
/// another isolation domain only as a `sending` value, never share it.
public final class PartitionWriter {
    /// Tunables; the defaults suit a model server.
    public struct Options: Sendable {
        /// Start a new segment when the current one would pass this size (default 64 MiB, at most 1 GiB).
        public var segmentBytes: Int = 64 << 20
        /// Start a new segment when the current one is this old (default 1 hour).
        public var segmentAge: Duration = .seconds(3600)
        /// Bytes of batches between two sparse index entries (default 4 KiB).
        public var indexIntervalBytes: Int = 4096
        /// `append` writes to the OS once this many bytes are buffered (default 256 KiB).
        public var writeBufferBytes: Int = 256 << 10
        /// What ``PartitionWriter/applyRetention(now:)`` deletes.
        public var retention = RetentionPolicy()

        public init() {}
    }

    /// What recovery found in the last segment when the writer opened the partition.
    public struct Recovery: Sendable, Equatable {
        /// The segment scanned (nil when the partition was new).
        public var segmentPath: String?
        /// Bytes of valid batches kept.
        public var validBytes: Int
        /// Bytes of a torn or corrupt tail that were truncated.
        public var droppedBytes: Int
        /// Why the dropped bytes were not a valid batch.
        public var problem: String?
    }

    /// The partition folder.
    public let folder: String
    /// Endpoint, model version and schema of the records this writer appends.
    public let manifest: PartitionManifest
    /// The manifest's fingerprint, written into every batch header.
    public let fingerprint: SchemaFingerprint
    /// Validates and encodes records for ``append(encodedRecords:count:firstTimestamp:maxTimestamp:)``.
    public let encoder: RecordEncoder
    /// The tunables in force.
    public let options: Options
    /// What recovery did on open.
    public internal(set) var recovery: Recovery

    let lock: PartitionLock
    var segment: ActiveSegment
    var pending: [UInt8] = []
    var pendingIndex: [UInt8] = []
    var pendingTimeIndex: [UInt8] = []
    var pendingRecords = 0
    /// Where each buffered batch ends, and the writer's state just after it (to keep whole batches on a short write).
    var pendingBatches: [PendingBatch] = []
    /// Offset of the next record appended (counts buffered batches).
    public internal(set) var nextOffset: Int64
    /// Offset just past the last record written to the OS.
    public internal(set) var writtenOffset: Int64
    /// Base offset of the segment being appended to (changes when a segment rolls).
    public var activeSegmentBaseOffset: Int64 { segment.files.baseOffset }
    var foldersToSync: Set<String> = []
    var unusableReason: String?
    /// The active segment's tail could not be restored after a failed write; recover before the next one.
    var tailDamaged = false

    /// Opens (creating when needed) the partition `<logDirectory>/<endpoint>/<writerID>`.
    /// - Throws: ``LogError`` (`.invalid` for an unsafe endpoint or writer id, `.partitionLocked`, `.io`).
    public convenience init(
        logDirectory: String, endpoint: String, writerID: String, modelVersion: String, schema: ModelSchema,
        options: Options = Options()
    ) throws(LogError) {
        let manifest: PartitionManifest
        do throws(ValidationError) {
            manifest = try PartitionManifest(endpoint: endpoint, modelVersion: modelVersion, schema: schema)
        } catch {
            throw LogError.invalid(error)
        }
        try self.init(logDirectory: logDirectory, writerID: writerID, manifest: manifest, options: options)
    }

    /// Opens the partition of `manifest.endpoint` and `writerID` under `logDirectory`.
    ///
    /// A model version's schema is immutable: when a partition of the endpoint holds `manifest`'s model
    /// version with another schema, this throws `.invalid` (a ``ValidationError`` of kind `schemaChanged`
    /// saying to bump the version). `allowingSchemaChange` skips that check; it exists for tools that
    /// reproduce what an older writer could leave in a log (tests), never for serving.
    public init(logDirectory: String, writerID: String, manifest: PartitionManifest, options: Options = Options(),
                allowingSchemaChange: Bool = false) throws(LogError) {
        let writer: PathComponent
        do throws(ValidationError) { writer = try PathComponent(writerID, field: "writerID") } catch { throw LogError.invalid(error) }
        guard options.segmentBytes >= 1024, options.segmentBytes <= 1 << 30 else {
            throw LogError(.invalidArgument, path: logDirectory, detail: "segmentBytes \(options.segmentBytes) must lie in 1 KiB…1 GiB")
        }
        let folder = "\(logDirectory)/\(manifest.endpoint)/\(writer.value)"
        try LogFolder.create(folder)   // durable: each parent that gained a folder is fsynced
        let (lock, lockCreated) = try PartitionLock.acquire(partition: folder)
        let recovered: RecoveredSegment
        do throws(LogError) {
            if !allowingSchemaChange { try Self.checkSchemaUnchanged(manifest, endpointFolder: "\(logDirectory)/\(manifest.endpoint)") }
            try ManifestFile.write(manifest, in: folder)   // durable: an atomic replace
            recovered = try Self.recoverLastSegment(in: folder, indexInterval: options.indexIntervalBytes)
        } catch {
            lock.release()
            throw error
        }
        do throws(LogError) {
            // A new lock file and segment files become durable names before any batch is promised.
            if lockCreated || recovered.created { try LogFolder.sync(folder) }
        } catch {
            recovered.segment.closeFiles()
            lock.release()
            throw error
        }
        self.folder = folder
        self.manifest = manifest
        self.fingerprint = manifest.fingerprint
        self.encoder = RecordEncoder(schema: manifest.schema)
        self.options = options
        self.lock = lock
        self.segment = recovered.segment
        self.recovery = recovered.recovery
        self.nextOffset = recovered.nextOffset
        self.writtenOffset = recovered.nextOffset
        self.foldersToSync = []
    }

    /// A model version's schema is immutable: refuses `manifest` when a partition of its endpoint (any
    /// writer) holds a manifest of the same model version with another schema.
    static func checkSchemaUnchanged(_ manifest: PartitionManifest, endpointFolder: String) throws(LogError) {
        // Unreadable folders or manifests are the reader's business (reported there), not a reason to refuse writing.
        for writer in (try? LogFolder.list(endpointFolder)) ?? [] where (try? PathComponent(writer, field: "writerID")) != nil {
            for earlier in ((try? ManifestFile.readAll(in: "\(endpointFolder)/\(writer)")) ?? [:]).values
            where earlier.modelVersion == manifest.modelVersion && earlier.schema != manifest.schema {
                throw LogError.invalid(ValidationError(
                    .schemaChanged, field: "modelVersion", value: manifest.modelVersion,
                    detail: "endpoint \(manifest.endpoint) logged model version \(manifest.modelVersion) with another schema before (partition \(writer)); a model version's schema is immutable: bump the model version when features, kinds or classes change"))
            }
        }
    }

    /// Files closed and lock released.
    var released = false

    deinit {
        release()
    }
}
