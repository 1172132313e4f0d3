import DeltaTable
import Parquet

/// One row of the `performance` table (DESIGN.md): one model in one analysis window. Metrics that do
/// not apply (no labels, classification vs regression) are nil.
public struct PerformanceRow: Sendable, Equatable {
    public var endpoint: String
    public var modelVersion: String
    /// The analysis window (an hour), µs since the epoch, UTC.
    public var windowStartMicroseconds: Int64
    public var windowEndMicroseconds: Int64
    public var requests: Int64
    public var errors: Int64
    public var errorRate: Double?
    public var predictionsPerSecond: Double?
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
    public var latencyP99Ms: Double?
    public var labeled: Int64
    public var accuracy: Double?
    public var precisionMacro: Double?
    public var recallMacro: Double?
    public var f1Macro: Double?
    public var f1Weighted: Double?
    /// Accuracy estimated without labels (confidence-based performance estimation over the reference's
    /// calibration maps); nil without a calibrated reference or for regression.
    public var estimatedAccuracy: Double?
    public var meanPred1: Double?
    public var meanSpread12: Double?
    public var mae: Double?
    public var rmse: Double?
    public var r2: Double?
    public var tvdSum: Double?
    public var tvdMean: Double?
    public var hellingerSum: Double?
    public var hellingerMean: Double?
    public var kldSum: Double?
    public var kldMean: Double?
    /// The worst status of the model's columns.
    public var driftStatus: String
    /// The band of `estimatedAccuracy`: ± 3 standard errors, clamped to [0, 1].
    public var estimatedAccuracyLower: Double?
    public var estimatedAccuracyUpper: Double?
    /// Binary models: the positive class's estimated precision, recall and F1.
    public var estimatedPrecision: Double?
    public var estimatedRecall: Double?
    public var estimatedF1: Double?
    /// False when input features drifted against the reference (covariate shift: the estimate's assumption may
    /// not hold); nil without an estimate.
    public var estimateReliable: Bool?
    /// Classification with labels: the model's classes and, in their order, each class's precision, recall,
    /// F1 and support, and the confusion matrix row by row (true class × predicted class, `k × k` counts).
    public var classNames: [String]?
    public var classPrecision: [Double]?
    public var classRecall: [Double]?
    public var classF1: [Double]?
    public var classSupport: [Int64]?
    public var confusionMatrix: [Int64]?

    public init(endpoint: String, modelVersion: String, windowStartMicroseconds: Int64, windowEndMicroseconds: Int64,
                requests: Int64, errors: Int64, errorRate: Double? = nil, predictionsPerSecond: Double? = nil,
                latencyP50Ms: Double? = nil, latencyP95Ms: Double? = nil, latencyP99Ms: Double? = nil,
                labeled: Int64, accuracy: Double? = nil, precisionMacro: Double? = nil, recallMacro: Double? = nil,
                f1Macro: Double? = nil, f1Weighted: Double? = nil, estimatedAccuracy: Double? = nil,
                meanPred1: Double? = nil, meanSpread12: Double? = nil, mae: Double? = nil, rmse: Double? = nil, r2: Double? = nil,
                tvdSum: Double? = nil, tvdMean: Double? = nil, hellingerSum: Double? = nil, hellingerMean: Double? = nil,
                kldSum: Double? = nil, kldMean: Double? = nil, driftStatus: String,
                estimatedAccuracyLower: Double? = nil, estimatedAccuracyUpper: Double? = nil, estimatedPrecision: Double? = nil,
                estimatedRecall: Double? = nil, estimatedF1: Double? = nil, estimateReliable: Bool? = nil,
                classNames: [String]? = nil, classPrecision: [Double]? = nil, classRecall: [Double]? = nil,
                classF1: [Double]? = nil, classSupport: [Int64]? = nil, confusionMatrix: [Int64]? = nil) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStartMicroseconds = windowStartMicroseconds
        self.windowEndMicroseconds = windowEndMicroseconds
        self.requests = requests
        self.errors = errors
        self.errorRate = errorRate
        self.predictionsPerSecond = predictionsPerSecond
        self.latencyP50Ms = latencyP50Ms
        self.latencyP95Ms = latencyP95Ms
        self.latencyP99Ms = latencyP99Ms
        self.labeled = labeled
        self.accuracy = accuracy
        self.precisionMacro = precisionMacro
        self.recallMacro = recallMacro
        self.f1Macro = f1Macro
        self.f1Weighted = f1Weighted
        self.estimatedAccuracy = estimatedAccuracy
        self.meanPred1 = meanPred1
        self.meanSpread12 = meanSpread12
        self.mae = mae
        self.rmse = rmse
        self.r2 = r2
        self.tvdSum = tvdSum
        self.tvdMean = tvdMean
        self.hellingerSum = hellingerSum
        self.hellingerMean = hellingerMean
        self.kldSum = kldSum
        self.kldMean = kldMean
        self.driftStatus = driftStatus
        self.estimatedAccuracyLower = estimatedAccuracyLower
        self.estimatedAccuracyUpper = estimatedAccuracyUpper
        self.estimatedPrecision = estimatedPrecision
        self.estimatedRecall = estimatedRecall
        self.estimatedF1 = estimatedF1
        self.estimateReliable = estimateReliable
        self.classNames = classNames
        self.classPrecision = classPrecision
        self.classRecall = classRecall
        self.classF1 = classF1
        self.classSupport = classSupport
        self.confusionMatrix = confusionMatrix
    }

    static let doubleColumnsAfterErrors = ["error_rate", "predictions_per_second", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms"]
    static let doubleColumnsAfterLabeled = ["accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_weighted",
                                            "estimated_accuracy", "mean_pred1", "mean_spread12", "mae", "rmse", "r2",
                                            "tvd_sum", "tvd_mean", "hellinger_sum", "hellinger_mean", "kld_sum", "kld_mean"]
    /// Added after the first release (issue 12), at the end so that a store created before gains them by schema
    /// evolution (`TableStorage.open`) with the same column order a new store has.
    static let doubleColumnsOfTheEstimate = ["estimated_accuracy_lower", "estimated_accuracy_upper", "estimated_precision",
                                             "estimated_recall", "estimated_f1"]

    /// The `performance` table's Delta schema, in DESIGN.md's column order.
    public static let deltaSchema = DeltaSchema([
        DeltaField("endpoint", .string, nullable: false),
        DeltaField("model_version", .string, nullable: false),
        DeltaField("window_start", .timestamp, nullable: false),
        DeltaField("window_end", .timestamp, nullable: false),
        DeltaField("requests", .long, nullable: false),
        DeltaField("errors", .long, nullable: false),
    ] + doubleColumnsAfterErrors.map { DeltaField($0, .double) }
      + [DeltaField("labeled", .long, nullable: false)]
      + doubleColumnsAfterLabeled.map { DeltaField($0, .double) }
      + [DeltaField("drift_status", .string, nullable: false)]
      + doubleColumnsOfTheEstimate.map { DeltaField($0, .double) }
      + [DeltaField("estimate_reliable", .boolean)]
      + perClassColumns)

    /// Added with per-class metrics (issue 18), at the end for the same reason as the estimate's columns.
    static let perClassColumns = [
        DeltaField("class_names", .array(element: .string, containsNull: false)),
        DeltaField("class_precision", .array(element: .double, containsNull: false)),
        DeltaField("class_recall", .array(element: .double, containsNull: false)),
        DeltaField("class_f1", .array(element: .double, containsNull: false)),
        DeltaField("class_support", .array(element: .long, containsNull: false)),
        DeltaField("confusion_matrix", .array(element: .long, containsNull: false)),
    ]
}

extension PerformanceRow: AnalysisRowCodec {
    var fileValues: [ParquetValue] {
        [.string(modelVersion), .int64(windowStartMicroseconds), .int64(windowEndMicroseconds), .int64(requests), .int64(errors)]
            + [errorRate, predictionsPerSecond, latencyP50Ms, latencyP95Ms, latencyP99Ms].map { .optional($0) }
            + [.int64(labeled)]
            + [accuracy, precisionMacro, recallMacro, f1Macro, f1Weighted, estimatedAccuracy, meanPred1, meanSpread12,
               mae, rmse, r2, tvdSum, tvdMean, hellingerSum, hellingerMean, kldSum, kldMean].map { .optional($0) }
            + [.string(driftStatus)]
            + [estimatedAccuracyLower, estimatedAccuracyUpper, estimatedPrecision, estimatedRecall, estimatedF1].map { .optional($0) }
            + [estimateReliable.map { .boolean($0) } ?? .null]
            + [.optional(strings: classNames), .optional(doubles: classPrecision), .optional(doubles: classRecall),
               .optional(doubles: classF1), .optional(longs: classSupport), .optional(longs: confusionMatrix)]
    }

    init(_ r: ValueReader, endpoint: String) throws(StoreError) {
        self.init(endpoint: endpoint, modelVersion: try r.string("model_version"),
                  windowStartMicroseconds: try r.int64("window_start"), windowEndMicroseconds: try r.int64("window_end"),
                  requests: try r.int64("requests"), errors: try r.int64("errors"),
                  errorRate: try r.optionalDouble("error_rate"), predictionsPerSecond: try r.optionalDouble("predictions_per_second"),
                  latencyP50Ms: try r.optionalDouble("latency_p50_ms"), latencyP95Ms: try r.optionalDouble("latency_p95_ms"),
                  latencyP99Ms: try r.optionalDouble("latency_p99_ms"), labeled: try r.int64("labeled"),
                  accuracy: try r.optionalDouble("accuracy"), precisionMacro: try r.optionalDouble("precision_macro"),
                  recallMacro: try r.optionalDouble("recall_macro"), f1Macro: try r.optionalDouble("f1_macro"),
                  f1Weighted: try r.optionalDouble("f1_weighted"), estimatedAccuracy: try r.optionalDouble("estimated_accuracy"),
                  meanPred1: try r.optionalDouble("mean_pred1"), meanSpread12: try r.optionalDouble("mean_spread12"),
                  mae: try r.optionalDouble("mae"), rmse: try r.optionalDouble("rmse"), r2: try r.optionalDouble("r2"),
                  tvdSum: try r.optionalDouble("tvd_sum"), tvdMean: try r.optionalDouble("tvd_mean"),
                  hellingerSum: try r.optionalDouble("hellinger_sum"), hellingerMean: try r.optionalDouble("hellinger_mean"),
                  kldSum: try r.optionalDouble("kld_sum"), kldMean: try r.optionalDouble("kld_mean"),
                  driftStatus: try r.string("drift_status"),
                  estimatedAccuracyLower: try r.optionalDouble("estimated_accuracy_lower"),
                  estimatedAccuracyUpper: try r.optionalDouble("estimated_accuracy_upper"),
                  estimatedPrecision: try r.optionalDouble("estimated_precision"), estimatedRecall: try r.optionalDouble("estimated_recall"),
                  estimatedF1: try r.optionalDouble("estimated_f1"), estimateReliable: try r.optionalBool("estimate_reliable"),
                  classNames: try r.optionalStringList("class_names"), classPrecision: try r.optionalDoubleList("class_precision"),
                  classRecall: try r.optionalDoubleList("class_recall"), classF1: try r.optionalDoubleList("class_f1"),
                  classSupport: try r.optionalInt64List("class_support"), confusionMatrix: try r.optionalInt64List("confusion_matrix"))
    }
}
