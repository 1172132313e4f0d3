import DriftlineCore
import Profiling

/// The label join of one endpoint: predictions waiting for their label, labels waiting for their
/// prediction, both bounded by the join horizon in event time.
///
/// A prediction stays for `horizon` after its event time (measured against the endpoint's watermark,
/// the latest event time read), so a label that arrives within the horizon finds it, however old its
/// window. A label read before its prediction waits as long. A request's first label counts; later ones
/// are duplicates. Memory: a pending prediction takes a 48-byte slot of ``JoinTable`` (a 16-byte
/// ``JoinKey`` and a 32-byte entry) whatever the request id's length, in a table kept 3/8–3/4 full: 64–128
/// bytes each; the join holds `horizon × rate` of them (24 h at 100 requests/s: 8.6 million, 0.55–1.1 GB).
struct LabelJoin {
    /// What a pending prediction needs to profile its label later (32 bytes).
    struct PendingPrediction {
        /// Event time of the prediction (its window follows from it).
        var timestamp: Int64
        /// A regression prediction (when `classIndex == Self.regression`).
        var value: Double
        /// Index of the model (manifest) in the tail's model table.
        var model: Int32
        /// The predicted class, or `failed`, or `regression`.
        var classIndex: Int32
        var labelled: Bool

        static let failed: Int32 = -1
        static let regression: Int32 = -2

        init(model: Int, timestamp: Int64, prediction: RecordProfiler.Prediction, labelled: Bool) {
            self.timestamp = timestamp
            self.model = Int32(truncatingIfNeeded: model)
            self.labelled = labelled
            switch prediction {
            case .classIndex(let index):
                classIndex = Int32(truncatingIfNeeded: index)
                value = 0
            case .value(let v):
                classIndex = Self.regression
                value = v
            case .failed:
                classIndex = Self.failed
                value = 0
            }
        }

        /// Fills the join table's empty slots.
        static let placeholder = PendingPrediction(model: 0, timestamp: 0, prediction: .failed, labelled: false)

        var prediction: RecordProfiler.Prediction {
            switch classIndex {
            case Self.regression: return .value(value)
            case Self.failed: return .failed
            default: return .classIndex(Int(classIndex))
            }
        }
    }

    struct WaitingLabel {
        var label: Label
        var timestamp: Int64
        /// Read from the shared labels log: its prediction may be held by another tail.
        var shared = false
        /// Re-read by a restarted tail's rebuild (``restoreLabel(_:_:timestamp:shared:)``): it may have joined
        /// before the restart, so it is not counted when it expires (see ``carried``).
        var restored = false
    }

    /// Labels that were waiting at the commit a restarted tail resumed from, as that commit counted them.
    ///
    /// The rebuild cannot tell those labels from the ones that had joined a prediction which has since
    /// fallen out of the horizon (the prediction is not re-read, so the label looks like it waits). So no
    /// restored label is counted when it expires; once the last one has expired or joined, the labels that
    /// were waiting and never resolved, `carried − resolved since`, are counted unmatched (or not held) at once.
    struct Carried: Equatable {
        var own: Int64 = 0
        var shared: Int64 = 0
    }

    /// What ``addPrediction`` and ``addLabel`` ask the caller to profile.
    enum Match {
        case none
        /// Profile `label` into the prediction's window.
        case join(PendingPrediction, Label)
    }

    /// The number of shards every join is split into, by join key (a fixed number: what a key joins depends
    /// only on the records of that key, in log order, so the shards change no outcome, whatever threads apply them).
    static let shardCount = 4

    /// The shard of a key (its top bits: the tables place keys by their low bits).
    @inline(__always)
    static func shard(of key: JoinKey) -> Int { Int(truncatingIfNeeded: key.high >> 62) }

    /// The pending predictions and waiting labels of the keys of one shard. The stage applies each shard of
    /// a round's join items on its own task (``LogTail/applyJoinShard(_:of:)``): one thread at a time uses a
    /// shard, and it touches nothing outside it; what spans the shards (the carried labels) is settled by the
    /// join afterwards (``LabelJoin/collect()``).
    final class Shard {
        var predictions = JoinTable(placeholder: PendingPrediction.placeholder)
        var waiting: [JoinKey: WaitingLabel] = [:]
        var duplicateLabels: Int64 = 0
        /// Restored labels resolved here (joined, or duplicates of an inline label) since the join collected them.
        var resolved = Carried()
        /// Keeps the cache warming from being optimized away.
        var warmth: UInt64 = 0

        /// Registers a prediction; returns a waiting label to profile with it (the label is consumed).
        /// A repeated request id keeps its first prediction.
        func addPrediction(key id: JoinKey, _ pending: PendingPrediction) -> Match {
            guard !waiting.isEmpty, predictions.slot(of: id) == nil, let label = waiting.removeValue(forKey: id) else {
                // The common case: no label is waiting for it (one probe of the table).
                predictions.insertIfAbsent(id, pending)
                return .none
            }
            var entry = pending
            if label.restored {
                if label.shared { resolved.shared += 1 } else { resolved.own += 1 }
            }
            if entry.labelled {
                duplicateLabels += 1   // it had an inline label already
                predictions.insertIfAbsent(id, entry)
                return .none
            }
            entry.labelled = true
            predictions.insertIfAbsent(id, entry)
            return .join(entry, label.label)
        }

        /// A label (see ``LabelJoin/addLabel(_:_:timestamp:shared:)``).
        func addLabel(key id: JoinKey, _ label: Label, timestamp: Int64, shared: Bool) -> Match {
            if let slot = predictions.slot(of: id) {
                if predictions[slot: slot].labelled {
                    duplicateLabels += 1
                    return .none
                }
                predictions[slot: slot].labelled = true
                return .join(predictions[slot: slot], label)
            }
            if let earlier = waiting[id] {
                if !(shared && earlier.shared) { duplicateLabels += 1 }
                return .none
            }
            waiting[id] = WaitingLabel(label: label, timestamp: timestamp, shared: shared)
            return .none
        }

        /// Brings the table lines the keys will probe into cache (a batch's keys, before applying them).
        func warm(_ keys: [JoinKey]) {
            warmth &+= keys.withUnsafeBufferPointer { predictions.warm($0) }
        }
    }

    /// The shards, by ``shard(of:)`` (shared by copies of the join: one join per endpoint is kept).
    let shards: [Shard] = (0..<LabelJoin.shardCount).map { _ in Shard() }
    /// Unmatched labels counted so far (waited out the horizon, or carried and never resolved).
    var unmatchedLabels: Int64 = 0
    /// Shared labels (``WaitingLabel/shared``) that waited out the horizon: not unmatched, not held here.
    var sharedLabelsNotHeld: Int64 = 0
    /// What ``takeNewCounts()`` has reported of `unmatchedLabels` and `sharedLabelsNotHeld`, and
    /// ``takeNewDuplicates()`` of the duplicate labels.
    private var reported = (unmatched: Int64(0), notHeld: Int64(0))
    private var reportedDuplicates: Int64 = 0
    /// Waiting labels of the resumed commit not yet resolved (nil when none are outstanding).
    private(set) var carried: Carried?
    /// Restored labels still waiting.
    private var restoredWaiting = 0
    /// Restored labels resolved after the restart: joined to a prediction read since, or counted as a
    /// duplicate of its inline label. Either way they are not unmatched.
    private var restoredResolved = Carried()

    /// Labels for a request that had one already, so far (every shard's).
    var duplicateLabels: Int64 { shards.reduce(0) { $0 + $1.duplicateLabels } }

    /// Registers a prediction; returns a waiting label to profile with it (the label is consumed).
    /// A repeated request id keeps its first prediction.
    mutating func addPrediction(_ requestID: RequestID, _ pending: PendingPrediction) -> Match {
        guard !requestID.isEmpty else { return .none }
        return addPrediction(key: JoinKey(requestID), pending)
    }

    /// ``addPrediction(_:_:)`` with the request id's key computed already.
    mutating func addPrediction(key id: JoinKey, _ pending: PendingPrediction) -> Match {
        let match = shards[Self.shard(of: id)].addPrediction(key: id, pending)
        collect()
        return match
    }

    /// A label: joins a pending prediction, waits for one, or counts as a duplicate.
    ///
    /// `shared`: read from the shared labels log, which every tail of a fleet reads. It joins a prediction
    /// this tail holds like any label; otherwise it waits (its prediction may still arrive here) and, at the
    /// horizon, counts as "not held here" instead of unmatched, since another tail may hold its prediction.
    /// A second shared label of a request whose shared label waits is left to the tail that holds it.
    mutating func addLabel(_ requestID: RequestID, _ label: Label, timestamp: Int64, shared: Bool = false) -> Match {
        let id = JoinKey(requestID)
        return shards[Self.shard(of: id)].addLabel(key: id, label, timestamp: timestamp, shared: shared)
    }

    /// Takes in what the shards resolved of the restored labels since the last call; once none waits, the
    /// carried labels that never joined are counted. (A key's outcome does not depend on the other keys, and
    /// the count is settled from totals once the last restored label is resolved: applying the shards one
    /// after the other, or a round's worth of items per shard at once, counts the same.)
    mutating func collect() {
        var any = false
        for shard in shards where shard.resolved != Carried() {
            restoredWaiting -= Int(shard.resolved.own + shard.resolved.shared)
            restoredResolved.own += shard.resolved.own
            restoredResolved.shared += shard.resolved.shared
            shard.resolved = Carried()
            any = true
        }
        if any { settleCarried() }
    }

    /// Duplicate labels counted since the last call.
    mutating func takeNewDuplicates() -> Int64 {
        let total = duplicateLabels
        defer { reportedDuplicates = total }
        return total - reportedDuplicates
    }

    /// Drops predictions older than `cutoff` and counts labels that waited past it as unmatched.
    mutating func expire(before cutoff: Int64) {
        collect()
        var expired: Int64 = 0, expiredShared: Int64 = 0, expiredRestored = 0
        for shard in shards {
            shard.predictions.removeAll { $0.timestamp < cutoff }
            guard !shard.waiting.isEmpty else { continue }
            shard.waiting = shard.waiting.filter { entry in
                guard entry.value.timestamp < cutoff else { return true }
                if entry.value.restored {
                    expiredRestored += 1
                } else if entry.value.shared {
                    expiredShared += 1
                } else {
                    expired += 1
                }
                return false
            }
        }
        unmatchedLabels += expired
        sharedLabelsNotHeld += expiredShared
        restoredWaiting -= expiredRestored
        settleCarried()
    }

    /// Unmatched and not-held labels counted since the last call (by ``expire(before:)``, or when the
    /// carried labels settle, which a prediction read after a restart can trigger too).
    mutating func takeNewCounts() -> (unmatched: Int64, notHeld: Int64) {
        let new = (unmatchedLabels - reported.unmatched, sharedLabelsNotHeld - reported.notHeld)
        reported = (unmatchedLabels, sharedLabelsNotHeld)
        return new
    }

    /// Starts a rebuild: `carried` are the waiting labels the resumed commit recorded for this endpoint.
    mutating func carry(_ carried: Carried) {
        self.carried = carried
        restoredResolved = Carried()
    }

    /// The waiting labels to record in a commit: those read since the restart, and those of the resumed
    /// commit not yet resolved.
    var waitingToCommit: Carried {
        var result = Carried()
        for shard in shards {
            for entry in shard.waiting.values where !entry.restored {
                if entry.shared { result.shared += 1 } else { result.own += 1 }
            }
        }
        if let carried {
            result.own += max(0, carried.own - restoredResolved.own)
            result.shared += max(0, carried.shared - restoredResolved.shared)
        }
        return result
    }

    /// Once no restored label waits, the carried labels that never joined are counted.
    private mutating func settleCarried() {
        guard restoredWaiting <= 0, let carried else { return }
        unmatchedLabels += max(0, carried.own - restoredResolved.own)
        sharedLabelsNotHeld += max(0, carried.shared - restoredResolved.shared)
        self.carried = nil
        restoredWaiting = 0
        restoredResolved = Carried()
    }

    /// Pending predictions (labelled ones included: they catch duplicates).
    var pendingPredictions: Int { shards.reduce(0) { $0 + $1.predictions.count } }
    /// Labels still waiting for their prediction.
    var waitingLabels: Int { shards.reduce(0) { $0 + $1.waiting.count } }

    /// Rebuild on start: a prediction and a label that were both committed have been joined already.
    mutating func restorePrediction(_ requestID: RequestID, _ pending: PendingPrediction) {
        guard !requestID.isEmpty else { return }
        let id = JoinKey(requestID)
        let shard = shards[Self.shard(of: id)]
        guard shard.predictions.slot(of: id) == nil else { return }
        var entry = pending
        if let label = shard.waiting.removeValue(forKey: id) {
            entry.labelled = true
            if label.restored { restoredWaiting -= 1 }   // joined before the restart
        }
        shard.predictions.insertIfAbsent(id, entry)
    }

    /// Rebuild on start: a committed label either joined a committed prediction or still waits.
    mutating func restoreLabel(_ requestID: RequestID, _ label: Label, timestamp: Int64, shared: Bool = false) {
        let id = JoinKey(requestID)
        let shard = shards[Self.shard(of: id)]
        if let slot = shard.predictions.slot(of: id) {
            shard.predictions[slot: slot].labelled = true
        } else if shard.waiting[id] == nil {
            shard.waiting[id] = WaitingLabel(label: label, timestamp: timestamp, shared: shared, restored: true)
            restoredWaiting += 1
        }
    }
}
