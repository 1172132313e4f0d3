/// A column's drift verdict (the `status` column of the `drift` table).
public enum DriftStatus: String, Sendable, Codable, CaseIterable {
    case insufficientData = "insufficient_data"
    case noDrift = "no_drift"
    case possibleDrift = "possible_drift"
    case driftDetected = "drift_detected"

    /// Order for "the worst of its features": insufficient data < no drift < possible < detected.
    public var severity: Int {
        switch self {
        case .insufficientData: 0
        case .noDrift: 1
        case .possibleDrift: 2
        case .driftDetected: 3
        }
    }

    /// DESIGN.md's rule: both an effect (PSI) and evidence (the χ² p-value of the bin counts);
    /// fewer than `minimumCount` values on either side is `insufficientData`, never an alert.
    public static func classify(psi: Double, chiSquarePValue: Double, count: Int64, baselineCount: Int64,
                                thresholds: DriftThresholds = DriftThresholds()) -> DriftStatus {
        if count == 0 || baselineCount == 0 || count < thresholds.minimumCount || baselineCount < thresholds.minimumCount {
            return .insufficientData
        }
        if psi >= thresholds.detectedPSI && chiSquarePValue < thresholds.detectedPValue { return .driftDetected }
        if psi >= thresholds.possiblePSI && chiSquarePValue < thresholds.possiblePValue { return .possibleDrift }
        return .noDrift
    }
}

/// The thresholds of the drift rule; configurable per pipeline.
public struct DriftThresholds: Sendable, Equatable, Codable {
    public var detectedPSI: Double
    public var detectedPValue: Double
    public var possiblePSI: Double
    public var possiblePValue: Double
    /// Fewer values than this on either side gives `insufficient_data`.
    public var minimumCount: Int64

    public init(detectedPSI: Double = 0.25, detectedPValue: Double = 0.01, possiblePSI: Double = 0.1,
                possiblePValue: Double = 0.05, minimumCount: Int64 = 100) {
        self.detectedPSI = detectedPSI
        self.detectedPValue = detectedPValue
        self.possiblePSI = possiblePSI
        self.possiblePValue = possiblePValue
        self.minimumCount = minimumCount
    }
}
