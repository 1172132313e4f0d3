import DriftlineCore

/// The label join of one endpoint: predictions waiting for their label, labels waiting for their
/// prediction, both bounded by the join horizon in event time.
///
/// A prediction stays for `horizon` after its event time (measured against the endpoint's watermark,
/// the latest event time read), so a label that arrives within the horizon finds it, however old its
/// window. A label read before its prediction waits as long. A request's first label counts; later ones
/// are duplicates. Memory: about 150 bytes per pending prediction with a 16-byte request id (the id's
/// bytes and array header, the entry, the dictionary's slack), so `horizon × rate` predictions.
struct LabelJoin {
    /// What a pending prediction needs to profile its label later.
    struct PendingPrediction {
        /// Index of the model (manifest) in the tail's model table.
        var model: Int
        var windowStart: Int64
        var timestamp: Int64
        var prediction: RecordProfiler.Prediction
        var labelled: Bool
    }

    struct WaitingLabel {
        var label: Label
        var timestamp: Int64
    }

    /// What ``addPrediction`` and ``addLabel`` ask the caller to profile.
    enum Match {
        case none
        /// Profile `label` into the prediction's window.
        case join(PendingPrediction, Label)
    }

    private(set) var predictions: [RequestID: PendingPrediction] = [:]
    private(set) var waiting: [RequestID: WaitingLabel] = [:]
    var duplicateLabels: Int64 = 0
    var unmatchedLabels: Int64 = 0

    /// Registers a prediction; returns a waiting label to profile with it (the label is consumed).
    mutating func addPrediction(_ id: RequestID, _ pending: PendingPrediction) -> Match {
        guard !id.isEmpty, predictions[id] == nil else { return .none }
        var entry = pending
        if let label = waiting.removeValue(forKey: id) {
            if entry.labelled {
                duplicateLabels += 1   // it had an inline label already
                predictions[id] = entry
                return .none
            }
            entry.labelled = true
            predictions[id] = entry
            return .join(entry, label.label)
        }
        predictions[id] = entry
        return .none
    }

    /// A label: joins a pending prediction, waits for one, or counts as a duplicate.
    mutating func addLabel(_ id: RequestID, _ label: Label, timestamp: Int64) -> Match {
        if let index = predictions.index(forKey: id) {
            if predictions.values[index].labelled {
                duplicateLabels += 1
                return .none
            }
            predictions.values[index].labelled = true
            return .join(predictions.values[index], label)
        }
        if waiting[id] != nil {
            duplicateLabels += 1
            return .none
        }
        waiting[id] = WaitingLabel(label: label, timestamp: timestamp)
        return .none
    }

    /// Drops predictions older than `cutoff` and counts labels that waited past it as unmatched.
    mutating func expire(before cutoff: Int64) {
        predictions = predictions.filter { $0.value.timestamp >= cutoff }
        let before = waiting.count
        waiting = waiting.filter { $0.value.timestamp >= cutoff }
        unmatchedLabels += Int64(before - waiting.count)
    }

    /// Pending predictions (labelled ones included: they catch duplicates).
    var pendingPredictions: Int { predictions.count }
    /// Labels still waiting for their prediction.
    var waitingLabels: Int { waiting.count }

    /// Rebuild on start: a prediction and a label that were both committed have been joined already.
    mutating func restorePrediction(_ id: RequestID, _ pending: PendingPrediction) {
        guard !id.isEmpty, predictions[id] == nil else { return }
        var entry = pending
        if waiting.removeValue(forKey: id) != nil { entry.labelled = true }
        predictions[id] = entry
    }

    /// Rebuild on start: a committed label either joined a committed prediction or still waits.
    mutating func restoreLabel(_ id: RequestID, _ label: Label, timestamp: Int64) {
        if let index = predictions.index(forKey: id) {
            predictions.values[index].labelled = true
        } else if waiting[id] == nil {
            waiting[id] = WaitingLabel(label: label, timestamp: timestamp)
        }
    }
}
