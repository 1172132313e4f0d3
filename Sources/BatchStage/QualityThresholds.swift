/// The thresholds of the data-quality checks (docs/metrics.md, "Data quality"), configurable per endpoint
/// under `quality:` in the pipeline file. A check alerts only with an effect (the share, or its increase,
/// at least the check's threshold) AND evidence (its one-sided p-value below ``pValue``); a window with
/// fewer than ``minimumCount`` values (or records, for the missing share) is `insufficient_data`.
public struct QualityThresholds: Sendable, Equatable {
    /// What a quality alert makes of the model's status (`quality_status` in the report and textfile).
    public enum ModelStatus: String, Sendable, Equatable {
        case warn
        case alert
    }

    /// Smallest increase of the missing share over the reference's that alerts (0.05: 5 points).
    public var missingShareIncrease: Double
    /// Smallest share of values below the training minimum, or above the training maximum, that alerts.
    public var outsideRangeShare: Double
    /// Smallest increase of the share of categories the reference never saw that alerts.
    public var unseenShare: Double
    /// The evidence: a check alerts only when its p-value is below this.
    public var pValue: Double
    /// Fewer values (records, for the missing share) in the window or the reference: `insufficient_data`.
    public var minimumCount: Int64
    /// The model's status when any check alerts.
    public var modelStatus: ModelStatus

    public init(missingShareIncrease: Double = 0.05, outsideRangeShare: Double = 0.02, unseenShare: Double = 0.02,
                pValue: Double = 0.01, minimumCount: Int64 = 100, modelStatus: ModelStatus = .alert) {
        self.missingShareIncrease = missingShareIncrease
        self.outsideRangeShare = outsideRangeShare
        self.unseenShare = unseenShare
        self.pValue = pValue
        self.minimumCount = minimumCount
        self.modelStatus = modelStatus
    }

    /// Part of ``AnalysisSettings/fingerprint``: a change re-analyses the endpoint's windows.
    var fingerprint: String {
        "quality_missing=\(missingShareIncrease);quality_outside=\(outsideRangeShare);quality_unseen=\(unseenShare);"
            + "quality_p=\(pValue);quality_minimum_count=\(minimumCount);quality_model_status=\(modelStatus.rawValue)"
    }
}
