import DriftlineStore
import Profiles

extension HourAnalysis {
    /// The `performance` row of an hour from its merged reserved columns and its drift rows (non-finite
    /// values become nil), and the words on its label-free estimate for the report.
    static func performance(hour: HourProfiles, classes: [String], drift: [ColumnDrift],
                            modelBaseline: DriftBaseline, reference: ReferenceBaseline?) -> (row: PerformanceRow, estimateNote: String?) {
        let columns = hour.columns
        var errors: Int64 = 0
        if let counts = columns[DerivedColumns.error]?.categorical {
            errors = counts.count - (counts.counts["ok"] ?? 0)
        }
        var result = PerformanceRow(endpoint: hour.endpoint, modelVersion: hour.modelVersion,
                                    windowStartMicroseconds: hour.hour.startMicroseconds, windowEndMicroseconds: hour.hour.endMicroseconds,
                                    requests: hour.recordCount, errors: errors, labeled: 0,
                                    driftStatus: DriftStatus.insufficientData.rawValue)
        result.errorRate = result.requests > 0 ? Double(result.errors) / Double(result.requests) : nil
        let predictions = columns[DerivedColumns.prediction]?.count ?? 0
        result.predictionsPerSecond = Double(predictions) / (Double(hour.hour.length) / 1_000_000)
        if let latency = columns[DerivedColumns.latency]?.numeric, !latency.sketch.isEmpty {
            let view = latency.sketch.sortedView()
            result.latencyP50Ms = view.quantile(0.5)
            result.latencyP95Ms = view.quantile(0.95)
            result.latencyP99Ms = view.quantile(0.99)
        }
        if !classes.isEmpty, let confusion = columns[DerivedColumns.confusion]?.categorical,
           let matrix = try? ConfusionMatrix(classes: classes, confusion: confusion) {
            result.labeled = matrix.total
            if let metrics = ClassificationMetrics(matrix) {
                result.accuracy = metrics.accuracy
                result.precisionMacro = metrics.precisionMacro
                result.recallMacro = metrics.recallMacro
                result.f1Macro = metrics.f1Macro
                result.f1Weighted = metrics.f1Weighted
                result.classNames = classes
                result.classPrecision = metrics.precision
                result.classRecall = metrics.recall
                result.classF1 = metrics.f1
                result.classSupport = metrics.support
                result.confusionMatrix = Array(matrix.counts.joined())
            }
        }
        if let pred1 = columns[DerivedColumns.pred1]?.numeric?.moments, pred1.count > 0 {
            result.meanPred1 = pred1.mean
        }
        let estimateNote = estimate(into: &result, hour: hour, classes: classes, drift: drift, reference: reference)
        if let spread = columns[DerivedColumns.spread12]?.numeric?.moments, spread.count > 0 {
            result.meanSpread12 = spread.mean
        }
        if let residual = columns[DerivedColumns.residual]?.numeric?.moments,
           let absolute = columns[DerivedColumns.absoluteResidual]?.numeric?.moments,
           let label = columns[DerivedColumns.label]?.numeric?.moments,
           let metrics = RegressionMetrics(residual: residual, absoluteResidual: absolute, label: label) {
            result.labeled = metrics.count
            result.mae = metrics.mae
            result.rmse = metrics.rmse
            result.r2 = metrics.r2
        }
        let features = drift.filter { $0.baseline == .reference && !$0.columnName.hasPrefix(":") }
        let distances = features.compactMap(\.comparison.distances)
        if !distances.isEmpty {
            let n = Double(distances.count)
            result.tvdSum = distances.reduce(0) { $0 + $1.tvd }
            result.hellingerSum = distances.reduce(0) { $0 + $1.hellinger }
            result.kldSum = distances.reduce(0) { $0 + $1.kld }
            result.tvdMean = result.tvdSum.map { $0 / n }
            result.hellingerMean = result.hellingerSum.map { $0 / n }
            result.kldMean = result.kldSum.map { $0 / n }
        }
        let judged = drift.filter {
            $0.baseline == modelBaseline && (!$0.columnName.hasPrefix(":") || $0.columnName == DerivedColumns.prediction)
        }
        result.driftStatus = (judged.map(\.status).max { $0.severity < $1.severity } ?? .insufficientData).rawValue
        return (result.finite(), estimateNote)
    }
}
