/// Accuracy and precision/recall/F1 (macro and weighted) with scikit-learn's definitions:
/// `accuracy_score`, `precision_recall_fscore_support(labels=classes, zero_division=0)`. A class with
/// no records still counts in the macro average (as 0 where its denominator is 0).
public struct ClassificationMetrics: Sendable, Equatable {
    public var labeled: Int64
    public var accuracy: Double
    public var precisionMacro: Double
    public var recallMacro: Double
    public var f1Macro: Double
    public var precisionWeighted: Double
    public var recallWeighted: Double
    public var f1Weighted: Double
    /// Per-class precision, recall and F1, in class order.
    public var precision: [Double]
    public var recall: [Double]
    public var f1: [Double]
    /// Per-class support: labelled records of each class (sklearn's `support`), in class order.
    public var support: [Int64]

    /// Metrics of a confusion matrix; `nil` when it holds no labelled record.
    public init?(_ matrix: ConfusionMatrix) {
        let total = matrix.total
        guard total > 0 else { return nil }
        let k = matrix.classes.count
        var truePositives = [Double](repeating: 0, count: k)
        var predicted = [Double](repeating: 0, count: k)
        var actual = [Double](repeating: 0, count: k)
        for t in 0..<k {
            for p in 0..<k {
                let c = Double(matrix.counts[t][p])
                if t == p { truePositives[t] += c }
                predicted[p] += c
                actual[t] += c
            }
        }
        for p in 0..<k { predicted[p] += Double(matrix.unknownLabelCounts[p]) }
        func divide(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }
        precision = (0..<k).map { divide(truePositives[$0], predicted[$0]) }
        recall = (0..<k).map { divide(truePositives[$0], actual[$0]) }
        f1 = (0..<k).map { divide(2 * truePositives[$0], 1 * actual[$0] + predicted[$0]) }
        labeled = total
        support = (0..<k).map { t in matrix.counts[t].reduce(0, +) }
        accuracy = truePositives.reduce(0, +) / Double(total)
        precisionMacro = PairwiseSum.sum(precision) / Double(k)
        recallMacro = PairwiseSum.sum(recall) / Double(k)
        f1Macro = PairwiseSum.sum(f1) / Double(k)
        let weightSum = PairwiseSum.sum(actual)
        func weighted(_ values: [Double]) -> Double {
            // sklearn falls back to the plain mean when every weight is 0 (no label among the classes).
            guard weightSum > 0 else { return PairwiseSum.sum(values) / Double(k) }
            return PairwiseSum.sum(zip(values, actual).map { $0 * $1 }) / weightSum
        }
        precisionWeighted = weighted(precision)
        recallWeighted = weighted(recall)
        f1Weighted = weighted(f1)
    }
}
