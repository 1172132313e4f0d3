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
/// Not thread-safe, and so not `Sendable`: one task drives it (``run(until:)`` or ``runOnce()``); to run it
/// in a service group, send it into a ``TailService``. ``metrics`` (`Sendable`) may be read anywhere.
public final class LogTail {
    public let log: LogDirectory
    public let store: Store
    public let options: TailOptions
    /// Counters and gauges (published on `/metrics` by ``MetricsServer``).
    public let metrics: TailMetrics

    let profiles: ProfilesTable
    let windows: TumblingWindows
    let references: any ReferenceLookup
    var logger: Logger

    /// Partition locks held (`<store>/locks/tail/<endpoint>/<writer>.lock`), by partition key `endpoint/writer`.
    var locks: [String: StoreLock] = [:]
    /// Partitions whose lock another tail holds, with who holds it: skipped, and tried again at every
    /// discovery (the holder may stop; then this tail takes the partition over).
    var heldElsewhere: [String: String] = [:]
    /// Whether the first discovery (in `init`) is done: a partition locked after it is resumed from
    /// positions read again from the store, since another tail may have committed it meanwhile.
    var startedUp = false
    /// Followed partitions, by key `endpoint/writer`, in discovery order.
    var partitions: [String: PartitionState] = [:]
    var partitionOrder: [String] = []

    /// One model (manifest) seen in the log.
    var models: [ModelState] = []
    var modelIndex: [SchemaFingerprint: Int] = [:]

    /// Accumulators since the last commit: the labels joined on the stage's thread (and, once
    /// ``foldWorkers()`` ran at a commit, everything); each partition's worker holds its own until then.
    var accumulators: [WindowProfile] = []
    var accumulatorKeys: [WindowKey] = []
    var accumulatorIndex: [WindowKey: Int] = [:]

    var joins: [String: LabelJoin] = [:]
    /// Partitions held before a batch whose manifest cannot be read, with why (see `PartitionReader.held`).
    var heldPartitions: [String: String] = [:]
    /// The labels the resumed commit recorded as waiting, by endpoint, until the endpoint's join is created.
    var carriedWaiting: [String: LabelJoin.Carried] = [:]
    /// Each followed partition's worker (reads, decodes and profiles it, possibly on another core), by key.
    var workers: [String: PartitionWorker] = [:]
    /// The last round read and profiled, applied at the next read (or by ``drainPending()``).
    var pending: [PendingRound] = []
    /// Storage the records of a batch are decoded into, reused from batch to batch (no allocation per record).
    var decodeStorage: [DecodedRecord] = []
    var watermarks: [String: Int64] = [:]
    /// Resume state read from the store at start.
    var committed = TailProgress()
    /// The position to resume each partition from, and where its label join re-reads from: the largest
    /// position of any tail application's last commit (see ``restoreProgress()``).
    var resumePositions: [String: Int64] = [:]
    var resumeJoinFrom: [String: Int64] = [:]
    var counts = TailProgress.Counts()
    /// What this process committed, summed over its commits (the run's summary).
    var runTotals = TailProgress.Counts()
    var runCommits = 0
    var transactionVersion: Int64 = 0
    /// The Delta version of this process's last commit (checked before the next one).
    var lastCommitVersion: Int64?
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
    /// Shared labels partitions found holding inference records (said once each).
    var warnedSharedInferences: Set<String> = []
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
        /// A partition of the shared labels log (`--labels-log`): read by every tail without a lock, only its
        /// labels are used, joined when this tail holds their prediction.
        var shared = false
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

    /// Opens the profiles table, reads the resume positions from the last commits, takes the lock of every
    /// partition of `options.endpoints` (all endpoints when empty) that no other tail holds, and rebuilds
    /// their label join state. Partitions another tail holds are skipped and tried again while following.
    /// - Throws: ``TailError``: the store's or log's errors.
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
        try restoreProgress()
        try discoverPartitions()
        startedUp = true
    }

    /// Releases the partition locks.
    public func close() {
        for lock in locks.values { lock.release() }
        locks = [:]
    }

    deinit { close() }

    // MARK: - Locks and partitions

    /// Takes the lock of `partition` in the store. Returns false when another tail holds it: the partition is
    /// skipped (said once, in the tail's log and `/metrics`) and tried again at the next discovery.
    func lock(_ partition: LogDirectory.Partition) throws -> Bool {
        let key = partition.description
        if locks[key] != nil { return true }
        let result: Result<StoreLock, StoreError>
        do throws(StoreError) {
            result = .success(try store.partitionLock(endpoint: partition.endpoint, writerID: partition.writerID,
                                                      command: "driftline tail --tail-id \(options.tailID) --log \(log.path)"))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let lock):
            locks[key] = lock
            if let holder = heldElsewhere.removeValue(forKey: key) {
                logger.notice("partition \(key) is free now (was tailed by \(holder)); taking it over")
                metrics.partitionsHeldElsewhere.set(to: Double(heldElsewhere.count))
            }
            return true
        case .failure(.lockHeld(_, let path, let holder)):
            let who = holder.map { "\($0)" } ?? "another process"
            if heldElsewhere[key] == nil {
                heldElsewhere[key] = who
                metrics.partitionsHeldElsewhere.set(to: Double(heldElsewhere.count))
                logger.warning("partition \(key) is already tailed by \(who) (lock \(path)); skipping it, and taking it over when that tail stops")
            }
            return false
        case .failure(let error):
            throw TailError(.store, "cannot lock partition \(key): \(error)")
        }
    }

    /// Adds partitions that appeared since the last call, and partitions another tail held and released.
    /// Each is locked first: a partition is consumed by one tail at a time.
    func discoverPartitions() throws {
        drainPending()      // a partition opened now rebuilds its join state after everything read so far
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
        var refreshed = !startedUp
        for partition in found where partitions[partition.description] == nil {
            guard try lock(partition) else { continue }
            if !refreshed {
                // Another tail may have committed this partition since our start (it held it, then stopped).
                try restoreProgress()
                refreshed = true
            }
            try open(partition, key: partition.description, shared: false)
        }
        try discoverSharedLabels()
    }

    /// Adds the partitions of the shared labels log (`--labels-log`) that appeared since the last call. Every
    /// tail reads all of them (no lock), with positions of its own: the key `<tail id>@labels:<partition>`.
    func discoverSharedLabels() throws {
        guard let labelsLog = options.labelsLog, FileManager.default.fileExists(atPath: labelsLog) else { return }
        let directory = LogDirectory(labelsLog)
        let found: [LogDirectory.Partition]
        do {
            if options.endpoints.isEmpty {
                found = try directory.partitions()
            } else {
                found = try options.endpoints.flatMap { endpoint throws(LogError) in try directory.partitions(endpoint: endpoint) }
            }
        } catch {
            throw TailError(.log, "cannot list the partitions of the labels log \(labelsLog): \(error)")
        }
        for partition in found {
            let key = sharedKey(partition)
            if partitions[key] == nil { try open(partition, key: key, shared: true) }
        }
    }

    /// The progress key of a shared labels partition: this tail id's own, since every tail reads it whole.
    func sharedKey(_ partition: LogDirectory.Partition) -> String {
        options.tailID + "@labels:" + partition.description
    }

    /// Starts reading `partition` after its committed position, rebuilding its part of the join state first.
    func open(_ partition: LogDirectory.Partition, key: String, shared: Bool) throws {
        let position = resumePositions[key] ?? 0
        var state: PartitionState
        do {
            state = PartitionState(partition: partition, reader: try PartitionReader(partition: partition.path, from: position, decoding: .deferred),
                                   shared: shared)
        } catch {
            throw TailError(.log, "cannot read \(partition.path): \(error)")
        }
        if position > 0 {
            try rebuildJoin(partition, key: key, upTo: position, state: &state)
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
        drainPending()      // a new reference counts from the window after the watermark of everything read
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
