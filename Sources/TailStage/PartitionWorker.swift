import Dispatch
import DriftlineCore
import DriftlineLog
import Profiles
import Profiling

/// One followed partition's share of the tail's work, done on a worker thread: reading its batches,
/// decoding them and profiling their inferences into accumulators of its own (one per model and window).
/// What must see every partition in one order (the label join, counts, watermarks, positions) is left to
/// the stage, as a list of join items (indexed by join shard, for the join's shard tasks) and one outcome
/// per batch.
///
/// The accumulators are per *partition*, whatever the number of threads: at commit the stage merges them
/// by window in sorted partition order (``LogTail/foldWorkers()``), so the committed bytes depend on the log
/// alone, not on how the partitions were scheduled.
///
/// Not thread-safe: one thread at a time uses a worker and a round (the stage hands each to one task of
/// `Parallel.forEach(_:width:_:)` and reads them only after all tasks have returned).
final class PartitionWorker {
    /// What the stage's thread needs to finish a batch after the worker profiled it.
    enum Outcome {
        /// The payload passed its CRC but does not decode: nothing of it was profiled.
        case corrupt(CodecError)
        /// The batch's model is refused (quarantined): nothing of it was profiled.
        case refused(records: Int)
        /// Profiled; the join items are `items[range]`, in record order.
        case profiled(Profiled)
    }

    struct Profiled {
        var records = 0
        var badTimes: Int64 = 0
        var firstBadTime = Int64.min
        var latestValid = Int64.min
        /// The latest event time of a profiled inference (the endpoint's watermark moves to it).
        var watermark = Int64.min
        var ignoredSharedInferences = 0
        var items: Range<Int> = 0..<0
    }

    /// A record the label join sees: a profiled inference with a request id (its prediction), or a label.
    struct JoinItem {
        /// The request id's join key (the prediction's or the label's).
        var key: JoinKey
        var pending: LabelJoin.PendingPrediction
        /// The label record, or nil for a prediction.
        var label: LabelRecord?
    }

    /// What a worker needs of a model, read-only while workers run.
    struct ModelView {
        var profiler: RecordProfiler
        var earlier: RecordProfiler
        var effectiveFrom: Int64
        var refused: Bool
    }

    /// A join item of one shard of the join (``LabelJoin/shard(of:)``): its index in the round's items and
    /// the ordinal of its records batch.
    struct ShardItem {
        var item: Int32
        var batch: Int32
    }

    /// A label a join shard matched to a prediction, for the stage to profile (in item order).
    struct JoinedLabel {
        var item: Int32
        var prediction: LabelJoin.PendingPrediction
        var label: Label
    }

    /// What one join shard's task leaves of a round (one object per shard: the tasks write only their own).
    final class ShardResult {
        var joined: [JoinedLabel] = []
    }

    /// One read of the partition and what profiling it left for the stage's thread: the events as read,
    /// the model index of each records batch among them, an outcome per records batch and the join items
    /// of all of them. A round is read and profiled while the stage applies the previous one.
    final class Round {
        var events: [LogEvent] = []
        var readError: (any Error)?
        /// Why the reader is held (its `held` right after this read; nil when it is not).
        var held: String?
        var batchModels: [Int] = []
        var outcomes: [Outcome] = []
        var items: [JoinItem] = []
        /// The indices of `items` by join shard, in item order (filled by the worker).
        var shardItems: [[ShardItem]] = Array(repeating: [], count: LabelJoin.shardCount)
        /// Set by the stage before the join tasks run (read-only while they do): the join shards of each
        /// records batch's endpoint, by batch ordinal (empty for a batch with no items or not to be applied),
        /// and whether the partition is of the shared labels log.
        var batchShards: [[LabelJoin.Shard]] = []
        var shared = false
        /// What each join shard's task matched.
        let results: [ShardResult] = (0..<LabelJoin.shardCount).map { _ in ShardResult() }
    }

    /// This partition's accumulators since the last commit, by (model, window).
    var accumulators: [WindowProfile] = []
    var keys: [LogTail.WindowKey] = []
    var index: [LogTail.WindowKey: Int] = [:]
    /// Decoded records of the batch being profiled (reused: no allocation per record).
    private var storage: [DecodedRecord] = []
    /// An applied round kept for its arrays' capacity.
    private var spare: Round?

    /// An empty round (a recycled one when there is one).
    func newRound() -> Round {
        guard let round = spare else { return Round() }
        spare = nil
        return round
    }

    /// Takes back a round the stage applied, for its capacity.
    func recycle(_ round: Round) {
        round.events = []
        round.readError = nil
        round.held = nil
        round.batchModels.removeAll(keepingCapacity: true)
        round.outcomes.removeAll(keepingCapacity: true)
        round.items.removeAll(keepingCapacity: true)
        for shard in 0..<round.shardItems.count { round.shardItems[shard].removeAll(keepingCapacity: true) }
        round.batchShards.removeAll(keepingCapacity: true)
        round.shared = false
        for result in round.results { result.joined.removeAll(keepingCapacity: true) }
        spare = round
    }

    /// Hands the accumulators over (at commit) and starts empty ones.
    func takeAccumulators() -> (keys: [LogTail.WindowKey], windows: [WindowProfile]) {
        defer {
            accumulators = []
            keys = []
            index = [:]
        }
        return (keys, accumulators)
    }

    /// Decodes and profiles `round`'s records batches (`events`, with `batchModels`), appending an outcome
    /// per batch. Records dated outside `earliest ... latest` are counted, not profiled.
    /// `shared`: a partition of the shared labels log (its inferences are ignored, its labels join).
    func profile(_ round: Round, models: [ModelView], windows: TumblingWindows, earliest: Int64, latest: Int64, shared: Bool) {
        var batchIndex = 0
        let batchModels = round.batchModels
        var outcomes = round.outcomes
        var items = round.items
        var shardItems = round.shardItems
        round.outcomes = []
        round.items = []
        round.shardItems = []
        defer {
            round.outcomes = outcomes
            round.items = items
            round.shardItems = shardItems
        }
        for event in round.events {
            guard case .records(let batch) = event else { continue }
            let modelIndex = batchIndex < batchModels.count ? batchModels[batchIndex] : -1
            batchIndex += 1
            let range: Range<Int>
            do {
                range = try batch.decode(into: &storage)
            } catch {
                outcomes.append(.corrupt(error))
                continue
            }
            guard modelIndex >= 0, modelIndex < models.count, !models[modelIndex].refused else {
                outcomes.append(.refused(records: range.count))
                continue
            }
            let ordinal = Int32(truncatingIfNeeded: outcomes.count)
            outcomes.append(.profiled(profile(range, model: modelIndex, models: models, windows: windows,
                                              earliest: earliest, latest: latest, shared: shared, batch: ordinal,
                                              items: &items, shardItems: &shardItems)))
        }
    }

    private func profile(_ range: Range<Int>, model modelIndex: Int, models: [ModelView], windows: TumblingWindows,
                         earliest: Int64, latest: Int64, shared: Bool, batch: Int32,
                         items: inout [JoinItem], shardItems: inout [[ShardItem]]) -> Profiled {
        var result = Profiled()
        result.records = range.count
        let itemsStart = items.count
        var cachedKey = LogTail.WindowKey(model: -1, windowStart: 0)
        var cachedSlot = -1
        var profiler = models[modelIndex].profiler
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
                        result.ignoredSharedInferences += 1
                        continue
                    }
                    let time = record.pointee.inference.timestamp.microsecondsSinceEpoch
                    guard time >= earliest && time <= latest else {
                        if result.badTimes == 0 { result.firstBadTime = time }
                        result.badTimes += 1
                        continue
                    }
                    if time > result.latestValid { result.latestValid = time }
                    if time > result.watermark { result.watermark = time }
                    let start = windows.start(of: record.pointee.inference.timestamp).microsecondsSinceEpoch
                    let key = LogTail.WindowKey(model: modelIndex, windowStart: start)
                    if key != cachedKey {
                        cachedKey = key
                        cachedSlot = slot(for: key, models: models, in: &accumulators)
                        profiler = accumulators[cachedSlot].profiler
                    }
                    let prediction = profiler.add(record.pointee.inference, to: &accumulators[cachedSlot])
                    if !record.pointee.inference.requestID.isEmpty {
                        let pending = LabelJoin.PendingPrediction(model: modelIndex, timestamp: time, prediction: prediction,
                                                                  labelled: record.pointee.inference.label != nil)
                        let key = JoinKey(record.pointee.inference.requestID)
                        shardItems[LabelJoin.shard(of: key)].append(ShardItem(item: Int32(truncatingIfNeeded: items.count), batch: batch))
                        items.append(JoinItem(key: key, pending: pending, label: nil))
                    }
                case .label:
                    let time = record.pointee.label.timestamp.microsecondsSinceEpoch
                    guard time >= earliest && time <= latest else {
                        if result.badTimes == 0 { result.firstBadTime = time }
                        result.badTimes += 1
                        continue
                    }
                    if time > result.latestValid { result.latestValid = time }
                    let key = JoinKey(record.pointee.label.requestID)
                    shardItems[LabelJoin.shard(of: key)].append(ShardItem(item: Int32(truncatingIfNeeded: items.count), batch: batch))
                    items.append(JoinItem(key: key, pending: .placeholder, label: record.pointee.label))
                }
            }
        }
        result.items = itemsStart..<items.count
        return result
    }

    /// The accumulator of a (model, window), created with the profiler in effect for that window.
    private func slot(for key: LogTail.WindowKey, models: [ModelView], in accumulators: inout [WindowProfile]) -> Int {
        if let found = index[key] { return found }
        let model = models[key.model]
        let profiler = key.windowStart >= model.effectiveFrom ? model.profiler : model.earlier
        accumulators.append(profiler.makeWindow())
        keys.append(key)
        index[key] = accumulators.count - 1
        return accumulators.count - 1
    }
}
