import DriftlineCore
import DriftlineLog
import Profiles

extension LogTail {
    /// Handles what one read of a partition returned.
    func handle(_ events: [LogEvent], of key: String) {
        for event in events {
            switch event {
            case .records(let batch):
                profile(batch, partition: key)
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

    /// Profiles one batch: each inference into its window, each label through the join.
    func profile(_ batch: RecordBatch, partition key: String) {
        let modelIndex = model(for: batch.manifest)
        let endpoint = batch.manifest.endpoint
        var join = joins.removeValue(forKey: endpoint) ?? LabelJoin()
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
        for record in batch.records {
            switch record {
            case .inference(let inference):
                let time = inference.timestamp.microsecondsSinceEpoch
                if time > watermark { watermark = time }
                let start = windows.start(of: inference.timestamp).microsecondsSinceEpoch
                let key = WindowKey(model: modelIndex, windowStart: start)
                if key != cachedKey {
                    cachedKey = key
                    cachedSlot = slot(for: key)
                    profiler = accumulators[cachedSlot].profiler
                }
                let prediction = profiler.add(inference, to: &accumulators[cachedSlot])
                if !inference.requestID.isEmpty {
                    let pending = LabelJoin.PendingPrediction(model: modelIndex, timestamp: time,
                                                              prediction: prediction, labelled: inference.label != nil)
                    if case .join(let joined, let label) = join.addPrediction(inference.requestID, pending) {
                        profiler.addLabel(label, prediction: joined.prediction, to: &accumulators[cachedSlot])
                        labelsJoined += 1
                    }
                }
            case .label(let label):
                let time = label.timestamp.microsecondsSinceEpoch
                if case .join(let joined, let value) = join.addLabel(label.requestID, label.label, timestamp: time) {
                    let start = windows.start(of: Timestamp(microsecondsSinceEpoch: joined.timestamp)).microsecondsSinceEpoch
                    let index = slot(for: WindowKey(model: Int(joined.model), windowStart: start))
                    let labelProfiler = accumulators[index].profiler
                    labelProfiler.addLabel(value, prediction: joined.prediction, to: &accumulators[index])
                    labelsJoined += 1
                    cachedKey = WindowKey(model: -1, windowStart: 0)
                }
            }
        }
        watermarks[endpoint] = watermark
        let n = Int64(batch.records.count)
        counts.records += n
        recordsRead += n
        counts.labelsJoined += labelsJoined
        metrics.recordRead(endpoint: endpoint, count: n, bytes: batch.header.totalLength)
        metrics.labelsJoined.increment(by: labelsJoined)
        positionsChanged = true
        partitions[key]?.horizonBatches.append((batch.firstOffset, batch.header.maxTimestamp.microsecondsSinceEpoch))
        partitions[key]?.segmentPath = batch.segmentPath
        partitions[key]?.segmentEnd = batch.position + batch.header.totalLength
    }

    /// The accumulator of a (model, window), created with the profiler in effect for that window.
    func slot(for key: WindowKey) -> Int {
        if let index = accumulatorIndex[key] { return index }
        let model = models[key.model]
        let profiler = key.windowStart >= model.effectiveFrom ? model.profiler : model.earlier
        accumulators.append(profiler.makeWindow())
        accumulatorKeys.append(key)
        accumulatorIndex[key] = accumulators.count - 1
        return accumulators.count - 1
    }
}
