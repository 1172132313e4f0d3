import DeltaTable
import DriftlineCore
import DriftlineLog
import DriftlineStore

extension LogTail {
    /// Reads where the last commits left off. Every tail of a fleet commits under its own application id
    /// (``TailOptions/applicationID``), and a partition may have moved between them (a host's log folder
    /// followed by another tail id, an endpoint set changed), so for each partition the resume position is
    /// the *largest* position any tail application's last commit recorded for it: log offsets only grow, a
    /// tail commits only the partitions it holds the lock of, and what it carries forward for others is never
    /// ahead of them. The join start comes with that position. The watermarks and the carried-forward
    /// positions are this application's own; the first schema of each model version is the earliest committed.
    ///
    /// Called at start, and again before a partition another tail held is taken over (that tail may have
    /// committed it since); then only the resume positions and schemas are refreshed.
    func restoreProgress() throws {
        let snapshot: Snapshot
        do { snapshot = try profiles.table.snapshot() } catch { throw TailError(.store, "cannot read \(profiles.path): \(error)") }
        var own: TailProgress?
        var lastCommits: [(version: Int64, progress: TailProgress)] = []
        for appId in snapshot.transactions.keys where appId.hasPrefix(TailOptions.applicationPrefix) {
            let last: TransactionCommit?
            do { last = try profiles.lastCommit(ofApplication: appId) } catch { throw TailError(.store, "cannot read the last commit of \(appId): \(error)") }
            guard let last, let progress = TailProgress(commitInfo: last.commitInfo) else {
                if appId == options.applicationID, !startedUp {
                    logger.warning("the last commit of \(appId) has no positions (log cleaned up?); reading the log from the start")
                }
                continue
            }
            if appId == options.applicationID { own = progress }
            lastCommits.append((last.version, progress))
        }
        var positions: [String: Int64] = [:], joinFrom: [String: Int64] = [:]
        var schemas: [String: String] = [:]
        var latestWatermarks: [String: Timestamp] = [:]
        for (_, progress) in lastCommits.sorted(by: { $0.version < $1.version }) {
            for (key, position) in progress.positions where position >= (positions[key] ?? .min) {
                positions[key] = position
                joinFrom[key] = progress.joinFrom[key]
            }
            schemas.merge(progress.schemas) { old, _ in old }   // the first schema of a version stays
            latestWatermarks.merge(progress.watermarks) { max($0, $1) }
        }
        resumePositions = positions
        resumeJoinFrom = joinFrom
        committed.schemas.merge(schemas) { old, _ in old }
        guard !startedUp else { return }
        var restored = own ?? TailProgress()
        restored.schemas = committed.schemas
        // A new tail id (a host joining the fleet, or a tail upgraded from the single-tail id) has no
        // watermarks of its own yet: it starts from the latest any tail committed.
        if own == nil { restored.watermarks = latestWatermarks }
        // A watermark outside EventTimeRange (committed by an older tail from a record dated 2100, say) is
        // dropped, so the endpoint's clock heals: the next valid record sets it again.
        let validTimes = EventTimeRange(now: .now())
        for (endpoint, watermark) in restored.watermarks {
            if validTimes.contains(watermark) {
                watermarks[endpoint] = watermark.microsecondsSinceEpoch
            } else {
                restored.watermarks[endpoint] = nil
                logger.warning("the committed event-time watermark of \(endpoint) (\(EventTimeRange.describe(watermark))) is outside \(validTimes); it is reset")
            }
        }
        restored.counts = TailProgress.Counts()
        carriedWaiting = restored.waitingLabels
        committed = restored
        transactionVersion = snapshot.transactionVersion(appId: options.applicationID) ?? 0
        if !positions.isEmpty {
            logger.info("resuming \(positions.count) partitions after the last commits (tail id \(options.tailID), txn \(options.applicationID) version \(transactionVersion))")
        }
    }

    /// The label join of `endpoint`, removed from `joins` (the caller puts it back), created on first use
    /// with the labels the resumed commit recorded as waiting.
    func takeJoin(_ endpoint: String) -> LabelJoin {
        if let join = joins.removeValue(forKey: endpoint) { return join }
        var join = LabelJoin()
        if let carried = carriedWaiting.removeValue(forKey: endpoint) { join.carry(carried) }
        return join
    }

    /// Re-reads a partition's committed records within the join horizon to rebuild its pending predictions
    /// and waiting labels. Nothing is profiled: those records are in the store already.
    func rebuildJoin(_ partition: LogDirectory.Partition, key: String, upTo position: Int64, state: inout PartitionState) throws {
        let shared = state.shared
        let from = min(resumeJoinFrom[key] ?? 0, position)
        guard from < position else { return }
        let reader: PartitionReader
        do { reader = try PartitionReader(partition: partition.path, from: from, decoding: .deferred) } catch { throw TailError(.log, "cannot read \(partition.path): \(error)") }
        let horizon = options.joinHorizon.wholeMicroseconds
        var restored = 0
        while reader.position < position {
            let events: [LogEvent]
            do { events = try reader.read() } catch { throw TailError(.log, "cannot re-read \(partition.path): \(error)") }
            if events.isEmpty { break }
            for case .records(let batch) in events where batch.firstOffset < position {
                let modelIndex = model(for: batch.manifest)
                guard models[modelIndex].refusal == nil else { continue }
                let validTimes = EventTimeRange(now: .now())
                let endpoint = batch.manifest.endpoint
                let cutoff = watermarks[endpoint].map { $0 &- horizon } ?? .min
                let profiler = models[modelIndex].profiler
                var join = takeJoin(endpoint)
                // A batch that does not decode was reported when it was first read; nothing to rebuild from it.
                guard let range = try? batch.decode(into: &decodeStorage) else {
                    joins[endpoint] = join
                    continue
                }
                // The batch's latest *valid* event time keeps it within the join horizon (a record dated 2100
                // must not hold the horizon forever).
                var latestValid = Int64.min
                defer { state.horizonBatches.append((batch.firstOffset, latestValid)) }
                for i in range where batch.firstOffset + Int64(i - range.lowerBound) < position {
                    let record = decodeStorage[i]
                    let recordTime = record.kind == .inference ? record.inference.timestamp.microsecondsSinceEpoch : record.label.timestamp.microsecondsSinceEpoch
                    if validTimes.contains(microseconds: recordTime) { latestValid = max(latestValid, recordTime) }
                    switch record.kind {
                    case .inference:
                        guard !shared else { continue }   // a shared labels partition contributes its labels only
                        let inference = record.inference
                        let time = inference.timestamp.microsecondsSinceEpoch
                        guard !inference.requestID.isEmpty, time >= cutoff, validTimes.contains(microseconds: time) else { continue }
                        join.restorePrediction(inference.requestID, LabelJoin.PendingPrediction(
                            model: modelIndex, timestamp: time,
                            prediction: profiler.prediction(of: inference), labelled: inference.label != nil))
                        restored += 1
                    case .label:
                        let label = record.label
                        let time = label.timestamp.microsecondsSinceEpoch
                        guard time >= cutoff, validTimes.contains(microseconds: time) else { continue }
                        join.restoreLabel(label.requestID, label.label, timestamp: time, shared: shared)
                        restored += 1
                    }
                }
                joins[endpoint] = join
            }
        }
        if restored > 0 { logger.info("rebuilt the label join of \(key) from \(restored) records (offsets \(from)..<\(position))") }
    }
}
