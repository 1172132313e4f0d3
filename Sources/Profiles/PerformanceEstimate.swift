/// A label-free estimate of a classifier's performance over a set of predictions (an hour), by
/// confidence-based performance estimation (CBPE, after NannyML), computed from that set's histogram of one
/// probability column over the reference bins and the column's `CalibrationMap`.
///
/// - Multiclass (`topLabel`): the histogram of `:pred1` and the map of "the prediction is right":
///   accuracy = Σ_b h_b q_b / n.
/// - Binary (`binary`): the histogram of `:proba:<positive>`, whose bins have the decision threshold as an
///   edge (so every bin is predicted all positive or all negative), and the map of "the label is positive":
///   expected TP = Σ_{b ≥ t} h_b q_b, FP = Σ_{b ≥ t} h_b (1 − q_b), FN = Σ_{b < t} h_b q_b,
///   TN = Σ_{b < t} h_b (1 − q_b); accuracy, precision, recall and F1 from those (scikit-learn's definitions,
///   0 where a denominator is 0).
///
/// The band is `accuracy ± 3 standard errors` (NannyML's convention), clamped to [0, 1]. The variance has two
/// parts, both computed from counts only:
/// - the hour's own sampling: given the predictions, each one is right with the calibrated probability of its
///   bin, so the realised accuracy varies by Σ_b h_b q̃_b (1 − q̃_b) / n²;
/// - the map's error: a block of the map is a rate estimated from M labelled reference rows, with variance
///   q̃ (1 − q̃) / M, and it moves the estimate by its weight w = Σ_{b in block} ±h_b / n (− for the bins
///   predicted negative of a binary model): Σ_blocks w² q̃ (1 − q̃) / M.
/// q̃ = (events + ½) / (labelled + 1) per block, so that a block the reference saw always right still has
/// some uncertainty. Within-bin spread of the true probabilities only makes the first part smaller, so the
/// band is conservative when the assumptions hold (no concept drift, the calibration learnt on the reference
/// still holds in the hour).
public struct PerformanceEstimate: Sendable, Equatable {
    /// The band's half-width in standard errors.
    public static let bandStandardErrors = 3.0

    /// Predictions the estimate is over (the histogram's total).
    public var count: Int64
    /// Estimated accuracy.
    public var accuracy: Double
    /// Standard error of the realised accuracy around `accuracy`.
    public var standardError: Double
    /// `accuracy ∓ 3 standard errors`, clamped to [0, 1].
    public var lower: Double
    public var upper: Double
    /// Binary models: the positive class's estimated precision, recall and F1.
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?

    /// Accuracy of any classifier from its hour's `:pred1` histogram and the `:pred1` map ("the prediction is
    /// right"); `nil` when the histogram is empty. Throws `mismatchedBins` when the counts do not fit the map.
    public static func topLabel(counts: [Int64], map: CalibrationMap) throws(ProfileError) -> PerformanceEstimate? {
        try estimate(counts: counts, map: map, firstPositiveBin: nil)
    }

    /// Accuracy, precision, recall and F1 of a binary model from its hour's `:proba:<positive>` histogram over
    /// `bins` and that column's map ("the label is positive"). The threshold must be one of the edges (bins at
    /// or above it are predicted positive); otherwise `invalidArgument`. `nil` when the histogram is empty.
    public static func binary(counts: [Int64], map: CalibrationMap, bins: ReferenceBins,
                              threshold: Double) throws(ProfileError) -> PerformanceEstimate? {
        guard bins.edges.contains(threshold) else {
            throw .invalidArgument(name: "threshold", detail: "\(threshold) is not an edge of the bins of the positive class's probability, so the predicted positives of a bin are unknown; re-run `driftline profile` (it adds the threshold as an edge)")
        }
        guard bins.binCount == map.binCount else {
            throw .mismatchedBins(detail: "the map has \(map.binCount) bins, the column \(bins.binCount)")
        }
        return try estimate(counts: counts, map: map, firstPositiveBin: ReferenceBins.binIndex(of: threshold, edges: bins.edges))
    }

    /// The estimate of a binary model whose bins from `firstPositiveBin` on are predicted positive, or (nil) of
    /// the `:pred1` column, where every bin's event is "right".
    static func estimate(counts: [Int64], map: CalibrationMap, firstPositiveBin: Int?) throws(ProfileError) -> PerformanceEstimate? {
        guard counts.count == map.binCount else {
            throw .mismatchedBins(detail: "the hour's histogram has \(counts.count) bins, the calibration map \(map.binCount)")
        }
        var total: Int64 = 0
        for count in counts {
            guard count >= 0 else { throw .invalidArgument(name: "counts", detail: "a bin count is negative (\(count))") }
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { throw .invalidArgument(name: "counts", detail: "bin counts overflow 64 bits") }
            total = sum
        }
        guard total > 0 else { return nil }
        let n = Double(total)
        let positiveFrom = firstPositiveBin ?? 0
        var truePositives = 0.0, falsePositives = 0.0, falseNegatives = 0.0, trueNegatives = 0.0
        var samplingVariance = 0.0
        var blockWeights = [Double](repeating: 0, count: map.blocks.count)
        for b in counts.indices where counts[b] > 0 {
            let h = Double(counts[b])
            let q = map.probabilities[b]
            let block = map.blocks[map.blockOfBin[b]]
            let smoothed = block.smoothedProbability
            samplingVariance += h * smoothed * (1 - smoothed)
            if b >= positiveFrom {
                truePositives += h * q
                falsePositives += h * (1 - q)
                blockWeights[map.blockOfBin[b]] += h
            } else {
                falseNegatives += h * q
                trueNegatives += h * (1 - q)
                blockWeights[map.blockOfBin[b]] -= h
            }
        }
        var mapVariance = 0.0
        for (block, weight) in zip(map.blocks, blockWeights) where weight != 0 {
            let smoothed = block.smoothedProbability
            mapVariance += weight * weight * smoothed * (1 - smoothed) / Double(block.labeled)
        }
        let accuracy = (truePositives + trueNegatives) / n
        let standardError = (samplingVariance + mapVariance).squareRoot() / n
        func divide(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
        var result = PerformanceEstimate(
            count: total, accuracy: accuracy, standardError: standardError,
            lower: Swift.max(0, accuracy - bandStandardErrors * standardError),
            upper: Swift.min(1, accuracy + bandStandardErrors * standardError))
        if firstPositiveBin != nil {
            result.precision = divide(truePositives, truePositives + falsePositives)
            result.recall = divide(truePositives, truePositives + falseNegatives)
            result.f1 = divide(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives)
        }
        return result
    }
}
