import Profiling

/// How a tail runs (the flags of `driftline tail`).
public struct TailOptions: Sendable {
    /// Tumbling window length (default 5 minutes).
    public var window: Duration = .seconds(300)
    /// How often accumulated partial rows are committed (default 60 s).
    public var commitInterval: Duration = .seconds(60)
    /// How long, in event time, a prediction waits for its label and a label for its prediction (default 24 h).
    public var joinHorizon: Duration = .seconds(86_400)
    /// The endpoints to follow; empty: every endpoint of the log, new ones included.
    public var endpoints: [String] = []
    /// How often the log folder is listed for new partitions while following.
    public var discoveryInterval: Duration = .seconds(1)
    /// How long to sleep when every partition is caught up.
    public var pollInterval: Duration = .milliseconds(50)
    /// How often the reference files are checked for new or changed references.
    public var referenceCheckInterval: Duration = .seconds(5)
    /// The consumer name of the offsets written into each partition (which retention respects).
    public var consumerName = "tail"

    public init() {}

    /// The Delta `txn` application id of a tail following `endpoints` (empty: all).
    public var applicationID: String {
        endpoints.isEmpty ? "driftline-tail" : "driftline-tail:" + endpoints.sorted().joined(separator: ",")
    }

    /// Every tail's application id starts with this.
    public static let applicationPrefix = "driftline-tail"

    /// Checks the durations.
    public func validate() throws(TailError) {
        do { _ = try TumblingWindows(length: window) } catch { throw .invalidArgument("window", "\(window) is not a positive duration; give one such as 5m or 1h") }
        guard commitInterval > .zero else { throw .invalidArgument("commit interval", "\(commitInterval) must be positive; give one such as 60s") }
        guard joinHorizon >= .zero else { throw .invalidArgument("join horizon", "\(joinHorizon) must not be negative; give one such as 24h") }
    }
}
