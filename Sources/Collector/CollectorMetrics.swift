import Prometheus
import Synchronization

/// The collector's Prometheus metrics (namespace `driftline_collect`), served on `GET /metrics`:
///
/// | metric | kind | labels |
/// | --- | --- | --- |
/// | `driftline_collect_records_accepted_total` | counter: records accepted into the log's buffer | `endpoint`, `source` (`records`, `labels`, `cloudevents`) |
/// | `driftline_collect_records_rejected_total` | counter: records refused (4xx) | `endpoint`, `reason` |
/// | `driftline_collect_requests_rejected_total` | counter: whole requests refused before any record was read | `reason` (`unknown_endpoint`, `too_large`, `unauthorized`, `forbidden`, `malformed_json`, `unsupported`, ...) |
/// | `driftline_collect_overloaded_total` | counter: requests answered 503 because the log's buffer was full | `endpoint` |
/// | `driftline_collect_request_bytes_total` | counter: request body bytes received | |
/// | `driftline_collect_events_unpaired_total` | counter: CloudEvents dropped without their other half | `half` (`request`, `response`), `reason` (`timeout`, `evicted`) |
/// | `driftline_collect_events_duplicate_total` | counter: CloudEvents ignored as repeats of a `ce-id` | |
/// | `driftline_collect_events_ignored_total` | counter: CloudEvents of another component or event type | |
/// | `driftline_collect_pending_events` | gauge: CloudEvents waiting for their other half | |
/// | `driftline_collect_log_records` | gauge: the log writers' counters | `endpoint`, `model_version`, `state` (`logged`, `written`, `synced`, `write_failed`) |
public final class CollectorMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let requestBytes: Counter
    let duplicateEvents: Counter
    let ignoredEvents: Counter
    let pendingEvents: Gauge
    private let counters = Mutex<[String: Counter]>([:])
    private let gauges = Mutex<[String: Gauge]>([:])
    /// Unpaired counts already published, by half and reason (the table's counters only grow).
    private let publishedUnpaired = Mutex<[String: Int]>([:])

    /// Metrics registered in `registry` (a new one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        requestBytes = registry.makeCounter(descriptor: Self.name("request_bytes", unit: "total", help: "Request body bytes received."))
        duplicateEvents = registry.makeCounter(descriptor: Self.name("events_duplicate", unit: "total", help: "CloudEvents ignored as repeats of a ce-id."))
        ignoredEvents = registry.makeCounter(descriptor: Self.name("events_ignored", unit: "total", help: "CloudEvents of another component or event type, ignored."))
        pendingEvents = registry.makeGauge(descriptor: Self.name("pending_events", unit: "", help: "CloudEvents waiting for their other half."))
    }

    static func name(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "driftline", subsystem: "collect", metricName: name, unitName: unit, helpText: help)
    }

    static let help: [String: String] = [
        "records_accepted": "Records accepted into the log's buffer.",
        "records_rejected": "Records refused with a 4xx answer.",
        "requests_rejected": "Requests refused before any record was read.",
        "overloaded": "Requests answered 503 because the log's buffer was full.",
        "events_unpaired": "CloudEvents dropped without their other half.",
    ]

    private func counter(_ name: String, _ labels: [(String, String)]) -> Counter {
        var key = name
        for (label, value) in labels {
            key += "|"
            key += label
            key += "="
            key += value
        }
        return counters.withLock { table in
            if let counter = table[key] { return counter }
            let counter = registry.makeCounter(descriptor: Self.name(name, unit: "total", help: Self.help[name] ?? name), labels: labels)
            table[key] = counter
            return counter
        }
    }

    func accepted(endpoint: String, source: String, count: Int) {
        guard count > 0 else { return }
        counter("records_accepted", [("endpoint", endpoint), ("source", source)]).increment(by: Int64(count))
    }

    func rejected(endpoint: String, reason: String, count: Int = 1) {
        guard count > 0 else { return }
        counter("records_rejected", [("endpoint", endpoint), ("reason", reason)]).increment(by: Int64(count))
    }

    func requestRejected(reason: String) {
        counter("requests_rejected", [("reason", reason)]).increment()
    }

    func overloaded(endpoint: String) {
        counter("overloaded", [("endpoint", endpoint)]).increment()
    }

    /// Publishes the pairing table's unpaired counts (cumulative) and its size.
    func unpaired(_ counts: [String: Int], pending: Int) {
        pendingEvents.set(Int64(pending))
        let deltas = publishedUnpaired.withLock { published -> [(String, Int)] in
            var deltas: [(String, Int)] = []
            for (key, total) in counts where total > published[key, default: 0] {
                deltas.append((key, total - published[key, default: 0]))
                published[key] = total
            }
            return deltas
        }
        for (key, delta) in deltas {
            let parts = key.split(separator: "/").map(String.init)
            guard parts.count == 2 else { continue }
            counter("events_unpaired", [("half", parts[0]), ("reason", parts[1])]).increment(by: Int64(delta))
        }
    }

    /// Sets the log writers' gauges from their statistics.
    func logRecords(endpoint: String, modelVersion: String, logged: Int, written: Int, synced: Int, writeFailed: Int) {
        for (state, value) in [("logged", logged), ("written", written), ("synced", synced), ("write_failed", writeFailed)] {
            let labels = [("endpoint", endpoint), ("model_version", modelVersion), ("state", state)]
            let key = "log_records" + labels.map { "|\($0.0)=\($0.1)" }.joined()
            let gauge = gauges.withLock { table in
                if let gauge = table[key] { return gauge }
                let gauge = registry.makeGauge(
                    descriptor: Self.name("log_records", unit: "", help: "The log writers' record counters since the collector started."), labels: labels)
                table[key] = gauge
                return gauge
            }
            gauge.set(Int64(value))
        }
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
