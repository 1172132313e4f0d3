import DriftlineStore
import Profiles
import Foundation

/// Gauges for node_exporter's textfile collector, for the latest analysed window of each endpoint and
/// model version: per column and baseline the drift score and status; per feature (against the
/// reference) TVD, Hellinger, KLD and PSI; per model accuracy (labelled, estimated and the reference's),
/// error rate, requests, p99 latency and drift status; per endpoint the windows a run could not analyse;
/// and when the batch (of this shard) last completed a recorded run. Status gauges use the severity
/// (0 insufficient data, 1 no drift, 2 possible drift, 3 drift detected).
///
/// The text is a function of its inputs only (families in a fixed order, samples sorted by endpoint,
/// model version and column), so the same store gives the same bytes.
public enum PrometheusTextfile {
    typealias Family = (name: String, help: String, samples: [String])

    /// The gauges of analyses not yet stored (the latest window of each model among them).
    public static func text(of analyses: [HourAnalysis]) -> String {
        var latest: [String: HourAnalysis] = [:]
        for a in analyses {
            let key = a.endpoint + "\u{0}" + a.modelVersion
            if let existing = latest[key], existing.hour >= a.hour { continue }
            latest[key] = a
        }
        let ordered = latest.values.sorted { ($0.endpoint, $0.modelVersion) < ($1.endpoint, $1.modelVersion) }
        return text(performance: ordered.map(\.performance), drift: ordered.flatMap(\.driftRows))
    }

    /// When a batch run last completed and recorded itself: `shard` is `I/N` (`0/1` unsharded), `seconds`
    /// the run's "now" in Unix seconds.
    public struct LastSuccess: Sendable, Equatable {
        public var shard: String
        public var seconds: Int64
        public init(shard: String, seconds: Int64) {
            self.shard = shard
            self.seconds = seconds
        }
    }

    /// The same gauges from stored rows: `performance` holds the latest window of each model, `drift` that
    /// window's drift rows. A run writes the textfile this way, from the tables, so that it shows the latest
    /// window of every model whichever windows the run re-analysed.
    /// - Parameters:
    ///   - failures: endpoint → model windows the run could not analyse (`driftline_batch_failures`, 0 for healthy endpoints).
    ///   - referenceAccuracy: `endpoint\0model version` → the accuracy of the model on its labelled reference rows.
    ///   - lastSuccess: the latest recorded run of this shard (`driftline_batch_last_success_timestamp_seconds`).
    ///   - unreadableProfilesCommits: damaged newest commits of the profiles table the run (of shard `I/N`) read
    ///     around (`driftline_batch_unreadable_profiles_commits{shard="I/N"}`: labelled by shard, as every shard
    ///     sees the same store and node_exporter refuses a series two files hold; left out when nil).
    public static func text(performance: [PerformanceRow], drift: [DriftRow], failures: [String: Int] = [:],
                            referenceAccuracy: [String: Double] = [:], lastSuccess: LastSuccess? = nil,
                            unreadableProfilesCommits: (shard: String, count: Int)? = nil) -> String {
        let ordered = performance.sorted { ($0.endpoint, $0.modelVersion) < ($1.endpoint, $1.modelVersion) }
        let driftByModel = Dictionary(grouping: drift) { $0.endpoint + "\u{0}" + $0.modelVersion + "\u{0}\($0.windowStartMicroseconds)" }
        var families = families()
        func add(_ index: Int, _ labels: String, _ x: Double?) {
            guard let x, x.isFinite else { return }
            families[index].samples.append("\(families[index].name)\(labels) \(value(x))")
        }
        for p in ordered {
            let model = "endpoint=\"\(label(p.endpoint))\",model_version=\"\(label(p.modelVersion))\""
            let rows = (driftByModel[p.endpoint + "\u{0}" + p.modelVersion + "\u{0}\(p.windowStartMicroseconds)"] ?? []).sorted(by: driftOrder)
            for row in rows {
                let labels = "{\(model),column=\"\(label(row.columnName))\",baseline=\"\(row.baseline)\"}"
                add(Index.driftScore, labels, row.driftScore)
                let status = DriftStatus(rawValue: row.status) ?? .insufficientData
                families[Index.driftStatus].samples.append("driftline_feature_drift_status\(labels) \(status.severity)")
            }
            // MLRun's per-feature panels: features only (no reserved `:` columns), against the reference only.
            for row in rows where row.baseline == DriftBaseline.reference.rawValue && !row.columnName.hasPrefix(":") {
                let labels = "{\(model),feature=\"\(label(row.columnName))\"}"
                add(Index.tvd, labels, row.tvd)
                add(Index.hellinger, labels, row.hellinger)
                add(Index.kld, labels, row.kld)
                add(Index.psi, labels, row.psi)
            }
            add(Index.accuracy, "{\(model)}", p.accuracy)
            add(Index.errorRate, "{\(model)}", p.errorRate)
            let status = DriftStatus(rawValue: p.driftStatus) ?? .insufficientData
            families[Index.modelDriftStatus].samples.append("driftline_model_drift_status{\(model)} \(status.severity)")
            families[Index.windowStart].samples.append("driftline_model_window_start_seconds{\(model)} \(p.windowStartMicroseconds / 1_000_000)")
            families[Index.requests].samples.append("driftline_model_requests{\(model)} \(p.requests)")
            if p.accuracy != nil { families[Index.labeled].samples.append("driftline_model_labeled{\(model)} \(p.labeled)") }
            add(Index.estimatedAccuracy, "{\(model)}", p.estimatedAccuracy)
            add(Index.estimatedAccuracyUpper, "{\(model)}", p.estimatedAccuracyUpper)
            add(Index.referenceAccuracy, "{\(model)}", referenceAccuracy[p.endpoint + "\u{0}" + p.modelVersion])
            add(Index.latencyP99, "{\(model)}", p.latencyP99Ms.map { $0 / 1000 })
        }
        var failed: Family = ("driftline_batch_failures",
                              "Model windows of the endpoint the last batch run could not analyse (retried by the next run).", [])
        for endpoint in failures.keys.sorted() {
            failed.samples.append("driftline_batch_failures{endpoint=\"\(label(endpoint))\"} \(failures[endpoint] ?? 0)")
        }
        var success: Family = ("driftline_batch_last_success_timestamp_seconds",
                               "When the batch of this shard last completed a recorded run (its \"now\"), Unix seconds.", [])
        if let lastSuccess {
            success.samples.append("driftline_batch_last_success_timestamp_seconds{shard=\"\(label(lastSuccess.shard))\"} \(lastSuccess.seconds)")
        }
        var runFamilies = [failed, success]
        if let (shard, count) = unreadableProfilesCommits {
            runFamilies.append(("driftline_batch_unreadable_profiles_commits",
                                "Damaged newest commits of the profiles table the last batch run read around: their rows (of endpoints unknown) were not analysed.",
                                ["driftline_batch_unreadable_profiles_commits{shard=\"\(label(shard))\"} \(count)"]))
        }
        return render(families + runFamilies)
    }

    /// The order `HourAnalysis` keeps its drift rows in: reference rows before previous ones, features
    /// (sorted) before the reserved columns (in `reservedDriftColumns` order).
    static func driftOrder(_ a: DriftRow, _ b: DriftRow) -> Bool {
        func baselineRank(_ row: DriftRow) -> Int { row.baseline == DriftBaseline.reference.rawValue ? 0 : 1 }
        func columnRank(_ row: DriftRow) -> Int {
            HourAnalysis.reservedDriftColumns.firstIndex(of: row.columnName).map { $0 + 1 } ?? 0
        }
        return (baselineRank(a), columnRank(a), a.columnName) < (baselineRank(b), columnRank(b), b.columnName)
    }

    /// Positions in `families()`.
    enum Index {
        static let driftScore = 0, driftStatus = 1, accuracy = 2, errorRate = 3, modelDriftStatus = 4, windowStart = 5
        static let tvd = 6, hellinger = 7, kld = 8, psi = 9
        static let requests = 10, labeled = 11, estimatedAccuracy = 12, estimatedAccuracyUpper = 13, referenceAccuracy = 14
        static let latencyP99 = 15
    }

    static func families() -> [Family] {
        [
            ("driftline_feature_drift_score", "PSI of a column against a baseline in the last analysed hour.", []),
            ("driftline_feature_drift_status", "Drift status of a column: 0 insufficient data, 1 no drift, 2 possible drift, 3 drift detected.", []),
            ("driftline_model_accuracy", "Accuracy of the labelled predictions of the last analysed hour.", []),
            ("driftline_model_error_rate", "Share of requests that failed in the last analysed hour.", []),
            ("driftline_model_drift_status", "Worst feature drift status of the model: 0 insufficient data … 3 drift detected.", []),
            ("driftline_model_window_start_seconds", "Start of the last analysed hour, Unix seconds.", []),
            ("driftline_feature_tvd", "Total variation distance of a feature against the reference in the last analysed hour.", []),
            ("driftline_feature_hellinger", "Hellinger distance of a feature against the reference in the last analysed hour.", []),
            ("driftline_feature_kld", "Kullback-Leibler divergence of a feature against the reference in the last analysed hour.", []),
            ("driftline_feature_psi", "Population stability index of a feature against the reference in the last analysed hour.", []),
            ("driftline_model_requests", "Requests of the last analysed hour.", []),
            ("driftline_model_labeled", "Labelled predictions of the last analysed hour (the count behind driftline_model_accuracy).", []),
            ("driftline_model_estimated_accuracy", "Accuracy estimated without labels for the last analysed hour.", []),
            ("driftline_model_estimated_accuracy_upper", "Upper end of the estimated accuracy's band (estimate + 3 standard errors).", []),
            ("driftline_model_reference_accuracy", "Accuracy of the model on the labelled rows of its reference (training set).", []),
            ("driftline_model_latency_p99_seconds", "99th percentile of serving latency in the last analysed hour, seconds.", []),
        ]
    }

    static func render(_ families: [Family]) -> String {
        var out = ""
        for family in families where !family.samples.isEmpty {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for sample in family.samples { out += sample + "\n" }
        }
        return out
    }

    /// A label value with `\`, `"` and newlines escaped as the exposition format wants.
    static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func value(_ x: Double) -> String { x.description }
}
