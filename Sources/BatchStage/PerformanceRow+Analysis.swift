import DriftlineStore
import Profiles

/// What the analysis, the report and the exports read from a `performance` row beyond its stored columns.
extension PerformanceRow {
    /// The model's status as a value (`insufficient_data` for a string it does not know).
    public var status: DriftStatus { DriftStatus(rawValue: driftStatus) ?? .insufficientData }

    /// The confusion matrix row by row (`[t][p]`: labelled `classNames[t]`, predicted `classNames[p]`),
    /// nil without per-class metrics or when `confusionMatrix` does not hold `classNames.count²` counts.
    public var confusionMatrixRows: [[Int64]]? {
        guard let classNames, let confusionMatrix else { return nil }
        let k = classNames.count
        guard k > 0, confusionMatrix.count == k * k else { return nil }
        return (0..<k).map { Array(confusionMatrix[($0 * k)..<($0 * k + k)]) }
    }

    /// This row with every non-finite double (NaN, ±∞) made nil, as the table stores it.
    func finite() -> PerformanceRow {
        var row = self
        let fields: [WritableKeyPath<PerformanceRow, Double?>] = [
            \.errorRate, \.predictionsPerSecond, \.latencyP50Ms, \.latencyP95Ms, \.latencyP99Ms, \.accuracy,
            \.precisionMacro, \.recallMacro, \.f1Macro, \.f1Weighted, \.estimatedAccuracy, \.meanPred1, \.meanSpread12,
            \.mae, \.rmse, \.r2, \.tvdSum, \.tvdMean, \.hellingerSum, \.hellingerMean, \.kldSum, \.kldMean,
            \.estimatedAccuracyLower, \.estimatedAccuracyUpper, \.estimatedPrecision, \.estimatedRecall, \.estimatedF1,
        ]
        for field in fields { row[keyPath: field] = BatchStage.finite(row[keyPath: field]) }
        return row
    }
}
