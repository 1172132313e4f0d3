import DriftlineStore

/// The data-quality gauges of the textfile, appended after the drift and model gauges.
///
/// | metric | value | labels |
/// | --- | --- | --- |
/// | `driftline_quality_status` | 0 ok (or insufficient data), 1 warn, 2 alert: an alerting check as the endpoint's `quality.model_status` grades it | `endpoint`, `model_version`, `column`, `check` |
/// | `driftline_quality_value` | the check's share in the window | same |
/// | `driftline_model_quality_status` | 0 ok, 1 warn, 2 alert (the pipeline's `quality.model_status` rule) | `endpoint`, `model_version` |
extension PrometheusTextfile {
    /// Gauges of the quality rows of each model's latest window (`performance`'s rows say which window that is);
    /// `thresholds` gives an endpoint's rule for the model status.
    public static func qualityText(quality: [QualityRow], performance: [PerformanceRow],
                                   thresholds: (String) -> QualityThresholds) -> String {
        let byWindow = Dictionary(grouping: quality) { $0.endpoint + "\u{0}" + $0.modelVersion + "\u{0}\($0.windowStartMicroseconds)" }
        var status: (name: String, help: String, samples: [String]) = (
            "driftline_quality_status", "Data-quality check of a column in the last analysed window: 0 ok (or insufficient data), 1 warn, 2 alert (an alerting check, graded by the endpoint's quality.model_status).", [])
        var value: (name: String, help: String, samples: [String]) = (
            "driftline_quality_value", "The share a data-quality check measured in the last analysed window.", [])
        var model: (name: String, help: String, samples: [String]) = (
            "driftline_model_quality_status", "What the data-quality checks make of the model's status: 0 ok, 1 warn, 2 alert.", [])
        for p in performance.sorted(by: { ($0.endpoint, $0.modelVersion) < ($1.endpoint, $1.modelVersion) }) {
            let rows = byWindow[p.endpoint + "\u{0}" + p.modelVersion + "\u{0}\(p.windowStartMicroseconds)"] ?? []
            guard !rows.isEmpty else { continue }
            let labels = "endpoint=\"\(label(p.endpoint))\",model_version=\"\(label(p.modelVersion))\""
            let order = QualityCheck.allCases.map(\.rawValue)
            let grade = thresholds(p.endpoint).modelStatus == .alert ? 2 : 1
            for row in rows.sorted(by: { ($0.columnName, order.firstIndex(of: $0.check) ?? 99) < ($1.columnName, order.firstIndex(of: $1.check) ?? 99) }) {
                let series = "{\(labels),column=\"\(label(row.columnName))\",check=\"\(label(row.check))\"}"
                status.samples.append("driftline_quality_status\(series) \(row.status == QualityStatus.alert.rawValue ? grade : 0)")
                if let share = row.value, share.isFinite { value.samples.append("driftline_quality_value\(series) \(Self.value(share))") }
            }
            let alerting = rows.contains { $0.status == QualityStatus.alert.rawValue }
            let severity = alerting ? grade : 0
            model.samples.append("driftline_model_quality_status{\(labels)} \(severity)")
        }
        return render([status, value, model])
    }
}
