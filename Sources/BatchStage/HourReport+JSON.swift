import DriftlineStore
import Foundation

/// The report's JSON, written by ``JSONWriter`` with the members of every object in sorted order: the
/// same bytes as `JSONEncoder` with snake-case keys, `[.prettyPrinted, .sortedKeys]` (checked by
/// `ReportTests`), several times faster.
extension HourReport {
    /// Pretty, key-sorted, snake_case JSON; `nil` members are left out.
    public func jsonData() -> Data {
        var json = JSONWriter(capacity: 4096 + drift.count * 2048)
        json.beginObject()
        json.member("classes", strings: classes)
        json.key("drift")
        json.beginArray()
        for row in drift {
            json.element()
            row.write(to: &json)
        }
        json.endArray()
        json.member("drift_status", driftStatus)
        json.member("endpoint", endpoint)
        json.member("model_version", modelVersion)
        json.key("performance")
        performance.write(to: &json, estimateNote: estimateNote)
        if let quality {
            json.key("quality")
            json.beginArray()
            for row in quality {
                json.element()
                row.write(to: &json)
            }
            json.endArray()
        }
        json.member("quality_status", qualityStatus)
        json.member("reference_id", referenceId)
        json.key("trend")
        json.beginArray()
        for point in trend {
            json.element()
            point.write(to: &json)
        }
        json.endArray()
        json.member("window_end", windowEnd)
        json.member("window_start", windowStart)
        json.endObject()
        return Data(json.bytes)
    }
}

extension HourReport.Drift {
    func write(to json: inout JSONWriter) {
        let row = self.row
        json.beginObject()
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
        json.endObject()
    }
}

extension HourReport.TrendPoint {
    func write(to json: inout JSONWriter) {
        json.beginObject()
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
        json.endObject()
    }
}

extension PerformanceRow {
    /// The report's `performance` object: the row's metrics (not its endpoint, model version or window, which
    /// the report has) under the report's names, and the estimate's note.
    func write(to json: inout JSONWriter, estimateNote: String?) {
        json.beginObject()
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
            json.key("per_class")
            writePerClass(to: &json, classes: classNames, precision: classPrecision, recall: classRecall, f1: classF1,
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
        json.endObject()
    }

    /// `{"classes": [...], "confusion_matrix": [[...], ...], "f1": [...], "precision": [...], "recall": [...], "support": [...]}`.
    private func writePerClass(to json: inout JSONWriter, classes: [String], precision: [Double], recall: [Double], f1: [Double],
                               support: [Int64], confusionMatrix: [[Int64]]) {
        json.beginObject()
        json.member("classes", strings: classes)
        json.key("confusion_matrix")
        json.beginArray()
        for row in confusionMatrix {
            json.element()
            json.beginArray()
            for count in row {
                json.element()
                json.number(count)
            }
            json.endArray()
        }
        json.endArray()
        json.member("f1", numbers: f1)
        json.member("precision", numbers: precision)
        json.member("recall", numbers: recall)
        json.key("support")
        json.beginArray()
        for count in support {
            json.element()
            json.number(count)
        }
        json.endArray()
        json.endObject()
    }
}
