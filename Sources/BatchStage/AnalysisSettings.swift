import Profiles

/// How one endpoint is analysed: drift thresholds and the bin count used without a reference.
public struct AnalysisSettings: Sendable, Equatable {
    public var thresholds: DriftThresholds
    /// B for comparisons without a reference (numeric bins from the baseline sketch's quantiles).
    public var binCount: Int

    public init(thresholds: DriftThresholds = DriftThresholds(), binCount: Int = 20) {
        self.thresholds = thresholds
        self.binCount = binCount
    }
}
