import Profiles

/// One row of the `performance` table before it is stored (DESIGN.md): traffic, latency, accuracy
/// (when labels arrived), confidence, regression errors and the model's drift summary.
public struct HourPerformance: Sendable, Equatable, Codable {
    public var requests: Int64 = 0
    public var errors: Int64 = 0
    public var errorRate: Double?
    public var predictionsPerSecond: Double = 0
    public var latencyP50Milliseconds: Double?
    public var latencyP95Milliseconds: Double?
    public var latencyP99Milliseconds: Double?
    public var labeled: Int64 = 0
    public var accuracy: Double?
    public var precisionMacro: Double?
    public var recallMacro: Double?
    public var f1Macro: Double?
    public var f1Weighted: Double?
    /// Accuracy estimated without labels from the hour's probability histograms and the reference's
    /// calibration maps (`PerformanceEstimate`), with its ± 3 standard error band.
    public var estimatedAccuracy: Double?
    public var estimatedAccuracyLower: Double?
    public var estimatedAccuracyUpper: Double?
    /// Binary models: the positive class's estimated precision, recall and F1.
    public var estimatedPrecision: Double?
    public var estimatedRecall: Double?
    public var estimatedF1: Double?
    /// False when input features are `drift_detected` against the reference (covariate shift); nil without an estimate.
    public var estimateReliable: Bool?
    /// Why there is no estimate, or why it is not reliable, in words for the report.
    public var estimateNote: String?
    /// Mean `:pred1` (the model's average top probability; `estimated_accuracy` before calibration maps).
    public var meanPred1: Double?
    public var meanSpread12: Double?
    public var mae: Double?
    public var rmse: Double?
    public var r2: Double?
    /// Sums and means over the features of TVD, Hellinger and KLD against the reference.
    public var tvdSum: Double?
    public var tvdMean: Double?
    public var hellingerSum: Double?
    public var hellingerMean: Double?
    public var kldSum: Double?
    public var kldMean: Double?
    /// Classification with labels: precision, recall, F1 and support of each class, and the confusion matrix.
    public var perClass: PerClassMetrics?
    /// The worst status of the features and `:prediction` (against the reference, else the previous hour).
    public var driftStatus: DriftStatus = .insufficientData

    public init() {}
}

/// A classifier's figures per class over an hour's labelled predictions, as scikit-learn's
/// `precision_recall_fscore_support(labels=classes, average=None, zero_division=0)` and
/// `confusion_matrix(labels=classes)` give them.
public struct PerClassMetrics: Sendable, Equatable, Codable {
    /// The model's classes, in model order.
    public var classes: [String]
    public var precision: [Double]
    public var recall: [Double]
    public var f1: [Double]
    /// Labelled records of each class.
    public var support: [Int64]
    /// `confusionMatrix[t][p]`: records labelled `classes[t]` and predicted `classes[p]`.
    public var confusionMatrix: [[Int64]]

    public init(classes: [String], precision: [Double], recall: [Double], f1: [Double], support: [Int64], confusionMatrix: [[Int64]]) {
        self.classes = classes
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        self.confusionMatrix = confusionMatrix
    }
}
