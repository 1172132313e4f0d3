/// MAE, RMSE and R² from merged moments of `:residual`, `:abs_residual` and `:label`, equal to
/// scikit-learn's `mean_absolute_error`, `root_mean_squared_error` and `r2_score` on the raw values.
public struct RegressionMetrics: Sendable, Equatable {
    public var count: Int64
    public var mae: Double
    public var rmse: Double
    /// 1 − SS_res/SS_tot; with a constant label, 1 for a perfect fit and 0 otherwise (sklearn's `force_finite`).
    public var r2: Double

    /// `nil` when no labelled record exists or the three columns disagree on the count.
    public init?(residual: NumericMoments, absoluteResidual: NumericMoments, label: NumericMoments) {
        let n = residual.count
        guard n > 0, absoluteResidual.count == n, label.count == n else { return nil }
        count = n
        mae = absoluteResidual.mean
        let sumOfSquares = residual.m2 + Double(n) * residual.mean * residual.mean
        rmse = (sumOfSquares / Double(n)).squareRoot()
        let totalSquares = label.m2
        if totalSquares > 0 {
            r2 = 1 - sumOfSquares / totalSquares
        } else {
            r2 = sumOfSquares == 0 ? 1 : 0
        }
    }
}
