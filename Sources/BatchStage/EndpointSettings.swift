import PipelineFile
import Profiles

/// Each endpoint's analysis settings: the pipeline file's `endpoints:` over its `defaults:` over the
/// built-in ones (docs/metrics.md, "The status rule").
public struct EndpointSettings: Sendable, Equatable {
    /// The settings of an endpoint the file does not name.
    public var defaults: AnalysisSettings
    /// The endpoints the file names.
    public var endpoints: [String: AnalysisSettings]

    public init(defaults: AnalysisSettings = AnalysisSettings(), endpoints: [String: AnalysisSettings] = [:]) {
        self.defaults = defaults
        self.endpoints = endpoints
    }

    /// The settings of one endpoint.
    public func settings(for endpoint: String) -> AnalysisSettings { endpoints[endpoint] ?? defaults }

    /// The settings a pipeline file gives, checked where they depend on each other.
    public init(_ file: PipelineFile) throws(BatchError) {
        let base = try Self.settings(file.analysis.defaults, over: AnalysisSettings(), path: file.path, scope: "defaults")
        var endpoints: [String: AnalysisSettings] = [:]
        for (name, overrides) in file.analysis.endpoints {
            endpoints[name] = try Self.settings(overrides, over: base, path: file.path, scope: "endpoints.\(name)")
        }
        self.init(defaults: base, endpoints: endpoints)
    }

    /// Reads and checks the pipeline file at `path` (``PipelineFile``), keeping its analysis settings.
    public init(contentsOf path: String) throws(BatchError) {
        let file: PipelineFile
        do { file = try PipelineFile(contentsOf: path) } catch { throw .config(path: error.path, detail: error.detail) }
        try self.init(file)
    }

    /// Parses a pipeline document (``PipelineFile``), keeping its analysis settings; `path` names it in errors.
    public init(yaml: String, path: String = "<config>") throws(BatchError) {
        let file: PipelineFile
        do { file = try PipelineFile(yaml: yaml, path: path) } catch { throw .config(path: error.path, detail: error.detail) }
        try self.init(file)
    }

    /// `overrides` applied over `base`; the single values were checked when the file was read.
    static func settings(_ overrides: AnalysisOverrides, over base: AnalysisSettings, path: String, scope: String) throws(BatchError) -> AnalysisSettings {
        var result = base
        if let bins = overrides.bins { result.binCount = bins }
        if let text = overrides.granularity, let granularity = Granularity(rawValue: text) { result.granularity = granularity }
        var thresholds = result.thresholds
        thresholds.detectedPSI = overrides.driftDetectedPSI ?? thresholds.detectedPSI
        thresholds.detectedPValue = overrides.driftDetectedPValue ?? thresholds.detectedPValue
        thresholds.possiblePSI = overrides.possibleDriftPSI ?? thresholds.possiblePSI
        thresholds.possiblePValue = overrides.possibleDriftPValue ?? thresholds.possiblePValue
        thresholds.minimumCount = overrides.minimumCount ?? thresholds.minimumCount
        guard thresholds.possiblePSI <= thresholds.detectedPSI else {
            throw .config(path: path, detail: "\(scope).thresholds: possible_drift_psi (\(thresholds.possiblePSI)) must not exceed drift_detected_psi (\(thresholds.detectedPSI))")
        }
        result.thresholds = thresholds
        let q = overrides.quality
        result.quality.missingShareIncrease = q.missingShareIncrease ?? result.quality.missingShareIncrease
        result.quality.outsideRangeShare = q.outsideRangeShare ?? result.quality.outsideRangeShare
        result.quality.unseenShare = q.unseenShare ?? result.quality.unseenShare
        result.quality.pValue = q.pValue ?? result.quality.pValue
        result.quality.minimumCount = q.minimumCount ?? result.quality.minimumCount
        if let text = q.modelStatus, let status = QualityThresholds.ModelStatus(rawValue: text) { result.quality.modelStatus = status }
        return result
    }
}
