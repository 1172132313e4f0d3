import DriftlineCore
import Profiling

extension LogTail {
    /// Folds the committed accumulators into per-window summaries and publishes, per endpoint, the latest
    /// window that the endpoint's watermark has passed.
    func publishClosedWindows() {
        for (index, window) in accumulators.enumerated() where window.records > 0 {
            let key = accumulatorKeys[index]
            summaries[SummaryKey(model: key.model, windowStart: key.windowStart), default: WindowSummary()].add(window)
        }
        var latestClosed: [Int: Int64] = [:]
        for key in summaries.keys {
            let endpoint = models[key.model].manifest.endpoint
            guard let watermark = watermarks[endpoint], watermark != .min,
                  key.windowStart.saturatingAdd(windows.lengthMicroseconds) <= watermark else { continue }
            latestClosed[key.model] = max(latestClosed[key.model] ?? .min, key.windowStart)
        }
        for (model, start) in latestClosed {
            guard let summary = summaries[SummaryKey(model: model, windowStart: start)] else { continue }
            let manifest = models[model].manifest
            metrics.publish(summary, endpoint: manifest.endpoint, modelVersion: manifest.modelVersion)
        }
        // Keep only windows not yet closed (a late record after publication is not shown).
        summaries = summaries.filter { key, _ in
            guard let start = latestClosed[key.model] else { return true }
            return key.windowStart > start
        }
    }
}

extension LogTail {
    /// The label join's size: predictions held and labels waiting for their prediction, over all endpoints.
    public func joinState() -> (pendingPredictions: Int, waitingLabels: Int) {
        joins.values.reduce((0, 0)) { ($0.0 + $1.pendingPredictions, $0.1 + $1.waitingLabels) }
    }
}

extension LogTail {
    /// What this process committed so far (every commit's counts summed): `tail --once` and a stopping
    /// `tail` print it.
    public var runSummary: TailProgress.Counts { runTotals }

    /// One line for the operator: records read, rows committed, labels joined / duplicate / unmatched,
    /// corrupt batches and lost records, and the commits that held them.
    public var runSummaryText: String {
        let c = runTotals
        return "read \(c.records) records, committed \(c.rows) profile rows in \(runCommits) commits; "
            + "labels: \(c.labelsJoined) joined, \(c.duplicateLabels) duplicate, \(c.unmatchedLabels) unmatched; "
            + "\(c.corruptBatches) corrupt batches, \(c.lostRecords) records lost"
            + (heldPartitions.isEmpty ? "" : "; \(heldPartitions.count) partitions held (manifest unreadable): "
                + heldPartitions.keys.sorted().joined(separator: ", "))
    }
}

extension TailProgress.Counts {
    /// Adds another interval's counts.
    mutating func add(_ other: TailProgress.Counts) {
        records += other.records
        labelsJoined += other.labelsJoined
        lostRecords += other.lostRecords
        corruptBatches += other.corruptBatches
        unmatchedLabels += other.unmatchedLabels
        duplicateLabels += other.duplicateLabels
        rows += other.rows
    }
}
