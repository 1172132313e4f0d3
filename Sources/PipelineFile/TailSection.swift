/// The `tail:` section: the same settings as `driftline tail`'s flags (a flag given on the command line
/// wins over the file), so that a systemd unit points at the one file the batch and the collector read too.
///
/// ```yaml
/// tail:
///   window: 5m
///   commit_interval: 60s
///   join_horizon: 24h
///   endpoints: [iris, fraud]
///   metrics_port: 9464
///   metrics_host: 127.0.0.1
/// ```
/// Every key is optional (nil: the tail's default).
public struct TailSection: Sendable, Equatable {
    /// The tumbling event-time window.
    public var window: Duration?
    /// How often the partial rows are committed.
    public var commitInterval: Duration?
    /// How long a prediction waits for its delayed label.
    public var joinHorizon: Duration?
    /// The endpoints to follow (nil: every endpoint of the log).
    public var endpoints: [String]?
    /// The port of Prometheus `/metrics` (nil: not served).
    public var metricsPort: Int?
    /// The address `/metrics` listens on.
    public var metricsHost: String?

    /// A section with every setting at the tail's default.
    public init() {}

    static let keys = ["window", "commit_interval", "join_horizon", "endpoints", "metrics_port", "metrics_host"]

    init(_ section: YAMLSection) throws(PipelineFileError) {
        window = try section.duration("window")
        commitInterval = try section.duration("commit_interval")
        joinHorizon = try section.duration("join_horizon")
        endpoints = try section.strings("endpoints")
        if let port = try section.integer("metrics_port") {
            guard (0...65_535).contains(port) else { throw section.problem("metrics_port", String(port), "a port number, 0…65535") }
            metricsPort = port
        }
        metricsHost = try section.string("metrics_host")
    }
}
