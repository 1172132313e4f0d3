import DriftlineCore

/// The partitions of a log folder `<log>/<endpoint>/<writer-id>/`, and a watch for new ones.
///
/// ```swift
/// let log = LogDirectory("/var/lib/driftline/log")
/// for try await partition in log.watch() {          // existing partitions first, then new ones as they appear
///     let reader = try PartitionReader(partition: partition.path)
/// }
/// ```
/// A folder counts as a partition once its writer has written a manifest file into it.
public struct LogDirectory: Sendable {
    /// One partition of the log.
    public struct Partition: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The endpoint (first folder level).
        public let endpoint: String
        /// The writer id (second folder level).
        public let writerID: String
        /// The partition folder.
        public let path: String

        public static func < (lhs: Partition, rhs: Partition) -> Bool {
            (lhs.endpoint, lhs.writerID) < (rhs.endpoint, rhs.writerID)
        }

        public var description: String { "\(endpoint)/\(writerID)" }
    }

    /// The log folder.
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    /// The endpoints that have at least one partition, sorted.
    public func endpoints() throws(LogError) -> [String] {
        Array(Set(try partitions().map(\.endpoint))).sorted()
    }

    /// Every partition, sorted by endpoint then writer id (optionally of one endpoint only).
    public func partitions(endpoint: String? = nil) throws(LogError) -> [Partition] {
        var found: [Partition] = []
        let endpoints: [String]
        if let endpoint { endpoints = [endpoint] } else { endpoints = try LogFolder.list(path) }
        for endpoint in endpoints where (try? PathComponent(endpoint, field: "endpoint")) != nil {
            for writer in try LogFolder.list("\(path)/\(endpoint)") where (try? PathComponent(writer, field: "writerID")) != nil {
                let folder = "\(path)/\(endpoint)/\(writer)"
                if try LogFolder.list(folder).contains(where: { $0.hasSuffix(ManifestFile.suffix) }) {
                    found.append(Partition(endpoint: endpoint, writerID: writer, path: folder))
                }
            }
        }
        return found.sorted()
    }

    /// Yields every partition once: those present now, then each new one (of any endpoint, new endpoints
    /// included) within `pollInterval` of its manifest appearing.
    public func watch(endpoint: String? = nil, pollInterval: Duration = .milliseconds(200)) -> AsyncThrowingStream<Partition, any Error> {
        let directory = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                var seen = Set<Partition>()
                do {
                    while !Task.isCancelled {
                        for partition in try directory.partitions(endpoint: endpoint) where seen.insert(partition).inserted {
                            continuation.yield(partition)
                        }
                        try await Task.sleep(for: pollInterval)
                    }
                    continuation.finish()
                } catch is CancellationError {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
