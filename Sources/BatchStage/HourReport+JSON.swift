import DriftlineCore
import DriftlineStore
import Foundation

/// The report's JSON, built as a `JSONValue` and written in `JSONFormat.foundationPretty`: the same bytes
/// as `JSONEncoder` with snake-case keys, `[.prettyPrinted, .sortedKeys]` (the format by `JSONFoundationTests`, the reports by the golden files in Tests/golden)
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
        json["performance"] = performance.jsonValue(estimateNote: estimateNote)
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
        let row = self.row
        var json = JSONObject()
        json.member("actual_bin_counts", numbers: actualBinCounts)
        json.member("baseline", row.baseline)
        json.member("baseline_bin_counts", numbers: baselineBinCounts)
        json.member("baseline_count", row.baselineCount)
        json.member("baseline_mean", row.baselineMean)
        json.member("baseline_missing_ratio", row.baselineMissingRatio)
        json.member("baseline_stddev", row.baselineStddev)
        json.member("bin_labels", strings: binLabels)
        json.member("chi2_pvalue", row.chi2Pvalue)
        json.member("chi2_statistic", row.chi2Statistic)
        json.member("column", row.columnName)
        json.member("count", row.count)
        json.member("drift_score", row.driftScore)
        json.member("hellinger", row.hellinger)
        json.member("js_distance", row.jsDistance)
        json.member("kind", row.columnKind)
        json.member("kld", row.kld)
        json.member("ks_pvalue", row.ksPvalue)
        json.member("ks_statistic", row.ksStatistic)
        json.member("mean", row.mean)
        json.member("missing_ratio", row.missingRatio)
        json.member("psi", row.psi)
        json.member("status", row.status)
        json.member("stddev", row.stddev)
        json.member("tvd", row.tvd)
        json.member("wasserstein", row.wasserstein)
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

extension PerformanceRow {
    /// The report's `performance` object: the row's metrics (not its endpoint, model version or window, which
    /// the report has) under the report's names, and the estimate's note.
    func jsonValue(estimateNote: String?) -> JSONValue {
        var json = JSONObject()
        json.member("accuracy", accuracy)
        json.member("drift_status", driftStatus)
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
        json.member("latency_p50_milliseconds", latencyP50Ms)
        json.member("latency_p95_milliseconds", latencyP95Ms)
        json.member("latency_p99_milliseconds", latencyP99Ms)
        json.member("mae", mae)
        json.member("mean_pred1", meanPred1)
        json.member("mean_spread12", meanSpread12)
        if let classNames, let classPrecision, let classRecall, let classF1, let classSupport {
            json["per_class"] = perClassValue(classes: classNames, precision: classPrecision, recall: classRecall, f1: classF1,
                                              support: classSupport, confusionMatrix: confusionMatrixRows ?? [])
        }
        json.member("precision_macro", precisionMacro)
        json.member("predictions_per_second", predictionsPerSecond)
        json.member("r2", r2)
        json.member("recall_macro", recallMacro)
        json.member("requests", requests)
        json.member("rmse", rmse)
        json.member("tvd_mean", tvdMean)
        json.member("tvd_sum", tvdSum)
        return .object(json)
    }

    /// `{"classes": [...], "confusion_matrix": [[...], ...], "f1": [...], "precision": [...], "recall": [...], "support": [...]}`.
    private func perClassValue(classes: [String], precision: [Double], recall: [Double], f1: [Double],
                               support: [Int64], confusionMatrix: [[Int64]]) -> JSONValue {
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
