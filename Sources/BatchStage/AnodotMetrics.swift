import DriftlineStore
import Foundation

/// Metrics in Anodot's 2.0 format (the shape MLWatcher's agent also sends; its names: `AnodotMetrics+MLWatcher`), one object per value with
/// `properties` (`what`, `model`, `endpoint`, `model_version`, `feature`, `baseline`, `target_type`),
/// `tags`, `timestamp` (epoch seconds, the hour's start) and `value`. Dots, spaces and `=` in
/// property values become `_` (values are cut at 150 characters, Anodot's limit), a leading `:` of reserved columns is dropped (`:prediction` → `prediction`).
public enum AnodotMetrics {
    /// One metric.
    public struct Metric: Sendable, Encodable, Equatable {
        public var properties: [String: String]
        public var tags: [String: [String]]
        public var timestamp: Int64
        public var value: Double
    }

    /// Drift scores, distances and statuses per feature and baseline, and the model's performance values.
    public static func metrics(of analyses: [HourAnalysis]) -> [Metric] {
        var out: [Metric] = []
        for a in analyses {
            let timestamp = a.hour.startMicroseconds / 1_000_000
            func base(_ what: String) -> [String: String] {
                ["what": what, "model": clean(a.endpoint), "endpoint": clean(a.endpoint),
                 "model_version": clean(a.modelVersion), "target_type": "gauge"]
            }
            for row in a.drift {
                let c = row.comparison
                let values: [(String, Double?)] = [
                    ("drift_score", c.driftScore), ("tvd", c.distances?.tvd), ("hellinger", c.distances?.hellinger),
                    ("kld", c.distances?.kld), ("js_distance", c.distances?.jsDistance), ("ks_statistic", c.ksStatistic),
                    ("chi2_pvalue", c.chiSquare?.pValue), ("wasserstein", c.wasserstein),
                    ("drift_status", Double(row.status.severity)),
                ]
                for (what, value) in values {
                    guard let value, value.isFinite else { continue }
                    var properties = base(what)
                    properties["feature"] = clean(row.columnName)
                    properties["baseline"] = row.baseline.rawValue
                    out.append(Metric(properties: properties, tags: [:], timestamp: timestamp, value: value))
                }
            }
            let p = a.performance
            let values: [(String, Double?)] = [
                ("requests", Double(p.requests)), ("errors", Double(p.errors)), ("error_rate", p.errorRate),
                ("predictions_per_second", p.predictionsPerSecond), ("latency_p50_ms", p.latencyP50Ms),
                ("latency_p95_ms", p.latencyP95Ms), ("latency_p99_ms", p.latencyP99Ms),
                ("labeled", Double(p.labeled)), ("accuracy", p.accuracy), ("f1_macro", p.f1Macro), ("f1_weighted", p.f1Weighted),
                ("estimated_accuracy", p.estimatedAccuracy), ("estimated_accuracy_lower", p.estimatedAccuracyLower),
                ("estimated_accuracy_upper", p.estimatedAccuracyUpper), ("estimate_reliable", p.estimateReliable.map { $0 ? 1 : 0 }),
                ("mean_spread12", p.meanSpread12),
                ("mae", p.mae), ("rmse", p.rmse), ("r2", p.r2), ("tvd_mean", p.tvdMean), ("hellinger_mean", p.hellingerMean),
                ("kld_mean", p.kldMean), ("model_drift_status", Double(p.status.severity)),
            ]
            for (what, value) in values {
                guard let value, value.isFinite else { continue }
                out.append(Metric(properties: base(what), tags: [:], timestamp: timestamp, value: value))
            }
        }
        return out
    }

    /// Writes `metrics` as `jsonData` to `path` (atomically replaced, the folder created if needed).
    public static func write(_ metrics: [Metric], to path: String) throws(BatchError) {
        do { try writeOutput(try jsonData(metrics), to: path) } catch let error as BatchError {
            throw error
        } catch {
            throw .output(path: path, detail: "cannot encode the metrics: \(error)")
        }
    }

    /// The JSON array Anodot's `/api/v1/metrics?protocol=anodot20` accepts.
    public static func jsonData(_ metrics: [Metric]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(metrics)
    }

    /// Anodot refuses property values longer than this; longer ones are cut.
    static let maximumValueLength = 150

    static func clean(_ value: String) -> String {
        var text = value.hasPrefix(":") ? String(value.dropFirst()) : value
        text = String(text.map { ".= \t\n".contains($0) ? "_" : $0 }.prefix(maximumValueLength))
        return text.isEmpty ? "_" : text
    }
}
