import DriftlineCore
import Foundation

/// The report's JSON, built as a `JSONValue` and written in `JSONFormat.foundationPretty`: the same bytes
/// as `JSONEncoder` with snake-case keys, `[.prettyPrinted, .sortedKeys]` (checked by `ReportTests`)
/// without its boxing and per-key snake-case conversion.
extension HourReport {
    /// Pretty, key-sorted, snake_case JSON; `nil` members are left out.
    public func jsonData() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(4096 + drift.count * 2048)
        jsonValue.write(to: &out, .foundationPretty)
        return Data(out)
    }

    var jsonValue: JSONValue {
        var json = JSONObject()
        json.member("classes", strings: classes)
        json["drift"] = .array(drift.map(\.jsonValue))
        json.member("drift_status", driftStatus)
        json.member("endpoint", endpoint)
        json.member("model_version", modelVersion)
        json["performance"] = performance.jsonValue
        if let quality {
            json["quality"] = .array(quality.map(\.jsonValue))
        }
        json.member("quality_status", qualityStatus)
        json.member("reference_id", referenceId)
        json["trend"] = .array(trend.map(\.jsonValue))
        json.member("window_end", windowEnd)
        json.member("window_start", windowStart)
        return .object(json)
    }
}

extension HourReport.Drift {
    var jsonValue: JSONValue {
        var json = JSONObject()
        json.member("actual_bin_counts", numbers: actualBinCounts)
        json.member("baseline", baseline)
        json.member("baseline_bin_counts", numbers: baselineBinCounts)
        json.member("baseline_count", baselineCount)
        json.member("baseline_mean", baselineMean)
        json.member("baseline_missing_ratio", baselineMissingRatio)
        json.member("baseline_stddev", baselineStddev)
        json.member("bin_labels", strings: binLabels)
        json.member("chi2_pvalue", chi2Pvalue)
        json.member("chi2_statistic", chi2Statistic)
        json.member("column", column)
        json.member("count", count)
        json.member("drift_score", driftScore)
        json.member("hellinger", hellinger)
        json.member("js_distance", jsDistance)
        json.member("kind", kind)
        json.member("kld", kld)
        json.member("ks_pvalue", ksPvalue)
        json.member("ks_statistic", ksStatistic)
        json.member("mean", mean)
        json.member("missing_ratio", missingRatio)
        json.member("psi", psi)
        json.member("status", status)
        json.member("stddev", stddev)
        json.member("tvd", tvd)
        json.member("wasserstein", wasserstein)
        return .object(json)
    }
}

extension HourReport.TrendPoint {
    var jsonValue: JSONValue {
        var json = JSONObject()
        json.member("accuracy", accuracy)
        json.member("drift_status", driftStatus)
        json.member("error_rate", errorRate)
        json.member("estimate_reliable", estimateReliable)
        json.member("estimated_accuracy", estimatedAccuracy)
        json.member("estimated_accuracy_lower", estimatedAccuracyLower)
        json.member("estimated_accuracy_upper", estimatedAccuracyUpper)
        json.member("hour", hour)
        json.member("latency_p50_ms", latencyP50Ms)
        json.member("latency_p95_ms", latencyP95Ms)
        json.member("predictions_per_second", predictionsPerSecond)
        json.member("window_start_microseconds", windowStartMicroseconds)
        return .object(json)
    }
}

extension HourPerformance {
    var jsonValue: JSONValue {
        var json = JSONObject()
        json.member("accuracy", accuracy)
        json.member("drift_status", driftStatus.rawValue)
        json.member("error_rate", errorRate)
        json.member("errors", errors)
        json.member("estimate_note", estimateNote)
        json.member("estimate_reliable", estimateReliable)
        json.member("estimated_accuracy", estimatedAccuracy)
        json.member("estimated_accuracy_lower", estimatedAccuracyLower)
        json.member("estimated_accuracy_upper", estimatedAccuracyUpper)
        json.member("estimated_f1", estimatedF1)
        json.member("estimated_precision", estimatedPrecision)
        json.member("estimated_recall", estimatedRecall)
        json.member("f1_macro", f1Macro)
        json.member("f1_weighted", f1Weighted)
        json.member("hellinger_mean", hellingerMean)
        json.member("hellinger_sum", hellingerSum)
        json.member("kld_mean", kldMean)
        json.member("kld_sum", kldSum)
        json.member("labeled", labeled)
        json.member("latency_p50_milliseconds", latencyP50Milliseconds)
        json.member("latency_p95_milliseconds", latencyP95Milliseconds)
        json.member("latency_p99_milliseconds", latencyP99Milliseconds)
        json.member("mae", mae)
        json.member("mean_pred1", meanPred1)
        json.member("mean_spread12", meanSpread12)
        if let perClass {
            json["per_class"] = perClass.jsonValue
        }
        json.member("precision_macro", precisionMacro)
        json.member("predictions_per_second", Optional(predictionsPerSecond))
        json.member("r2", r2)
        json.member("recall_macro", recallMacro)
        json.member("requests", requests)
        json.member("rmse", rmse)
        json.member("tvd_mean", tvdMean)
        json.member("tvd_sum", tvdSum)
        return .object(json)
    }
}

extension PerClassMetrics {
    /// `{"classes": [...], "confusion_matrix": [[...], ...], "f1": [...], "precision": [...], "recall": [...], "support": [...]}`.
    var jsonValue: JSONValue {
        var json = JSONObject()
        json.member("classes", strings: classes)
        json["confusion_matrix"] = .array(confusionMatrix.map { row in .array(row.map { .int($0) }) })
        json.member("f1", numbers: f1)
        json.member("precision", numbers: precision)
        json.member("recall", numbers: recall)
        json.member("support", integers: support)
        return .object(json)
    }
}
