import Profiles

/// What a batch run analyses and where it writes besides the store.
public struct BatchOptions: Sendable {
    /// First hour to analyse; with `to`, an explicit range (every hour with profiles is (re)analysed).
    public var from: AnalysisHour?
    /// Hours starting before this instant (µs since the epoch) are analysed.
    public var toMicroseconds: Int64?
    /// Only this endpoint (all when nil).
    public var endpoint: String?
    public var config: PipelineConfig
    public var anodotPath: String?
    public var promTextfilePath: String?
    /// "Now", for the default range (the last complete hour and up to 23 earlier ones without analysis).
    public var nowMicroseconds: Int64
    /// The share of the endpoints this run analyses (`--shard I/N`; default every endpoint).
    public var shard: BatchShard = .all

    public init(from: AnalysisHour? = nil, toMicroseconds: Int64? = nil, endpoint: String? = nil,
                config: PipelineConfig = PipelineConfig(), anodotPath: String? = nil, promTextfilePath: String? = nil,
                nowMicroseconds: Int64) {
        self.from = from
        self.toMicroseconds = toMicroseconds
        self.endpoint = endpoint
        self.config = config
        self.anodotPath = anodotPath
        self.promTextfilePath = promTextfilePath
        self.nowMicroseconds = nowMicroseconds
    }

    /// First and last hour, and whether the range was given explicitly.
    func range() -> (first: AnalysisHour, last: AnalysisHour, explicit: Bool) {
        if from != nil || toMicroseconds != nil {
            let last = toMicroseconds.map { AnalysisHour(containing: $0 - 1) } ?? AnalysisHour.lastComplete(nowMicroseconds: nowMicroseconds)
            let first = from ?? last
            return (first, last, true)
        }
        let last = AnalysisHour.lastComplete(nowMicroseconds: nowMicroseconds)
        return (AnalysisHour(containing: last.startMicroseconds - 23 * AnalysisHour.lengthMicroseconds), last, false)
    }
}

/// What a batch run did.
public struct BatchOutcome: Sendable {
    public var analyses: [HourAnalysis] = []
    /// Reports and exporter files written.
    public var files: [String] = []
    /// Things the operator should know (a model without a reference, …).
    public var warnings: [String] = []
    /// Hours that could not be analysed, with why (the run goes on; the CLI exits 1).
    public var failures: [String] = []

    /// The worst model status of the run (`nil` when nothing was analysed).
    public var worstStatus: DriftStatus? {
        analyses.map(\.performance.driftStatus).max { $0.severity < $1.severity }
    }
}
