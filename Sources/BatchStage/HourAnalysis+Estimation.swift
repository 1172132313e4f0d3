import DriftlineStore
import Profiles

extension HourAnalysis {
    /// The hour's label-free estimate (confidence-based performance estimation, README "Estimated accuracy"):
    /// from the reference's calibration maps and the hour's histograms over the same bins.
    ///
    /// - Binary models (two classes and a threshold that is an edge of `:proba:<positive>`): accuracy,
    ///   precision, recall and F1 from the `:proba:<positive>` histogram and that column's map.
    /// - Other classifiers: accuracy from the `:pred1` histogram and the "prediction right" map.
    /// - Regression: no estimate (CBPE needs class probabilities); the note says so.
    ///
    /// `estimateReliable` is false when an input feature is `drift_detected` against the reference: the method
    /// assumes that the calibration learnt on the reference still holds, which a shift of the inputs can break.
    /// Returns why there is no estimate, or why it is not reliable, in words for the report.
    static func estimate(into result: inout PerformanceRow, hour: HourProfiles, classes: [String],
                         drift: [ColumnDrift], reference: ReferenceBaseline?) -> String? {
        guard !classes.isEmpty else {
            if reference?.isRegression == true || hour.columns[DerivedColumns.prediction]?.kind == .numeric {
                return "regression model: no label-free estimate (it needs class probabilities); MAE, RMSE and R² come with labels"
            }
            return nil
        }
        guard let reference else {
            return "no reference: the label-free estimate needs one profiled with labels (`driftline profile --label-column`)"
        }
        guard !reference.calibrations.isEmpty else {
            return "the reference has no calibration maps: re-run `driftline profile` with --label-column on a labelled validation set"
        }
        let positive = DerivedColumns.probabilityColumn(classes.last ?? "")
        var notes: [String] = []
        let estimate: PerformanceEstimate?
        do {
            if classes.count == 2, let threshold = reference.threshold, let map = reference.calibrations[positive],
               let bins = reference.bins[positive], bins.edges.contains(threshold) {
                estimate = try PerformanceEstimate.binary(counts: counts(of: positive, in: hour, bins: bins, notes: &notes),
                                                          map: map, bins: bins, threshold: threshold)
            } else if let map = reference.calibrations[DerivedColumns.pred1], let bins = reference.bins[DerivedColumns.pred1] {
                estimate = try PerformanceEstimate.topLabel(counts: counts(of: DerivedColumns.pred1, in: hour, bins: bins, notes: &notes), map: map)
            } else {
                return "the reference has no calibration map of \(DerivedColumns.pred1): re-run `driftline profile` with --label-column"
            }
        } catch {
            return "no estimate: \(error)"
        }
        guard let estimate else {
            return "no predictions with probabilities in this hour"
        }
        result.estimatedAccuracy = estimate.accuracy
        result.estimatedAccuracyLower = estimate.lower
        result.estimatedAccuracyUpper = estimate.upper
        result.estimatedPrecision = estimate.precision
        result.estimatedRecall = estimate.recall
        result.estimatedF1 = estimate.f1
        let shifted = drift.filter { $0.baseline == .reference && !$0.columnName.hasPrefix(":") && $0.status == .driftDetected }
            .map(\.columnName)
        result.estimateReliable = shifted.isEmpty
        if !shifted.isEmpty {
            notes.insert("not reliable: input features \(shifted.joined(separator: ", ")) are drift_detected against the reference; "
                         + "the estimate assumes the calibration learnt on the reference still holds, which a covariate shift can break: "
                         + "wait for labels before trusting it", at: 0)
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// The hour's counts of a column over `bins`: its exact histogram when it was counted over them, else read
    /// from its sketch (approximate: the note says so).
    static func counts(of column: String, in hour: HourProfiles, bins: ReferenceBins, notes: inout [String]) -> [Int64] {
        guard let numeric = hour.columns[column]?.numeric else { return [Int64](repeating: 0, count: bins.binCount) }
        if let histogram = numeric.histogram, numeric.bins?.referenceID == bins.referenceID, histogram.count == bins.binCount {
            return histogram
        }
        notes.append("\(column) was not counted over this reference's bins in every window, so its bin counts come from the sketch (approximate)")
        return bins.counts(of: numeric.sketch)
    }
}
