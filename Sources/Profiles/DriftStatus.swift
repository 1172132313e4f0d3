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
