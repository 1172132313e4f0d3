import DriftlineStore
import Profiles

/// What a batch run analyses and where it writes besides the store.
public struct BatchOptions: Sendable {
    /// First window to analyse (an instant; floored to each endpoint's window); with `to`, an explicit
    /// range (every complete window with profiles is (re)analysed).
    public var fromMicroseconds: Int64?
    /// Windows starting before this instant (µs since the epoch) are analysed.
    public var toMicroseconds: Int64?
    /// Only this endpoint (all when nil).
    public var endpoint: String?
    /// Each endpoint's analysis settings (the pipeline file's, or the built-in ones).
    public var settings: EndpointSettings
    /// Overrides every endpoint's `granularity` (`--granularity`).
    public var granularity: Granularity?
    public var anodotPath: String?
    public var promTextfilePath: String?
    /// "Now": only windows that have ended by then are analysed (`--now` for tests and backfills).
    public var nowMicroseconds: Int64
    /// How far back a default run looks for changed windows (`--lookback`, default 48 h): a window
    /// that ended before `now - lookback` is left alone (and said so) even when its inputs changed.
    public var lookbackMicroseconds: Int64

    public static let defaultLookbackMicroseconds: Int64 = 48 * 3_600_000_000
    /// The share of the endpoints this run analyses (`--shard I/N`; default every endpoint).
    public var shard: BatchShard = .all

    public init(from: AnalysisHour? = nil, toMicroseconds: Int64? = nil, endpoint: String? = nil,
                settings: EndpointSettings = EndpointSettings(), anodotPath: String? = nil, promTextfilePath: String? = nil,
                nowMicroseconds: Int64, lookbackMicroseconds: Int64 = BatchOptions.defaultLookbackMicroseconds,
                granularity: Granularity? = nil) {
        self.fromMicroseconds = from?.startMicroseconds
        self.toMicroseconds = toMicroseconds
        self.endpoint = endpoint
        self.settings = settings
        self.anodotPath = anodotPath
        self.promTextfilePath = promTextfilePath
        self.nowMicroseconds = nowMicroseconds
        self.lookbackMicroseconds = lookbackMicroseconds
        self.granularity = granularity
    }

    /// Whether `--from` or `--to` was given: the range is (re)analysed whatever changed.
    var explicit: Bool { fromMicroseconds != nil || toMicroseconds != nil }

    /// The settings of one endpoint, with `--granularity` applied.
    func settings(for endpoint: String) -> AnalysisSettings {
        var settings = self.settings.settings(for: endpoint)
        if let granularity { settings.granularity = granularity }
        return settings
    }
}

/// One model window a run analysed (or left alone), and why.
public struct PlannedWindow: Sendable, Hashable {
    public var endpoint: String
    public var modelVersion: String
    public var window: AnalysisHour
    public var reasons: [AnalysisReason]
}

/// What a batch run did.
public struct BatchOutcome: Sendable {
    public var analyses: [HourAnalysis] = []
    /// Every model window analysed, with why, in analysis order (`analyses` holds those that succeeded).
    public var plan: [PlannedWindow] = []
    /// Windows whose inputs changed but that ended before the lookback: not re-analysed.
    public var leftAlone: [PlannedWindow] = []
    /// Reports and exporter files written.
    public var files: [String] = []
    /// Things the operator should know (a model without a reference, …).
    public var warnings: [String] = []
    /// Windows that could not be analysed, with why and what to do (the run goes on and writes the
    /// others; the CLI exits 4; the next run retries them).
    public var failures: [String] = []
    /// Endpoint → model windows that failed in this run (`driftline_batch_failures`).
    public var failedWindows: [String: Int] = [:]
    /// The `profiles` version the run read.
    public var profilesVersion: Int64 = -1

    /// The worst model status of the run (`nil` when nothing was analysed).
    public var worstStatus: DriftStatus? {
        analyses.map(\.performance.status).max { $0.severity < $1.severity }
    }
}
