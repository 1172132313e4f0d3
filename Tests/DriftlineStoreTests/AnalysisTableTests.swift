import DeltaTable
import DriftlineCore
import Foundation
import Testing
@testable import DriftlineStore

@Suite struct AnalysisTableTests {
    func driftRows(endpoint: String = "iris", hourStart: Int64, psi: Double) -> [DriftRow] {
        ["x", "y"].flatMap { column in
            ["reference", "previous"].map { baseline in
                DriftRow(endpoint: endpoint, modelVersion: "3", windowStartMicroseconds: hourStart, windowEndMicroseconds: hourStart + hour,
                         baseline: baseline, columnName: column, columnKind: "numeric", count: 500, baselineCount: 1000,
                         mean: 1.5, baselineMean: 1.0, stddev: 0.9, psi: psi, ksPvalue: nil, driftScore: psi, status: "no_drift")
            }
        }
    }

    @Test func replacingAnHourTwiceKeepsOneCopy() throws {
        let test = TestStore()
        let drift = try test.store.drift()
        let hour0 = Timestamp(microsecondsSinceEpoch: t0)..<Timestamp(microsecondsSinceEpoch: t0 + hour)
        try drift.replace(endpoint: "iris", windowStarts: hour0, with: driftRows(hourStart: t0, psi: 0.1))
        try drift.replace(endpoint: "iris", windowStarts: Timestamp(microsecondsSinceEpoch: t0 + hour)..<Timestamp(microsecondsSinceEpoch: t0 + 2 * hour),
                          with: driftRows(hourStart: t0 + hour, psi: 0.2))
        try drift.replace(endpoint: "other", windowStarts: hour0, with: driftRows(endpoint: "other", hourStart: t0, psi: 0.3))
        try drift.replace(endpoint: "iris", windowStarts: hour0, with: driftRows(hourStart: t0, psi: 0.4))
        let rows = try drift.rows(endpoint: "iris")
        #expect(rows.count == 8)
        #expect(rows.filter { $0.windowStartMicroseconds == t0 }.allSatisfy { $0.psi == 0.4 })
        #expect(rows.filter { $0.windowStartMicroseconds == t0 + hour }.allSatisfy { $0.psi == 0.2 })
        #expect(try drift.rows(endpoint: "other").count == 4)
        let hourRows = try drift.rows(endpoint: "iris", from: Timestamp(microsecondsSinceEpoch: t0), to: Timestamp(microsecondsSinceEpoch: t0 + hour))
        #expect(Set(hourRows.map(\.psi)) == [0.4])
        #expect(hourRows.first == driftRows(hourStart: t0, psi: 0.4).first)
    }

    @Test func replacingSeveralHoursAtOnceThenOneStillWorks() throws {
        let test = TestStore()
        let performance = try test.store.performance()
        func row(_ start: Int64, accuracy: Double) -> PerformanceRow {
            PerformanceRow(endpoint: "iris", modelVersion: "3", windowStartMicroseconds: start, windowEndMicroseconds: start + hour,
                           requests: 100, errors: 2, errorRate: 0.02, labeled: 50, accuracy: accuracy, driftStatus: "no_drift")
        }
        let day = Timestamp(microsecondsSinceEpoch: t0)..<Timestamp(microsecondsSinceEpoch: t0 + 3 * hour)
        try performance.replace(endpoint: "iris", windowStarts: day, with: [row(t0, accuracy: 0.9), row(t0 + hour, accuracy: 0.8), row(t0 + 2 * hour, accuracy: 0.7)])
        try performance.replace(endpoint: "iris", windowStarts: Timestamp(microsecondsSinceEpoch: t0 + hour)..<Timestamp(microsecondsSinceEpoch: t0 + 2 * hour),
                                with: [row(t0 + hour, accuracy: 0.5)])
        let rows = try performance.rows(endpoint: "iris").sorted { $0.windowStartMicroseconds < $1.windowStartMicroseconds }
        #expect(rows.map(\.accuracy) == [0.9, 0.5, 0.7])
        #expect(rows[0] == row(t0, accuracy: 0.9))
    }

    @Test func rowsOutsideTheReplacedRangeOrEndpointAreRejected() throws {
        let test = TestStore()
        let drift = try test.store.drift()
        let hour0 = Timestamp(microsecondsSinceEpoch: t0)..<Timestamp(microsecondsSinceEpoch: t0 + hour)
        #expect(throws: StoreError.self) { try drift.replace(endpoint: "iris", windowStarts: hour0, with: driftRows(hourStart: t0 + hour, psi: 0)) }
        #expect(throws: StoreError.self) { try drift.replace(endpoint: "other", windowStarts: hour0, with: driftRows(hourStart: t0, psi: 0)) }
        #expect(try drift.rows().isEmpty)
    }

    @Test func schemasHaveTheDesignColumnsInOrder() {
        #expect(DriftRow.deltaSchema.fields.map(\.name) == [
            "endpoint", "model_version", "window_start", "window_end", "baseline", "column_name", "column_kind", "count",
            "baseline_count", "mean", "baseline_mean", "stddev", "baseline_stddev", "missing_ratio", "baseline_missing_ratio",
            "tvd", "hellinger", "kld", "js_distance", "psi", "ks_statistic", "ks_pvalue", "chi2_statistic", "chi2_pvalue",
            "wasserstein", "drift_score", "status"])
        #expect(PerformanceRow.deltaSchema.fields.map(\.name) == [
            "endpoint", "model_version", "window_start", "window_end", "requests", "errors", "error_rate",
            "predictions_per_second", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "labeled", "accuracy",
            "precision_macro", "recall_macro", "f1_macro", "f1_weighted", "estimated_accuracy", "mean_pred1",
            "mean_spread12", "mae", "rmse", "r2", "tvd_sum", "tvd_mean", "hellinger_sum", "hellinger_mean", "kld_sum",
            "kld_mean", "drift_status", "estimated_accuracy_lower", "estimated_accuracy_upper", "estimated_precision",
            "estimated_recall", "estimated_f1", "estimate_reliable", "class_names", "class_precision", "class_recall",
            "class_f1", "class_support", "confusion_matrix"])
    }
}

/// A store created before the label-free estimate's and the per-class columns existed keeps working: opening its
/// `performance` table adds them (one `metaData` commit), its old rows read them as null, new rows carry them.
@Suite struct PerformanceSchemaEvolutionTests {
    static let added = ["estimated_accuracy_lower", "estimated_accuracy_upper", "estimated_precision", "estimated_recall",
                        "estimated_f1", "estimate_reliable", "class_names", "class_precision", "class_recall", "class_f1",
                        "class_support", "confusion_matrix"]

    /// The performance table as the first release created it, holding one row of its time.
    func oldStore(_ test: TestStore) throws -> PerformanceRow {
        let oldSchema = DeltaSchema(PerformanceRow.deltaSchema.fields.filter { !Self.added.contains($0.name) })
        let storage = try TableStorage.open(path: test.store.performancePath, schema: oldSchema, options: DeltaTable.Options())
        let row = PerformanceRow(endpoint: "iris", modelVersion: "3", windowStartMicroseconds: t0, windowEndMicroseconds: t0 + hour,
                                 requests: 100, errors: 2, labeled: 50, accuracy: 0.9, estimatedAccuracy: 0.93, meanPred1: 0.93,
                                 driftStatus: "no_drift")
        let file = try storage.writeFile(endpoint: "iris", rows: [Array(row.fileValues.dropLast(Self.added.count))])
        try storage.table.append([file])
        return row
    }

    @Test func openingAnOldTableAddsTheNewColumnsAndKeepsItsRows() throws {
        let test = TestStore()
        let old = try oldStore(test)
        let before = try DeltaTable(path: test.store.performancePath).latestVersion()
        let performance = try test.store.performance()
        let snapshot = try performance.table.snapshot()
        #expect(snapshot.version == (before ?? -1) + 1)
        #expect(snapshot.schema.fields.map(\.name) == PerformanceRow.deltaSchema.fields.map(\.name))
        #expect(try performance.table.commitInfo(version: snapshot.version)?["operation"] == .string("ADD COLUMNS"))
        #expect(try performance.rows(endpoint: "iris") == [old])
        // Opening again changes nothing.
        _ = try test.store.performance()
        #expect(try performance.table.latestVersion() == snapshot.version)

        var new = old
        new.windowStartMicroseconds = t0 + hour
        new.windowEndMicroseconds = t0 + 2 * hour
        new.estimatedAccuracyLower = 0.9
        new.estimatedAccuracyUpper = 0.96
        new.estimatedF1 = 0.5
        new.estimateReliable = false
        new.classNames = ["a", "b"]
        new.classPrecision = [1, 0.5]
        new.classRecall = [0.75, 1]
        new.classF1 = [6.0 / 7, 2.0 / 3]
        new.classSupport = [4, 1]
        new.confusionMatrix = [3, 1, 0, 1]
        try performance.replace(endpoint: "iris", windowStarts: Timestamp(microsecondsSinceEpoch: t0 + hour)..<Timestamp(microsecondsSinceEpoch: t0 + 2 * hour),
                                with: [new])
        let rows = try performance.rows(endpoint: "iris").sorted { $0.windowStartMicroseconds < $1.windowStartMicroseconds }
        #expect(rows == [old, new])
    }

    @Test func aColumnOfAnotherTypeIsStillAMismatch() throws {
        let test = TestStore()
        var fields = PerformanceRow.deltaSchema.fields
        if let index = fields.firstIndex(where: { $0.name == "estimated_f1" }) { fields[index].type = .string }
        _ = try TableStorage.open(path: test.store.performancePath, schema: DeltaSchema(fields), options: DeltaTable.Options())
        #expect(throws: StoreError.self) { try test.store.performance() }
    }
}
