import DeltaTable
import DriftlineCore
import DriftlineLog
import DriftlineStore

extension LogTail {
    /// Reads where the last commits left off: for each partition, the positions of the newest tail commit
    /// that recorded it (whichever tail application made it: endpoint sets may change between runs), and
    /// this application's `txn` version.
    func restoreProgress() throws {
        let snapshot: Snapshot
        do { snapshot = try profiles.table.snapshot() } catch { throw TailError(.store, "cannot read \(profiles.path): \(error)") }
        transactionVersion = snapshot.transactionVersion(appId: options.applicationID) ?? 0
        var newest: [(version: Int64, progress: TailProgress)] = []
        for appId in snapshot.transactions.keys where appId.hasPrefix(TailOptions.applicationPrefix) {
            let last: TransactionCommit?
            do { last = try profiles.lastCommit(ofApplication: appId) } catch { throw TailError(.store, "cannot read the last commit of \(appId): \(error)") }
            guard let last, let progress = TailProgress(commitInfo: last.commitInfo) else {
                if appId == options.applicationID {
                    logger.warning("the last commit of \(appId) has no positions (log cleaned up?); reading the log from the start")
                }
                continue
            }
            newest.append((last.version, progress))
        }
        var restored = TailProgress()
        for (_, progress) in newest.sorted(by: { $0.version < $1.version }) {
            restored.positions.merge(progress.positions) { $1 }
            restored.joinFrom.merge(progress.joinFrom) { $1 }
            restored.watermarks.merge(progress.watermarks) { $1 }
            restored.schemas.merge(progress.schemas) { old, _ in old }   // the first schema of a version stays
        }
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
        committed = restored
        if !restored.positions.isEmpty {
            logger.info("resuming \(restored.positions.count) partitions after the last commit (txn \(options.applicationID) version \(transactionVersion))")
        }
    }

    /// Re-reads a partition's committed records within the join horizon to rebuild its pending predictions
    /// and waiting labels. Nothing is profiled: those records are in the store already.
    func rebuildJoin(_ partition: LogDirectory.Partition, upTo position: Int64, state: inout PartitionState) throws {
        let key = partition.description
        let from = min(committed.joinFrom[key] ?? 0, position)
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
                var join = joins.removeValue(forKey: endpoint) ?? LabelJoin()
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
                        join.restoreLabel(label.requestID, label.label, timestamp: time)
                        restored += 1
                    }
                }
                joins[endpoint] = join
            }
        }
        if restored > 0 { logger.info("rebuilt the label join of \(key) from \(restored) records (offsets \(from)..<\(position))") }
    }
}
