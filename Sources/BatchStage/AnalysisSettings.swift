import Profiles

/// How one endpoint is analysed: drift thresholds, the bin count used without a reference, and the
/// length of the analysis windows.
public struct AnalysisSettings: Sendable, Equatable {
    public var thresholds: DriftThresholds
    /// B for comparisons without a reference (numeric bins from the baseline sketch's quantiles).
    public var binCount: Int
    /// Hour (default) or UTC day windows.
    public var granularity: Granularity
    /// The data-quality checks' thresholds and what their alerts make of the model's status.
    public var quality: QualityThresholds

    public init(thresholds: DriftThresholds = DriftThresholds(), binCount: Int = 20, granularity: Granularity = .hour,
                quality: QualityThresholds = QualityThresholds()) {
        self.thresholds = thresholds
        self.binCount = binCount
        self.granularity = granularity
        self.quality = quality
    }

    /// A stable text of every setting that changes an analysis: the batch records it per endpoint and
    /// re-analyses an endpoint's windows when it changes (`--config` edited).
    public var fingerprint: String {
        let t = thresholds
        return "bins=\(binCount);granularity=\(granularity.rawValue);detected_psi=\(t.detectedPSI);detected_p=\(t.detectedPValue);"
            + "possible_psi=\(t.possiblePSI);possible_p=\(t.possiblePValue);minimum_count=\(t.minimumCount)"
            + ";" + quality.fingerprint
    }
}
