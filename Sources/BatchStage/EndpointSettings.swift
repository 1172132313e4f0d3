import Foundation
import Profiles
import Yams

/// The YAML pipeline file (`driftline batch --config FILE`): drift thresholds and bins, as defaults
/// and per endpoint. Every key is optional; an endpoint's value overrides the default's, which
/// overrides DESIGN.md's. See `pipelines/pipeline.example.yaml`.
///
/// ```yaml
/// defaults:
///   bins: 20
///   granularity: hour          # or day: one analysis per UTC day
///   thresholds: { drift_detected_psi: 0.25, drift_detected_pvalue: 0.01 }
///   quality: { missing_share_increase: 0.05, pvalue: 0.01, model_status: alert }
/// endpoints:
///   iris:
///     thresholds: { minimum_count: 200 }
/// ```
public struct PipelineConfig: Sendable, Equatable {
    public var defaults: AnalysisSettings
    public var endpoints: [String: AnalysisSettings]

    public init(defaults: AnalysisSettings = AnalysisSettings(), endpoints: [String: AnalysisSettings] = [:]) {
        self.defaults = defaults
        self.endpoints = endpoints
    }

    /// The settings of one endpoint.
    public func settings(for endpoint: String) -> AnalysisSettings { endpoints[endpoint] ?? defaults }

    /// Reads and validates a pipeline file.
    public init(contentsOf path: String) throws(BatchError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .config(path: path, detail: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .config(path: path, detail: "not UTF-8 text") }
        try self.init(yaml: text, path: path)
    }

    /// Parses a pipeline document; `path` names it in errors.
    public init(yaml: String, path: String = "<config>") throws(BatchError) {
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: yaml.isEmpty ? "{}" : yaml)
        } catch {
            throw .config(path: path, detail: "not a valid pipeline document: \(error)")
        }
        try Self.checkKeys(yaml, path: path)
        let base = try Self.settings(file.defaults, over: AnalysisSettings(), path: path, scope: "defaults")
        var endpoints: [String: AnalysisSettings] = [:]
        for (name, section) in file.endpoints ?? [:] {
            endpoints[name] = try Self.settings(section, over: base, path: path, scope: "endpoints.\(name)")
        }
        self.init(defaults: base, endpoints: endpoints)
    }

    struct File: Decodable {
        var defaults: Section?
        var endpoints: [String: Section]?
    }

    struct Section: Decodable {
        var bins: Int?
        var granularity: String?
        var thresholds: Thresholds?
        var quality: Quality?
    }

    struct Quality: Decodable {
        var missingShareIncrease: Double?
        var outsideRangeShare: Double?
        var unseenShare: Double?
        var pvalue: Double?
        var minimumCount: Int64?
        var modelStatus: String?

        enum CodingKeys: String, CodingKey {
            case missingShareIncrease = "missing_share_increase"
            case outsideRangeShare = "outside_range_share"
            case unseenShare = "unseen_share"
            case pvalue
            case minimumCount = "minimum_count"
            case modelStatus = "model_status"
        }
    }

    struct Thresholds: Decodable {
        var driftDetectedPsi: Double?
        var driftDetectedPvalue: Double?
        var possibleDriftPsi: Double?
        var possibleDriftPvalue: Double?
        var minimumCount: Int64?

        enum CodingKeys: String, CodingKey {
            case driftDetectedPsi = "drift_detected_psi"
            case driftDetectedPvalue = "drift_detected_pvalue"
            case possibleDriftPsi = "possible_drift_psi"
            case possibleDriftPvalue = "possible_drift_pvalue"
            case minimumCount = "minimum_count"
        }
    }

    static func settings(_ section: Section?, over base: AnalysisSettings, path: String, scope: String) throws(BatchError) -> AnalysisSettings {
        var result = base
        guard let section else { return result }
        if let bins = section.bins {
            guard (2...1000).contains(bins) else { throw .config(path: path, detail: "\(scope).bins = \(bins): must lie in 2…1000") }
            result.binCount = bins
        }
        if let text = section.granularity {
            guard let granularity = Granularity(rawValue: text) else {
                throw .config(path: path, detail: "\(scope).granularity = \(text): must be hour or day (the UTC hour or day each analysis covers)")
            }
            result.granularity = granularity
        }
        if let t = section.thresholds {
            var thresholds = result.thresholds
            thresholds.detectedPSI = t.driftDetectedPsi ?? thresholds.detectedPSI
            thresholds.detectedPValue = t.driftDetectedPvalue ?? thresholds.detectedPValue
            thresholds.possiblePSI = t.possibleDriftPsi ?? thresholds.possiblePSI
            thresholds.possiblePValue = t.possibleDriftPvalue ?? thresholds.possiblePValue
            thresholds.minimumCount = t.minimumCount ?? thresholds.minimumCount
            for (name, psi) in [("drift_detected_psi", thresholds.detectedPSI), ("possible_drift_psi", thresholds.possiblePSI)] where !(psi >= 0 && psi.isFinite) {
                throw .config(path: path, detail: "\(scope).thresholds.\(name) = \(psi): must be a finite number ≥ 0")
            }
            for (name, p) in [("drift_detected_pvalue", thresholds.detectedPValue), ("possible_drift_pvalue", thresholds.possiblePValue)] where !(p > 0 && p <= 1) {
                throw .config(path: path, detail: "\(scope).thresholds.\(name) = \(p): must lie in (0, 1]")
            }
            guard thresholds.possiblePSI <= thresholds.detectedPSI else {
                throw .config(path: path, detail: "\(scope).thresholds: possible_drift_psi (\(thresholds.possiblePSI)) must not exceed drift_detected_psi (\(thresholds.detectedPSI))")
            }
            guard thresholds.minimumCount >= 1 else {
                throw .config(path: path, detail: "\(scope).thresholds.minimum_count = \(thresholds.minimumCount): must be ≥ 1")
            }
            result.thresholds = thresholds
        }
        if let q = section.quality { result.quality = try quality(q, over: result.quality, path: path, scope: scope + ".quality") }
        return result
    }

    static func quality(_ q: Quality, over base: QualityThresholds, path: String, scope: String) throws(BatchError) -> QualityThresholds {
        var result = base
        result.missingShareIncrease = q.missingShareIncrease ?? result.missingShareIncrease
        result.outsideRangeShare = q.outsideRangeShare ?? result.outsideRangeShare
        result.unseenShare = q.unseenShare ?? result.unseenShare
        result.pValue = q.pvalue ?? result.pValue
        result.minimumCount = q.minimumCount ?? result.minimumCount
        for (name, share) in [("missing_share_increase", result.missingShareIncrease), ("outside_range_share", result.outsideRangeShare),
                              ("unseen_share", result.unseenShare)] where !(share > 0 && share <= 1) {
            throw .config(path: path, detail: "\(scope).\(name) = \(share): must lie in (0, 1] (a share of the window's values)")
        }
        guard result.pValue > 0 && result.pValue <= 1 else {
            throw .config(path: path, detail: "\(scope).pvalue = \(result.pValue): must lie in (0, 1]")
        }
        guard result.minimumCount >= 1 else {
            throw .config(path: path, detail: "\(scope).minimum_count = \(result.minimumCount): must be ≥ 1")
        }
        if let text = q.modelStatus {
            guard let status = QualityThresholds.ModelStatus(rawValue: text) else {
                throw .config(path: path, detail: "\(scope).model_status = \(text): must be warn or alert (what a quality alert makes of the model's status)")
            }
            result.modelStatus = status
        }
        return result
    }
}
