import DriftlineCore
import Foundation
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
    /// This tail's name in the fleet (`--tail-id`; default the host name): part of its Delta `txn`
    /// application id, so that every host's tail commits to one shared store with its own exactly-once state.
    public var tailID: String = TailOptions.defaultTailID
    /// A folder of label partitions every tail of the fleet reads (`--labels-log`), for labels logged on
    /// another host than their prediction; nil: none. See ``LogTail`` ("Labels from other hosts").
    public var labelsLog: String?
    /// How many partitions are read and profiled at once, each on its own thread (default
    /// the number of cores). Each partition profiles into accumulators of its own, merged at commit in one
    /// canonical order, so the committed rows are the same for any value.
    public var workers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    public init() {}

    /// The host name (what `--tail-id` defaults to).
    public static var defaultTailID: String {
        let name = ProcessInfo.processInfo.hostName
        return name.isEmpty ? "localhost" : name
    }

    /// The Delta `txn` application id of this tail: `driftline-tail@<tail id>`, and `/<endpoints, sorted,
    /// comma-separated>` when it follows only some endpoints.
    public var applicationID: String {
        let base = Self.applicationPrefix + "@" + tailID
        return endpoints.isEmpty ? base : base + "/" + endpoints.sorted().joined(separator: ",")
    }

    /// Every tail's application id starts with this.
    public static let applicationPrefix = "driftline-tail"

    /// Checks the durations.
    public func validate() throws(TailError) {
        do { _ = try TumblingWindows(length: window) } catch { throw .invalidArgument("window", "\(window) is not a positive duration; give one such as 5m or 1h") }
        guard commitInterval > .zero else { throw .invalidArgument("commit interval", "\(commitInterval) must be positive; give one such as 60s") }
        guard joinHorizon >= .zero else { throw .invalidArgument("join horizon", "\(joinHorizon) must not be negative; give one such as 24h") }
        guard workers >= 1, workers <= 1024 else { throw .invalidArgument("workers", "\(workers) must be between 1 and 1024; give the number of cores to use") }
        guard !tailID.isEmpty, tailID.utf8.count <= 200, !tailID.contains(where: { $0.isNewline || $0 == "," || $0 == "/" }) else {
            throw .invalidArgument("tail id", "'\(tailID)' must be 1–200 bytes without '/', ',' or line breaks; give one such as the host name")
        }
    }
}
