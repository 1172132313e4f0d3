import DeltaTable
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import Logging
import Profiles
import Profiling

/// The tail stage: follows the partitions of a log, profiles every record into its event-time window and
/// commits the partial rows to `<store>/profiles` exactly once.
///
/// ```swift
/// let tail = try LogTail(log: LogDirectory("/var/lib/driftline/log"), store: Store(root: "/var/lib/driftline"),
///                        options: options)      // takes the endpoint locks, resumes after the last commit
/// try await tail.run(until: { stopping })       // or: try tail.runOnce()
/// ```
///
/// Exactly once: a commit holds the rows *and* the log positions they cover (``TailProgress`` in the
/// commit's `commitInfo`, with a `txn` of ``TailOptions/applicationID``); a restart reads the positions
/// back and continues after them, so a crash at any moment loses nothing and counts nothing twice.
/// Consumer offsets for the log's retention are written after the commit.
///
/// Not thread-safe: one task drives it (``run(until:)`` or ``runOnce()``); ``metrics`` may be read anywhere.
public final class LogTail: @unchecked Sendable {
    public let log: LogDirectory
    public let store: Store
    public let options: TailOptions
    /// Counters and gauges (published on `/metrics` by ``MetricsServer``).
    public let metrics: TailMetrics

    let profiles: ProfilesTable
    let windows: TumblingWindows
    let references: any ReferenceLookup
    var logger: Logger

    /// Endpoint locks held, by endpoint.
    var locks: [String: StoreLock] = [:]
    /// Endpoints whose lock another process holds (skipped while following every endpoint).
    var heldElsewhere: Set<String> = []
    /// Followed partitions, by key `endpoint/writer`, in discovery order.
    var partitions: [String: PartitionState] = [:]
    var partitionOrder: [String] = []

    /// One model (manifest) seen in the log.
    var models: [ModelState] = []
    var modelIndex: [SchemaFingerprint: Int] = [:]

    /// Accumulators since the last commit.
    var accumulators: [WindowProfile] = []
    var accumulatorKeys: [WindowKey] = []
    var accumulatorIndex: [WindowKey: Int] = [:]

    var joins: [String: LabelJoin] = [:]
    /// Storage the records of a batch are decoded into, reused from batch to batch (no allocation per record).
    var decodeStorage: [DecodedRecord] = []
    /// A batch's join keys (reused), and a sink that keeps the join's cache warming from being optimized away.
    var joinKeys: [JoinKey] = []
    var joinWarmth: UInt64 = 0
    var watermarks: [String: Int64] = [:]
    /// Resume state read from the store at start.
    var committed = TailProgress()
    var counts = TailProgress.Counts()
    var transactionVersion: Int64 = 0
    var lastReferenceCheck = ContinuousClock.now
    /// Offsets written to the consumer files, by partition.
    var consumerOffsets: [String: Int64] = [:]
    var positionsChanged = false
    /// Whether the log folder was missing at the last look (the tail waits for it).
    var waitingForLog = false
    /// Records read since start (all commits).
    var recordsRead: Int64 = 0
    /// Window summaries for `/metrics`, until the window closes.
    var summaries: [SummaryKey: WindowSummary] = [:]
    /// Records refused since the last commit, by endpoint.
    var quarantine = Quarantine()
    /// The schema each model version was first seen with (committed or in this run), by `endpoint/version`.
    var versionSchemas: [String: SchemaFingerprint] = [:]

    struct SummaryKey: Hashable {
        var model: Int
        var windowStart: Int64
    }

    struct PartitionState {
        let partition: LogDirectory.Partition
        let reader: PartitionReader
        /// (first offset, max event time) of the batches read, oldest first, while within the join horizon.
        var horizonBatches: [(offset: Int64, maxTimestamp: Int64)] = []
        var horizonHead = 0
        /// The segment file of the last batch read and the byte after it (for the lag in bytes).
        var segmentPath: String?
        var segmentEnd = 0
    }

    struct ModelState {
        let manifest: PartitionManifest
        var profiler: RecordProfiler
        var referenceID: String?
        /// Windows starting at or after this use `profiler`; earlier ones `earlier`.
        var effectiveFrom: Int64
        var earlier: RecordProfiler
        /// Why this model's records are quarantined (names that break `NameRules`, or a model version first
        /// seen with another schema), or nil when they are profiled.
        var refusal: (reason: Quarantine.Reason, detail: String)?
    }

    struct WindowKey: Hashable {
        var model: Int
        var windowStart: Int64
    }

    /// Opens the profiles table, takes the locks of `options.endpoints` (all endpoints present when empty),
    /// and rebuilds the resume positions and the label join state from the last commits.
    /// - Throws: ``TailError`` (`.endpointHeld` names the holder), or the store's or log's errors.
    public init(log: LogDirectory, store: Store, options: TailOptions = TailOptions(),
                references: (any ReferenceLookup)? = nil, metrics: TailMetrics = TailMetrics(),
                logger: Logger = Logger(label: "driftline.tail")) throws {
        try options.validate()
        self.log = log
        self.store = store
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.windows = try TumblingWindows(length: options.window)
        self.references = references ?? StoreReferences(store: store)
        // The tail writes profiles: a damaged newest commit (never readable) is moved aside, and the tail
        // resumes from the commit before it, re-reading what the damaged one covered.
        var moved: [DamagedCommit] = []
        do { profiles = try store.profiles(repairing: { moved.append($0) }) } catch { throw TailError(.store, "cannot open \(store.profilesPath): \(error)") }
        for damaged in moved {
            logger.warning("\(damaged); resuming from the commit before it")
            metrics.damagedCommitsMoved.increment()
        }
        if !FileManager.default.fileExists(atPath: log.path) {
            logger.warning("log folder \(log.path) does not exist yet; waiting for it (InferenceLogger, `driftline ingest` or `driftline simulate` create it)")
            metrics.logMissing.set(to: 1)
            waitingForLog = true
        }
        for endpoint in options.endpoints { try lock(endpoint, required: true) }
        if options.endpoints.isEmpty {
            for endpoint in try listEndpoints() { try lock(endpoint, required: true) }
        }
        try restoreProgress()
        try discoverPartitions()
    }

    /// Releases the endpoint locks.
    public func close() {
        for lock in locks.values { lock.release() }
        locks = [:]
    }

    deinit { close() }

    // MARK: - Locks and partitions

    func listEndpoints() throws -> [String] {
        do { return try log.endpoints() } catch { throw TailError(.log, "cannot list \(log.path): \(error)") }
    }

    /// Takes `endpoint`'s lock. `required`: throw when another process holds it; else remember and skip it.
    func lock(_ endpoint: String, required: Bool) throws {
        guard locks[endpoint] == nil, !heldElsewhere.contains(endpoint) else { return }
        let result: Result<StoreLock, StoreError>
        do throws(StoreError) {
            result = .success(try store.tailLock(endpoint: endpoint, command: "driftline tail"))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let lock):
            locks[endpoint] = lock
        case .failure(.lockHeld(_, let path, let holder)):
            let who = holder.map { "\($0)" } ?? "another process"
            let message = "endpoint \(endpoint) is already tailed by \(who) (lock \(path)); stop it or tail other endpoints"
            if required { throw TailError(.endpointHeld, message) }
            heldElsewhere.insert(endpoint)
            logger.warning("\(message); skipping it")
        case .failure(let error):
            throw TailError(.store, "cannot lock endpoint \(endpoint): \(error)")
        }
    }

    /// Adds partitions that appeared since the last call (and, following every endpoint, locks new endpoints).
    func discoverPartitions() throws {
        if waitingForLog, FileManager.default.fileExists(atPath: log.path) {
            waitingForLog = false
            metrics.logMissing.set(to: 0)
            logger.info("log folder \(log.path) appeared; following it")
        }
        let found: [LogDirectory.Partition]
        do {
            if options.endpoints.isEmpty {
                found = try log.partitions()
            } else {
                found = try options.endpoints.flatMap { endpoint throws(LogError) in try log.partitions(endpoint: endpoint) }
            }
        } catch {
            throw TailError(.log, "cannot list the partitions of \(log.path): \(error)")
        }
        for partition in found where partitions[partition.description] == nil {
            if options.endpoints.isEmpty { try lock(partition.endpoint, required: false) }
            guard locks[partition.endpoint] != nil else { continue }
            try open(partition)
        }
    }

    /// Starts reading `partition` after its committed position, rebuilding its part of the join state first.
    func open(_ partition: LogDirectory.Partition) throws {
        let key = partition.description
        let position = committed.positions[key] ?? 0
        var state: PartitionState
        do {
            state = PartitionState(partition: partition, reader: try PartitionReader(partition: partition.path, from: position, decoding: .deferred))
        } catch {
            throw TailError(.log, "cannot read \(partition.path): \(error)")
        }
        if position > 0 {
            try rebuildJoin(partition, upTo: position, state: &state)
        }
        partitions[key] = state
        partitionOrder.append(key)
        consumerOffsets[key] = position
        logger.info("following \(key) from offset \(position)")
        metrics.partitionsFollowed.increment()
    }

    /// The model of a batch's manifest, created (with its current reference) on first sight. A model whose
    /// names break `NameRules`, or whose version was first seen with another schema, is created refused:
    /// its records are quarantined.
    func model(for manifest: PartitionManifest) -> Int {
        let fingerprint = manifest.fingerprint
        if let index = modelIndex[fingerprint] { return index }
        var refusal: (reason: Quarantine.Reason, detail: String)?
        let versionKey = "\(manifest.endpoint)/\(manifest.modelVersion)"
        do throws(ValidationError) {
            try NameRules.check(manifest)
            let first = versionSchemas[versionKey]
                ?? committed.schemas[versionKey].flatMap { SchemaFingerprint(hex: $0) }
            if let first, first != manifest.schema.fingerprint {
                refusal = (.schemaChanged, schemaChange(manifest, from: first))
            } else {
                versionSchemas[versionKey] = manifest.schema.fingerprint
            }
        } catch {
            refusal = (.names, "\(error); fix the writer (the same rules refuse it in the logger, ingest, collect and profile)")
        }
        let reference = refusal == nil ? loadReference(manifest) : nil
        let profiler = RecordProfiler(schema: manifest.schema, bins: reference?.bins ?? [:])
        models.append(ModelState(manifest: manifest, profiler: profiler, referenceID: reference?.id,
                                 effectiveFrom: .min, earlier: profiler, refusal: refusal))
        modelIndex[fingerprint] = models.count - 1
        if let refusal { logger.error("endpoint \(manifest.endpoint) model version \(manifest.modelVersion): its records are quarantined: \(refusal.detail)") }
        return models.count - 1
    }

    /// Says how `manifest`'s schema differs from the one its model version was first seen with.
    func schemaChange(_ manifest: PartitionManifest, from first: SchemaFingerprint) -> String {
        var change = "another schema than the one first seen for it (fingerprint \(first.hex), now \(manifest.schema.fingerprint.hex))"
        if let earlier = models.first(where: { $0.manifest.endpoint == manifest.endpoint && $0.manifest.modelVersion == manifest.modelVersion
                                                && $0.manifest.schema.fingerprint == first })?.manifest.schema {
            let kinds = Dictionary(earlier.features.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
            if let changed = manifest.schema.features.first(where: { kinds[$0.name] != nil && kinds[$0.name] != $0.kind }) {
                change = "column '\(changed.name)' changed from \(kinds[changed.name] == .numeric ? "numeric" : "categorical") to \(changed.kind == .numeric ? "numeric" : "categorical")"
            } else if let added = manifest.schema.features.first(where: { kinds[$0.name] == nil }) {
                change = "column '\(added.name)' was added"
            } else if earlier.task != manifest.schema.task {
                change = "the task or classes changed"
            }
        }
        return "model version \(manifest.modelVersion) was logged with \(change); a model version's schema is immutable: bump the model version when the schema changes"
    }

    func loadReference(_ manifest: PartitionManifest) -> ReferenceSnapshot? {
        do {
            return try references.reference(endpoint: manifest.endpoint, modelVersion: manifest.modelVersion)
        } catch {
            logger.warning("reference of \(manifest.endpoint) version \(manifest.modelVersion) unreadable, profiling without bins: \(error)")
            return nil
        }
    }

    /// Picks up references that appeared or changed: they count from the window after the endpoint's latest one.
    func checkReferences() {
        for index in models.indices where models[index].refusal == nil {
            let manifest = models[index].manifest
            let reference = loadReference(manifest)
            guard reference?.id != models[index].referenceID else { continue }
            let watermark = watermarks[manifest.endpoint] ?? .min
            let from = watermark == .min ? Int64.min
                : windows.start(of: Timestamp(microsecondsSinceEpoch: watermark)).microsecondsSinceEpoch.saturatingAdd(windows.lengthMicroseconds)
            models[index].earlier = models[index].profiler
            models[index].profiler = RecordProfiler(schema: manifest.schema, bins: reference?.bins ?? [:])
            models[index].referenceID = reference?.id
            models[index].effectiveFrom = from
            logger.info("reference \(reference?.id ?? "none") of \(manifest.endpoint) version \(manifest.modelVersion) is used from window \(from)")
        }
    }
}
