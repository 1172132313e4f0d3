import DriftlineStore
import Profiles

extension AnodotMetrics {
    /// Which names the Anodot metrics carry.
    public enum Format: String, Sendable, CaseIterable {
        /// Driftline's own (`what`, `endpoint`, `model_version`, `feature`, `baseline`): drift and performance.
        case anodot20
        /// The names MLWatcher's agent gives its per-bucket statistics (`what`, `agent_id`, `ver`,
        /// `feat_name`, `class_name`, `stat`), one bucket per analysed hour; see docs/operations.md.
        case mlwatcher
    }

    /// The value of MLWatcher's `ver` property (its agent sends this constant).
    public static let mlwatcherVersion = "1"

    /// The metrics of `analyses` in `format`.
    public static func metrics(of analyses: [HourAnalysis], format: Format) -> [Metric] {
        switch format {
        case .anodot20: metrics(of: analyses)
        case .mlwatcher: mlwatcherMetrics(of: analyses)
        }
    }

    /// Each hour as one MLWatcher bucket: per feature its `feature_value` statistics (numeric) or its
    /// `feature_count`/`feature_freq` per value (categorical), the predicted classes' `prediction_count`
    /// and `prediction_freq`, `buffer_count`, `max_prediction_proba` and `spread12_prediction_proba`
    /// statistics, and with labels each class's one-vs-rest `accuracy`, `precision`, `recall` and `f1`.
    /// `agent_id` is the endpoint; `model_version` (and `feat_value`, `class_label`) are added so that
    /// points of different versions, values and classes do not collide.
    public static func mlwatcherMetrics(of analyses: [HourAnalysis]) -> [Metric] {
        var out: [Metric] = []
        for a in analyses {
            let timestamp = a.hour.startMicroseconds / 1_000_000
            func add(_ what: String, _ value: Double, counter: Bool = false, feature: String? = nil, className: String? = nil,
                     stat: String? = nil, extra: [String: String] = [:]) {
                guard value.isFinite else { return }
                var properties = extra
                properties["what"] = what
                properties["agent_id"] = clean(a.endpoint)
                properties["ver"] = mlwatcherVersion
                properties["model_version"] = clean(a.modelVersion)
                properties["target_type"] = counter ? "counter" : "gauge"
                if let feature { properties["feat_name"] = clean(feature) }
                if let className { properties["class_name"] = className }
                if let stat { properties["stat"] = stat }
                out.append(Metric(properties: properties, tags: [:], timestamp: timestamp, value: value))
            }
            func statistics(_ what: String, _ s: ColumnSummary, feature: String? = nil) {
                guard s.count > 0, let mean = s.mean, let min = s.min, let max = s.max,
                      let q25 = s.q25, let q50 = s.q50, let q75 = s.q75 else { return }
                let values: [(String, Double?)] = [("mean", mean), ("median", q50), ("std", s.populationStandardDeviation),
                                                   ("range", max - min), ("q25", q25), ("q50", q50), ("q75", q75), ("iqr", q75 - q25)]
                for case let (stat, value?) in values { add(what, value, feature: feature, stat: stat) }
            }
            for (name, summary) in a.summaries.sorted(by: { $0.key < $1.key }) where !name.hasPrefix(":") {
                if let categories = summary.categories {
                    guard summary.count > 0 else { continue }
                    for category in categories where category.count > 0 {
                        let extra = ["feat_value": clean(category.value)]
                        add("feature_count", Double(category.count), counter: true, feature: name, extra: extra)
                        add("feature_freq", Double(category.count) / Double(summary.count), feature: name, extra: extra)
                    }
                } else {
                    statistics("feature_value", summary, feature: name)
                }
            }
            add("buffer_count", Double(a.performance.requests), counter: true)
            if let predictions = a.summaries[DerivedColumns.prediction], let categories = predictions.categories, predictions.count > 0 {
                var counts: [String: Int64] = [:]
                for category in categories { counts[category.value] = category.count }
                var named: [(className: String, label: String, count: Int64)] = []
                for (index, label) in a.classes.enumerated() {
                    named.append((className: "class_\(index)", label: label, count: counts[label] ?? 0))
                }
                let known = Set(a.classes)
                for category in categories where !known.contains(category.value) {
                    named.append((className: "class_" + clean(category.value), label: category.value, count: category.count))
                }
                for (className, label, count) in named {
                    let extra = ["class_label": clean(label)]
                    add("prediction_count", Double(count), counter: true, className: className, extra: extra)
                    add("prediction_freq", Double(count) / Double(predictions.count), className: className, extra: extra)
                }
            }
            if let pred1 = a.summaries[DerivedColumns.pred1] { statistics("max_prediction_proba", pred1) }
            if let spread = a.summaries[DerivedColumns.spread12] { statistics("spread12_prediction_proba", spread) }
            let p = a.performance
            if let classes = p.classNames, let precision = p.classPrecision, let recall = p.classRecall, let f1 = p.classF1,
               let matrix = p.confusionMatrixRows {
                let total = matrix.reduce(Int64(0)) { $0 + $1.reduce(0, +) }
                for (i, label) in classes.enumerated() where i < matrix.count && i < precision.count
                    && i < recall.count && i < f1.count && total > 0 {
                    let truePositives = i < matrix[i].count ? matrix[i][i] : 0
                    let labelled = matrix[i].reduce(0, +)
                    let predicted = matrix.reduce(Int64(0)) { $0 + (i < $1.count ? $1[i] : 0) }
                    let trueNegatives = total - labelled - predicted + truePositives
                    let className = "class_\(a.classes.firstIndex(of: label) ?? i)"
                    let extra = ["class_label": clean(label)]
                    add("accuracy", Double(truePositives + trueNegatives) / Double(total), className: className, extra: extra)
                    add("precision", precision[i], className: className, extra: extra)
                    add("recall", recall[i], className: className, extra: extra)
                    add("f1", f1[i], className: className, extra: extra)
                }
            }
        }
        return out
    }
}
