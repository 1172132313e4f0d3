import Profiling
import Prometheus
import Synchronization

/// The tail stage's Prometheus metrics (namespace `driftline_tail`), published by ``MetricsServer``:
///
/// | metric | kind | labels |
/// | --- | --- | --- |
/// | `driftline_tail_records_read_total` | counter | `endpoint` |
/// | `driftline_tail_bytes_read_total` | counter | `endpoint` |
/// | `driftline_tail_lag_seconds` | gauge: now − latest event time read | `endpoint` |
/// | `driftline_tail_lag_bytes` | gauge: log bytes not yet read | `endpoint` |
/// | `driftline_tail_commits_total`, `driftline_tail_rows_committed_total` | counter | |
/// | `driftline_tail_commit_duration_seconds` | histogram | |
/// | `driftline_tail_corrupt_batches_total`, `driftline_tail_lost_records_total` | counter | |
/// | `driftline_tail_labels_joined_total`, `…_duplicate_labels_total`, `…_unmatched_labels_total` | counter | |
/// | `driftline_tail_quarantined_records_total` | counter: records refused (event time, names, changed schema) | `endpoint`, `reason` |
/// | `driftline_tail_out_of_range_values_total` | counter: values beyond ±1e100 profiled as missing | `endpoint` |
/// | `driftline_tail_pending_predictions`, `driftline_tail_waiting_labels` | gauge (join state) | |
/// | `driftline_tail_window_requests`, `driftline_tail_window_errors` | gauge, latest closed window | `endpoint`, `model_version` |
/// | `driftline_tail_window_latency_milliseconds` | gauge: serving latency quantile, latest closed window | `endpoint`, `model_version`, `quantile` (0.5, 0.95, 0.99) |
/// | `driftline_tail_window_feature_mean` | gauge, latest closed window | `endpoint`, `model_version`, `feature` |
/// | `driftline_tail_window_class_frequency` | gauge (share of predictions), latest closed window | `endpoint`, `model_version`, `class` |
/// | `driftline_tail_commit_failures_total` | counter: commits that failed (disk full, …) and are retried with backoff | |
/// | `driftline_tail_commit_retry_seconds` | gauge: delay before the next try of a failed commit, 0 when the last commit succeeded | |
/// | `driftline_tail_damaged_commits_moved_total` | counter: damaged newest profiles commits moved to `_delta_log_damaged/` | |
/// | `driftline_tail_log_missing` | gauge: 1 while the log folder does not exist (the tail waits for it) | |
/// | `driftline_tail_partitions_held_elsewhere` | gauge: partitions of the log folder another tail holds (skipped) | |
/// | `driftline_tail_commit_attempts_total` | counter: versions tried by commits (more than the commits when other tails won a version first) | |
/// | `driftline_tail_shared_labels_not_held_total` | counter: labels of `--labels-log` whose prediction is not held by this tail | |
public final class TailMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let commits: Counter
    let rowsCommitted: Counter
    let commitDuration: DurationHistogram
    let corruptBatches: Counter
    let lostRecords: Counter
    let labelsJoined: Counter
    let duplicateLabels: Counter
    let unmatchedLabels: Counter
    let pendingPredictions: Gauge
    let waitingLabels: Gauge
    let partitionsFollowed: Counter
    let commitFailures: Counter
    let commitRetrySeconds: Gauge
    let damagedCommitsMoved: Counter
    let logMissing: Gauge
    let partitionsHeldElsewhere: Gauge
    let partitionsHeldUnreadable: Gauge
    let commitAttempts: Counter
    let sharedLabelsNotHeld: Counter
    private let perEndpoint = Mutex<[String: (records: Counter, bytes: Counter)]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: Self.descriptor(name, unit: "total", help: help))
        }
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: Self.descriptor(name, unit: "", help: help))
        }
        commits = counter("commits", "Delta commits of profile rows.")
        rowsCommitted = counter("rows_committed", "Partial profile rows committed.")
        commitDuration = registry.makeDurationHistogram(
            descriptor: Self.descriptor("commit_duration", unit: "seconds", help: "Time to write and commit one interval's rows."),
            buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                      .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)])
        corruptBatches = counter("corrupt_batches", "Corrupt log regions skipped.")
        lostRecords = counter("lost_records", "Records that could not be read (deleted by retention or corrupt).")
        labelsJoined = counter("labels_joined", "Delayed labels joined with their prediction.")
        duplicateLabels = counter("duplicate_labels", "Labels for a request that already had one (ignored).")
        unmatchedLabels = counter("unmatched_labels", "Labels whose prediction never arrived within the join horizon.")
        pendingPredictions = gauge("pending_predictions", "Predictions held by the label join.")
        waitingLabels = gauge("waiting_labels", "Labels waiting for their prediction.")
        partitionsFollowed = counter("partitions_followed", "Log partitions followed since start.")
        commitFailures = counter("commit_failures", "Commits that failed (disk full, permissions, …); follow mode retries them with backoff.")
        commitRetrySeconds = registry.makeGauge(descriptor: Self.descriptor(
            "commit_retry", unit: "seconds", help: "Delay before the next try of a failed commit; 0 when the last commit succeeded."))
        damagedCommitsMoved = counter("damaged_commits_moved", "Damaged newest commits of profiles moved to _delta_log_damaged/.")
        logMissing = gauge("log_missing", "1 while the log folder does not exist (the tail waits for it).")
        partitionsHeldElsewhere = gauge("partitions_held_elsewhere", "Partitions of the log folder another tail holds (skipped, taken over when it stops).")
        partitionsHeldUnreadable = gauge("partitions_held_unreadable", "Partitions held before a batch whose model manifest cannot be read (nothing skipped; restore the manifest file and reading resumes).")
        commitAttempts = counter("commit_attempts", "Versions tried by commits (more than the commits when other tails committed first).")
        sharedLabelsNotHeld = counter("shared_labels_not_held", "Labels of the shared labels log whose prediction this tail does not hold (another tail joins them).")
    }

    static func descriptor(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "driftline", subsystem: "tail", metricName: name, unitName: unit, helpText: help)
    }

    func recordRead(endpoint: String, count: Int64, bytes: Int) {
        let pair = perEndpoint.withLock { table in
            if let pair = table[endpoint] { return pair }
            let labels = [("endpoint", endpoint)]
            let pair = (registry.makeCounter(descriptor: Self.descriptor("records_read", unit: "total", help: "Log records read."), labels: labels),
                        registry.makeCounter(descriptor: Self.descriptor("bytes_read", unit: "total", help: "Log batch bytes read."), labels: labels))
            table[endpoint] = pair
            return pair
        }
        pair.records.increment(by: count)
        pair.bytes.increment(by: Int64(bytes))
    }

    func quarantined(endpoint: String, reason: Quarantine.Reason, count: Int64) {
        registry.makeCounter(descriptor: Self.descriptor("quarantined_records", unit: "total", help: "Records refused: event time outside the valid range, invalid names or a changed schema."),
                             labels: [("endpoint", endpoint), ("reason", reason.rawValue)]).increment(by: count)
    }

    func outOfRange(endpoint: String, count: Int64) {
        registry.makeCounter(descriptor: Self.descriptor("out_of_range_values", unit: "total", help: "Finite values beyond ±1e100 profiled as missing."),
                             labels: [("endpoint", endpoint)]).increment(by: count)
    }

    func committed(rows: Int, duration: Duration) {
        commits.increment()
        rowsCommitted.increment(by: Int64(rows))
        commitDuration.record(duration)
    }

    func setJoinState(pendingPredictions: Int, waitingLabels: Int) {
        self.pendingPredictions.set(to: Double(pendingPredictions))
        self.waitingLabels.set(to: Double(waitingLabels))
    }

    func setLag(endpoint: String, seconds: Double) {
        registry.makeGauge(descriptor: Self.descriptor("lag", unit: "seconds", help: "Now minus the latest event time read."),
                           labels: [("endpoint", endpoint)]).set(to: seconds)
    }

    func setLagBytes(endpoint: String, bytes: Int64) {
        registry.makeGauge(descriptor: Self.descriptor("lag", unit: "bytes", help: "Log bytes not read yet."),
                           labels: [("endpoint", endpoint)]).set(to: Double(bytes))
    }

    /// Publishes the summary of an endpoint's latest closed window.
    func publish(_ summary: WindowSummary, endpoint: String, modelVersion: String) {
        let labels = [("endpoint", endpoint), ("model_version", modelVersion)]
        registry.makeGauge(descriptor: Self.descriptor("window_requests", unit: "", help: "Requests in the latest closed window."),
                           labels: labels).set(to: Double(summary.requests))
        registry.makeGauge(descriptor: Self.descriptor("window_errors", unit: "", help: "Failed requests in the latest closed window."),
                           labels: labels).set(to: Double(summary.errors))
        let quantiles = [0.5, 0.95, 0.99]
        for (q, value) in zip(quantiles, summary.latency.quantiles(quantiles)) {
            guard let value else { continue }
            registry.makeGauge(descriptor: Self.descriptor("window_latency", unit: "milliseconds", help: "Serving latency quantile in the latest closed window."),
                               labels: labels + [("quantile", "\(q)")]).set(to: value)
        }
        for (feature, moments) in summary.featureMeans where moments.count > 0 {
            registry.makeGauge(descriptor: Self.descriptor("window_feature_mean", unit: "", help: "Mean of a numeric feature in the latest closed window."),
                               labels: labels + [("feature", feature)]).set(to: moments.sum / Double(moments.count))
        }
        let predictions = summary.classCounts.values.reduce(0, +)
        for (name, count) in summary.classCounts where predictions > 0 {
            registry.makeGauge(descriptor: Self.descriptor("window_class_frequency", unit: "", help: "Share of predictions of a class in the latest closed window."),
                               labels: labels + [("class", name)]).set(to: Double(count) / Double(predictions))
        }
    }
}
