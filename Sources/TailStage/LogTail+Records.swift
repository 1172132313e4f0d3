import DriftlineCore
import DriftlineLog
import Profiles
import Profiling

extension LogTail {
    /// Applies what one read of a partition returned, after its worker profiled it: corrupt batches and
    /// gaps are counted, and each profiled batch's labels go through the join (see ``finish(_:_:items:model:partition:shared:validTimes:)``).
    func handle(_ round: PartitionWorker.Round, of key: String, validTimes: EventTimeRange) {
        var outcomeIndex = 0
        // The next joined label of each shard's results (their items are in order: merged in item order).
        var joined = JoinedCursor(round)
        for event in round.events {
            switch event {
            case .records(let batch):
                guard outcomeIndex < round.outcomes.count, outcomeIndex < round.batchModels.count else {
                    // Not reached (the worker leaves one outcome per records batch); if it were, the batch is
                    // counted as lost, never passed over silently.
                    counts.lostRecords += Int64(batch.count)
                    metrics.lostRecords.increment(by: Int64(batch.count))
                    logger.error("\(key): the batch at byte \(batch.position) of \(batch.segmentPath) was read but not profiled (internal error); its \(batch.count) records are counted as lost")
                    advance(key, past: batch)
                    continue
                }
                finish(batch, round.outcomes[outcomeIndex], joined: &joined, model: round.batchModels[outcomeIndex],
                       partition: key, shared: partitions[key]?.shared ?? false, validTimes: validTimes)
                outcomeIndex += 1
            case .corruption(let region):
                counts.corruptBatches += 1
                metrics.corruptBatches.increment()
                logger.error("corrupt log data in \(key): \(region)")
            case .gap(let gap):
                counts.lostRecords += gap.lostRecords
                metrics.lostRecords.increment(by: gap.lostRecords)
                logger.error("\(key): \(gap)")
            }
        }
    }

    /// The labels the join shards matched in a round, in item order (a merge of the shards' results).
    struct JoinedCursor {
        let results: [[PartitionWorker.JoinedLabel]]
        var next: [Int]

        init(_ round: PartitionWorker.Round) {
            results = round.results.map(\.joined)
            next = [Int](repeating: 0, count: results.count)
        }

        /// The next joined label whose item is below `end`, if any.
        mutating func pop(below end: Int) -> PartitionWorker.JoinedLabel? {
            var best = -1
            var bestItem = Int32.max
            for shard in 0..<results.count where next[shard] < results[shard].count {
                let item = results[shard][next[shard]].item
                if item < bestItem {
                    best = shard
                    bestItem = item
                }
            }
            guard best >= 0, Int(bestItem) < end else { return nil }
            defer { next[best] += 1 }
            return results[best][next[best]]
        }
    }

    /// Finishes one batch its partition's worker profiled, once the join shards applied its items: each
    /// label they matched is profiled into the stage's accumulator of its prediction's window; counts,
    /// quarantine, watermark and position. A batch whose payload does not decode is counted as corrupt and its records as lost, as the
    /// reader does for one that fails its CRC; nothing of it is profiled.
    ///
    /// `shared`: the batch is of the shared labels log; its inference records were ignored (they belong to
    /// a host's own log) and its labels join only predictions this tail holds (see ``LabelJoin``).
    func finish(_ batch: RecordBatch, _ outcome: PartitionWorker.Outcome, joined: inout JoinedCursor, model modelIndex: Int,
                partition key: String, shared: Bool, validTimes: EventTimeRange) {
        let endpoint = batch.manifest.endpoint
        let done: PartitionWorker.Profiled
        switch outcome {
        case .corrupt(let error):
            counts.corruptBatches += 1
            metrics.corruptBatches.increment()
            counts.lostRecords += Int64(batch.count)
            metrics.lostRecords.increment(by: Int64(batch.count))
            logger.error("corrupt log data in \(key): the batch at byte \(batch.position) of \(batch.segmentPath) passed its CRC but does not decode (\(error)); its \(batch.count) records are lost")
            advance(key, past: batch)
            return
        case .refused(let records):
            let n = Int64(records)
            if let refusal = models[modelIndex].refusal {
                quarantine(n, of: endpoint, reason: refusal.reason, detail: refusal.detail)
            }
            counts.records += n
            recordsRead += n
            metrics.recordRead(endpoint: endpoint, count: n, bytes: batch.header.totalLength)
            advance(key, past: batch)
            return
        case .profiled(let profiled):
            done = profiled
        }
        var labelsJoined: Int64 = 0
        if !done.items.isEmpty, let first = joined.pop(below: done.items.upperBound) {
            // The joined labels are profiled in a local array (moved out of `self` and back).
            var accumulators = self.accumulators
            self.accumulators = []
            defer { self.accumulators = accumulators }
            var next: PartitionWorker.JoinedLabel? = first
            while let match = next {
                let start = windows.start(of: Timestamp(microsecondsSinceEpoch: match.prediction.timestamp)).microsecondsSinceEpoch
                let index = slot(for: WindowKey(model: Int(match.prediction.model), windowStart: start), in: &accumulators)
                let labelProfiler = accumulators[index].profiler
                labelProfiler.addLabel(match.label, prediction: match.prediction.prediction, to: &accumulators[index])
                labelsJoined += 1
                next = joined.pop(below: done.items.upperBound)
            }
        }
        watermarks[endpoint] = max(watermarks[endpoint] ?? .min, done.watermark)
        if done.ignoredSharedInferences > 0, warnedSharedInferences.insert(key).inserted {
            logger.warning("\(key): the labels log holds inference records; they are ignored there (log predictions to the host's own log)")
        }
        let n = Int64(done.records)
        counts.records += n
        recordsRead += n
        counts.labelsJoined += labelsJoined
        metrics.recordRead(endpoint: endpoint, count: n, bytes: batch.header.totalLength)
        metrics.labelsJoined.increment(by: labelsJoined)
        if done.badTimes > 0 {
            quarantine(done.badTimes, of: endpoint, reason: .eventTime,
                       detail: "event time \(EventTimeRange.describe(Timestamp(microsecondsSinceEpoch: done.firstBadTime))) is outside the valid range \(validTimes) (records dated before 2000 or more than 1 h after they are read); fix the writer's clock or the record's time")
        }
        // The batch stays within the join horizon by its latest *valid* event time.
        partitions[key]?.horizonBatches.append((batch.firstOffset, done.latestValid))
        advance(key, past: batch)
    }

    /// Counts `count` refused records of `endpoint` (commitInfo, `/metrics`, the tail's log at the next commit).
    func quarantine(_ count: Int64, of endpoint: String, reason: Quarantine.Reason, detail: @autoclosure () -> String) {
        quarantine.add(endpoint: endpoint, records: count, detail: detail())
        counts.quarantinedRecords += count
        metrics.quarantined(endpoint: endpoint, reason: reason, count: count)
    }

    /// Moves the partition's committed-on-next-commit position past `batch`.
    func advance(_ key: String, past batch: RecordBatch) {
        positionsChanged = true
        partitions[key]?.segmentPath = batch.segmentPath
        partitions[key]?.segmentEnd = batch.position + batch.header.totalLength
    }

    /// The accumulator of a (model, window) in `accumulators` (the stage's, moved out while a batch is
    /// profiled), created with the profiler in effect for that window.
    func slot(for key: WindowKey, in accumulators: inout [WindowProfile]) -> Int {
        if let index = accumulatorIndex[key] { return index }
        let model = models[key.model]
        let profiler = key.windowStart >= model.effectiveFrom ? model.profiler : model.earlier
        accumulators.append(profiler.makeWindow())
        accumulatorKeys.append(key)
        accumulatorIndex[key] = accumulators.count - 1
        return accumulators.count - 1
    }
}
