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
    /// Mean `:pred1`: the accuracy a calibrated model expects without labels.
    public var estimatedAccuracy: Double?
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
    /// The worst status of the features and `:prediction` (against the reference, else the previous hour).
    public var driftStatus: DriftStatus = .insufficientData

    public init() {}
}
