import DriftlineStore
import Profiles
import Foundation

/// Gauges for node_exporter's textfile collector: per feature and baseline the drift score and status,
/// per model accuracy, error rate and drift status; for the latest analysed hour of each endpoint
/// and model version. Status gauges use the severity (0 insufficient data, 1 no drift,
/// 2 possible drift, 3 drift detected).
public enum PrometheusTextfile {
    public static func text(of analyses: [HourAnalysis]) -> String {
        var latest: [String: HourAnalysis] = [:]
        for a in analyses {
            let key = a.endpoint + "\u{0}" + a.modelVersion
            if let existing = latest[key], existing.hour >= a.hour { continue }
            latest[key] = a
        }
        let ordered = latest.values.sorted { ($0.endpoint, $0.modelVersion) < ($1.endpoint, $1.modelVersion) }
        var families: [(name: String, help: String, samples: [String])] = [
            ("driftline_feature_drift_score", "PSI of a column against a baseline in the last analysed hour.", []),
            ("driftline_feature_drift_status", "Drift status of a column: 0 insufficient data, 1 no drift, 2 possible drift, 3 drift detected.", []),
            ("driftline_model_accuracy", "Accuracy of the labelled predictions of the last analysed hour.", []),
            ("driftline_model_error_rate", "Share of requests that failed in the last analysed hour.", []),
            ("driftline_model_drift_status", "Worst feature drift status of the model: 0 insufficient data … 3 drift detected.", []),
            ("driftline_model_window_start_seconds", "Start of the last analysed hour, Unix seconds.", []),
        ]
        for a in ordered {
            let model = "endpoint=\"\(label(a.endpoint))\",model_version=\"\(label(a.modelVersion))\""
            for row in a.drift {
                let labels = "{\(model),column=\"\(label(row.columnName))\",baseline=\"\(row.baseline.rawValue)\"}"
                if let psi = row.comparison.driftScore, psi.isFinite { families[0].samples.append("driftline_feature_drift_score\(labels) \(value(psi))") }
                families[1].samples.append("driftline_feature_drift_status\(labels) \(row.status.severity)")
            }
            if let accuracy = a.performance.accuracy, accuracy.isFinite { families[2].samples.append("driftline_model_accuracy{\(model)} \(value(accuracy))") }
            if let rate = a.performance.errorRate, rate.isFinite { families[3].samples.append("driftline_model_error_rate{\(model)} \(value(rate))") }
            families[4].samples.append("driftline_model_drift_status{\(model)} \(a.performance.driftStatus.severity)")
            families[5].samples.append("driftline_model_window_start_seconds{\(model)} \(a.hour.startMicroseconds / 1_000_000)")
        }
        var out = ""
        for family in families where !family.samples.isEmpty {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for sample in family.samples { out += sample + "\n" }
        }
        return out
    }

    /// The same gauges from stored rows: `performance` holds the latest window of each model, `drift` that
    /// window's drift rows. A run writes the textfile this way, from the tables, so that it shows the latest
    /// window of every model whichever windows the run re-analysed.
    /// `failures`: endpoint → model windows the run could not analyse (`driftline_batch_failures`, 0 for healthy endpoints).
    public static func text(performance: [PerformanceRow], drift: [DriftRow], failures: [String: Int] = [:]) -> String {
        let ordered = performance.sorted { ($0.endpoint, $0.modelVersion) < ($1.endpoint, $1.modelVersion) }
        let driftByModel = Dictionary(grouping: drift) { $0.endpoint + "\u{0}" + $0.modelVersion + "\u{0}\($0.windowStartMicroseconds)" }
        var families = families()
        for p in ordered {
            let model = "endpoint=\"\(label(p.endpoint))\",model_version=\"\(label(p.modelVersion))\""
            let rows = (driftByModel[p.endpoint + "\u{0}" + p.modelVersion + "\u{0}\(p.windowStartMicroseconds)"] ?? []).sorted(by: driftOrder)
            for row in rows {
                let labels = "{\(model),column=\"\(label(row.columnName))\",baseline=\"\(row.baseline)\"}"
                if let psi = row.driftScore, psi.isFinite { families[0].samples.append("driftline_feature_drift_score\(labels) \(value(psi))") }
                let status = DriftStatus(rawValue: row.status) ?? .insufficientData
                families[1].samples.append("driftline_feature_drift_status\(labels) \(status.severity)")
            }
            if let accuracy = p.accuracy, accuracy.isFinite { families[2].samples.append("driftline_model_accuracy{\(model)} \(value(accuracy))") }
            if let rate = p.errorRate, rate.isFinite { families[3].samples.append("driftline_model_error_rate{\(model)} \(value(rate))") }
            let status = DriftStatus(rawValue: p.driftStatus) ?? .insufficientData
            families[4].samples.append("driftline_model_drift_status{\(model)} \(status.severity)")
            families[5].samples.append("driftline_model_window_start_seconds{\(model)} \(p.windowStartMicroseconds / 1_000_000)")
        }
        var failed: (name: String, help: String, samples: [String]) = (
            "driftline_batch_failures", "Model windows of the endpoint the last batch run could not analyse (retried by the next run).", [])
        for endpoint in failures.keys.sorted() {
            failed.samples.append("driftline_batch_failures{endpoint=\"\(label(endpoint))\"} \(failures[endpoint] ?? 0)")
        }
        return render(families + [failed])
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

    static func families() -> [(name: String, help: String, samples: [String])] {
        [
            ("driftline_feature_drift_score", "PSI of a column against a baseline in the last analysed hour.", []),
            ("driftline_feature_drift_status", "Drift status of a column: 0 insufficient data, 1 no drift, 2 possible drift, 3 drift detected.", []),
            ("driftline_model_accuracy", "Accuracy of the labelled predictions of the last analysed hour.", []),
            ("driftline_model_error_rate", "Share of requests that failed in the last analysed hour.", []),
            ("driftline_model_drift_status", "Worst feature drift status of the model: 0 insufficient data … 3 drift detected.", []),
            ("driftline_model_window_start_seconds", "Start of the last analysed hour, Unix seconds.", []),
        ]
    }

    static func render(_ families: [(name: String, help: String, samples: [String])]) -> String {
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
