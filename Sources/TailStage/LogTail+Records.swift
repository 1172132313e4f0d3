import DriftlineCore
import DriftlineLog
import Profiles
import Profiling

extension LogTail {
    /// Handles what one read of a partition returned.
    func handle(_ events: [LogEvent], of key: String) {
        for event in events {
            switch event {
            case .records(let batch):
                profile(batch, partition: key, shared: partitions[key]?.shared ?? false)
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

    /// Profiles one batch: each inference into its window, each label through the join. A batch whose
    /// payload does not decode is counted as corrupt and its records as lost, as the reader does for one
    /// that fails its CRC; nothing of it is profiled.
    ///
    /// `shared`: the batch is of the shared labels log; its inference records are ignored (they belong to a
    /// host's own log) and its labels join only predictions this tail holds (see ``LabelJoin``).
    func profile(_ batch: RecordBatch, partition key: String, shared: Bool = false) {
        var storage = decodeStorage
        decodeStorage = []
        defer { decodeStorage = storage }
        let range: Range<Int>
        do {
            range = try batch.decode(into: &storage)
        } catch {
            counts.corruptBatches += 1
            metrics.corruptBatches.increment()
            counts.lostRecords += Int64(batch.count)
            metrics.lostRecords.increment(by: Int64(batch.count))
            logger.error("corrupt log data in \(key): the batch at byte \(batch.position) of \(batch.segmentPath) passed its CRC but does not decode (\(error)); its \(batch.count) records are lost")
            advance(key, past: batch)
            return
        }
        let modelIndex = model(for: batch.manifest)
        let endpoint = batch.manifest.endpoint
        if let refusal = models[modelIndex].refusal {
            quarantine(Int64(range.count), of: endpoint, reason: refusal.reason, detail: refusal.detail)
            let n = Int64(range.count)
            counts.records += n
            recordsRead += n
            metrics.recordRead(endpoint: endpoint, count: n, bytes: batch.header.totalLength)
            advance(key, past: batch)
            return
        }
        // EventTimeRange: a record dated outside it is quarantined and moves no clock (one clock read a batch).
        let validTimes = EventTimeRange(now: .now())
        let earliest = validTimes.lowerBound.microsecondsSinceEpoch, latest = validTimes.upperBound.microsecondsSinceEpoch
        var badTimes: Int64 = 0
        var firstBadTime = Int64.min
        var latestValid = Int64.min
        var join = takeJoin(endpoint)
        let duplicatesBefore = join.duplicateLabels
        defer {
            counts.duplicateLabels += join.duplicateLabels - duplicatesBefore
            metrics.duplicateLabels.increment(by: join.duplicateLabels - duplicatesBefore)
            joins[endpoint] = join
        }
        var watermark = watermarks[endpoint] ?? .min
        var cachedKey = WindowKey(model: -1, windowStart: 0)
        var cachedSlot = -1
        var profiler = models[modelIndex].profiler
        var labelsJoined: Int64 = 0
        var ignoredSharedInferences = 0
        // The join table is far larger than the cache: compute the batch's keys and warm their slots
        // together first (the loads overlap), instead of missing the cache once per record below.
        var keys = joinKeys
        joinKeys = []
        defer { joinKeys = keys }
        keys.removeAll(keepingCapacity: true)
        storage.withUnsafeBufferPointer { records in
            guard let base = records.baseAddress else { return }
            for i in range {
                let record = base + i
                let inference = record.pointee.kind == .inference && !record.pointee.inference.requestID.isEmpty
                keys.append(inference ? JoinKey(record.pointee.inference.requestID) : .empty)
            }
        }
        joinWarmth &+= keys.withUnsafeBufferPointer { join.warm($0) }
        // The windows are profiled in a local array (moved out of `self` and back): element writes through
        // a class property would pay a dynamic exclusivity check and a uniqueness check per value.
        var accumulators = self.accumulators
        self.accumulators = []
        defer { self.accumulators = accumulators }
        storage.withUnsafeBufferPointer { records in
            // Through a pointer, the record's fields are read in place (an element read out of the buffer
            // would copy the record, retaining its arrays, once per field).
            guard let base = records.baseAddress else { return }
            for i in range {
                let record = base + i
                switch record.pointee.kind {
                case .inference:
                    if shared {
                        ignoredSharedInferences += 1
                        continue
                    }
                    let time = record.pointee.inference.timestamp.microsecondsSinceEpoch
                    guard time >= earliest && time <= latest else {
                        if badTimes == 0 { firstBadTime = time }
                        badTimes += 1
                        continue
                    }
                    if time > latestValid { latestValid = time }
                    if time > watermark { watermark = time }
                    let start = windows.start(of: record.pointee.inference.timestamp).microsecondsSinceEpoch
                    let key = WindowKey(model: modelIndex, windowStart: start)
                    if key != cachedKey {
                        cachedKey = key
                        cachedSlot = slot(for: key, in: &accumulators)
                        profiler = accumulators[cachedSlot].profiler
                    }
                    let prediction = profiler.add(record.pointee.inference, to: &accumulators[cachedSlot])
                    let joinKey = keys[i - range.lowerBound]
                    if joinKey != .empty {
                        let pending = LabelJoin.PendingPrediction(model: modelIndex, timestamp: time,
                                                                  prediction: prediction, labelled: record.pointee.inference.label != nil)
                        if case .join(let joined, let label) = join.addPrediction(key: joinKey, pending) {
                            profiler.addLabel(label, prediction: joined.prediction, to: &accumulators[cachedSlot])
                            labelsJoined += 1
                        }
                    }
                case .label:
                    let label = record.pointee.label
                    let time = label.timestamp.microsecondsSinceEpoch
                    guard time >= earliest && time <= latest else {
                        if badTimes == 0 { firstBadTime = time }
                        badTimes += 1
                        continue
                    }
                    if time > latestValid { latestValid = time }
                    if case .join(let joined, let value) = join.addLabel(label.requestID, label.label, timestamp: time, shared: shared) {
                        let start = windows.start(of: Timestamp(microsecondsSinceEpoch: joined.timestamp)).microsecondsSinceEpoch
                        let index = slot(for: WindowKey(model: Int(joined.model), windowStart: start), in: &accumulators)
                        let labelProfiler = accumulators[index].profiler
                        labelProfiler.addLabel(value, prediction: joined.prediction, to: &accumulators[index])
                        labelsJoined += 1
                        cachedKey = WindowKey(model: -1, windowStart: 0)
                    }
                }
            }
        }
        watermarks[endpoint] = watermark
        if ignoredSharedInferences > 0, warnedSharedInferences.insert(key).inserted {
            logger.warning("\(key): the labels log holds inference records; they are ignored there (log predictions to the host's own log)")
        }
        let n = Int64(range.count)
        counts.records += n
        recordsRead += n
        counts.labelsJoined += labelsJoined
        metrics.recordRead(endpoint: endpoint, count: n, bytes: batch.header.totalLength)
        metrics.labelsJoined.increment(by: labelsJoined)
        if badTimes > 0 {
            quarantine(badTimes, of: endpoint, reason: .eventTime,
                       detail: "event time \(EventTimeRange.describe(Timestamp(microsecondsSinceEpoch: firstBadTime))) is outside the valid range \(validTimes) (records dated before 2000 or more than 1 h after they are read); fix the writer's clock or the record's time")
        }
        // The batch stays within the join horizon by its latest *valid* event time.
        partitions[key]?.horizonBatches.append((batch.firstOffset, latestValid))
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
