/// The batch's part of the pipeline file: analysis settings as `defaults:` and per endpoint under
/// `endpoints:` (an endpoint's value overrides the default's, which overrides the built-in one).
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
/// Each value is checked on its own here (a p-value lies in (0, 1], a share in (0, 1], ...); the batch
/// checks what depends on several (possible_drift_psi ≤ drift_detected_psi after the overrides).
public struct AnalysisSection: Sendable, Equatable {
    /// The settings every endpoint starts from.
    public var defaults: AnalysisOverrides
    /// Per-endpoint settings over `defaults`, in the file's order.
    public var endpoints: [(name: String, settings: AnalysisOverrides)]

    /// No overrides: every endpoint analysed with the built-in settings.
    public init(defaults: AnalysisOverrides = AnalysisOverrides(), endpoints: [(name: String, settings: AnalysisOverrides)] = []) {
        self.defaults = defaults
        self.endpoints = endpoints
    }

    init(_ top: YAMLSection) throws(PipelineFileError) {
        defaults = try AnalysisOverrides(try top.section("defaults", keys: AnalysisOverrides.keys))
        endpoints = []
        for (name, node) in try top.namedEntries("endpoints", expected: "a mapping of endpoint names to their settings") ?? [] {
            let section = try YAMLSection(node, scope: "endpoints.\(name)", path: top.path, keys: AnalysisOverrides.keys)
            endpoints.append((name, try AnalysisOverrides(section)))
        }
    }

    public static func == (lhs: AnalysisSection, rhs: AnalysisSection) -> Bool {
        lhs.defaults == rhs.defaults && lhs.endpoints.elementsEqual(rhs.endpoints) { $0.name == $1.name && $0.settings == $1.settings }
    }
}

/// The analysis settings one scope of the pipeline file sets; nil leaves the value to the scope below.
public struct AnalysisOverrides: Sendable, Equatable {
    /// Numeric bins when a window is compared without a reference (2…1000).
    public var bins: Int?
    /// `hour` or `day`.
    public var granularity: String?
    /// PSI at or above which (with a small p-value) a column's drift is detected.
    public var driftDetectedPSI: Double?
    /// The χ² p-value below which (with a large PSI) a column's drift is detected.
    public var driftDetectedPValue: Double?
    /// PSI at or above which (with a small p-value) drift is possible.
    public var possibleDriftPSI: Double?
    /// The p-value below which (with a large PSI) drift is possible.
    public var possibleDriftPValue: Double?
    /// Fewer values than this on either side: insufficient data.
    public var minimumCount: Int64?
    /// The data-quality checks' settings.
    public var quality = Quality()

    /// The `quality:` settings of one scope.
    public struct Quality: Sendable, Equatable {
        public var missingShareIncrease: Double?
        public var outsideRangeShare: Double?
        public var unseenShare: Double?
        public var pValue: Double?
        public var minimumCount: Int64?
        /// `warn` or `alert`: what a quality alert makes of the model's status.
        public var modelStatus: String?

        public init() {}
    }

    /// No overrides.
    public init() {}

    static let keys = ["bins", "granularity", "thresholds", "quality"]
    static let thresholdKeys = ["drift_detected_psi", "drift_detected_pvalue", "possible_drift_psi", "possible_drift_pvalue", "minimum_count"]
    static let qualityKeys = ["missing_share_increase", "outside_range_share", "unseen_share", "pvalue", "minimum_count", "model_status"]

    init(_ section: YAMLSection) throws(PipelineFileError) {
        if let bins = try section.integer("bins") {
            guard (2...1000).contains(bins) else { throw PipelineFileError(path: section.path, "\(section.name("bins")) = \(bins): must lie in 2…1000") }
            self.bins = bins
        }
        granularity = try section.choice("granularity", of: ["hour", "day"], "the UTC hour or day each analysis covers")
        let thresholds = try section.section("thresholds", keys: Self.thresholdKeys)
        let psiRange: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude
        driftDetectedPSI = try thresholds.number("drift_detected_psi", in: psiRange, "[0, ∞) (a finite number ≥ 0)")
        driftDetectedPValue = try thresholds.number("drift_detected_pvalue", in: 0...1, excludingLower: true, "(0, 1]")
        possibleDriftPSI = try thresholds.number("possible_drift_psi", in: psiRange, "[0, ∞) (a finite number ≥ 0)")
        possibleDriftPValue = try thresholds.number("possible_drift_pvalue", in: 0...1, excludingLower: true, "(0, 1]")
        minimumCount = try Self.count(thresholds, "minimum_count")
        let quality = try section.section("quality", keys: Self.qualityKeys)
        let share = "(0, 1] (a share of the window's values)"
        self.quality.missingShareIncrease = try quality.number("missing_share_increase", in: 0...1, excludingLower: true, share)
        self.quality.outsideRangeShare = try quality.number("outside_range_share", in: 0...1, excludingLower: true, share)
        self.quality.unseenShare = try quality.number("unseen_share", in: 0...1, excludingLower: true, share)
        self.quality.pValue = try quality.number("pvalue", in: 0...1, excludingLower: true, "(0, 1]")
        self.quality.minimumCount = try Self.count(quality, "minimum_count")
        self.quality.modelStatus = try quality.choice("model_status", of: ["warn", "alert"], "what a quality alert makes of the model's status")
    }

    static func count(_ section: YAMLSection, _ key: String) throws(PipelineFileError) -> Int64? {
        guard let value = try section.integer(key) else { return nil }
        guard value >= 1 else { throw PipelineFileError(path: section.path, "\(section.name(key)) = \(value): must be ≥ 1") }
        return Int64(value)
    }
}
