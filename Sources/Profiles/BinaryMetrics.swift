/// Binary metrics at the model's threshold, for the positive class (`classes[1]`).
public struct BinaryMetrics: Sendable, Equatable {
    public var truePositives: Int64, falsePositives: Int64, trueNegatives: Int64, falseNegatives: Int64
    public var precision: Double, recall: Double, f1: Double, accuracy: Double
    /// False positive rate FP / (FP + TN), 0 when undefined.
    public var falsePositiveRate: Double

    /// From a two-class confusion matrix (whose predictions already applied the threshold).
    public init?(_ matrix: ConfusionMatrix) {
        guard matrix.classes.count == 2, matrix.total > 0 else { return nil }
        truePositives = matrix.counts[1][1]
        falsePositives = matrix.counts[0][1] + matrix.unknownLabelCounts[1]
        trueNegatives = matrix.counts[0][0]
        falseNegatives = matrix.counts[1][0]
        func divide(_ a: Int64, _ b: Int64) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        precision = divide(truePositives, truePositives + falsePositives)
        recall = divide(truePositives, truePositives + falseNegatives)
        f1 = divide(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives)
        accuracy = divide(truePositives + trueNegatives, matrix.total)
        falsePositiveRate = divide(falsePositives, falsePositives + trueNegatives)
    }
}
