/// The `collect:` section of a pipeline file: where the collector listens, its limits, and how each
/// endpoint's payloads map onto a Driftline schema. Parsed strictly: an unknown key is refused by name.
///
/// ```yaml
/// collect:
///   listen: 127.0.0.1:8480
///   token_file: /etc/driftline/collect.token
///   body_limit: 8MiB
///   pair_timeout: 60s
///   endpoints:
///     iris:
///       inference_service: sklearn-iris
///       model_version: "1"
///       features: [sepal_length, sepal_width, petal_length, petal_width]
///       classes: [setosa, versicolor, virginica]
///       output: class_index
/// ```
/// Every key but `endpoints` is optional; `Sources/Collector/COLLECT.md` describes each one.
public struct CollectSection: Sendable, Equatable {
    /// `host:port` to listen on (default 127.0.0.1:8480).
    public var listen: ListenAddress?
    /// A file holding the bearer token every write must carry.
    public var tokenFile: String?
    /// The largest request body accepted (default 8 MiB).
    public var bodyLimitBytes: Int?
    /// How long a CloudEvent waits for its other half (default 60 s).
    public var pairTimeout: Duration?
    /// How many unpaired CloudEvents are held at most (default 10,000).
    public var pairCapacity: Int?
    /// How many bytes of unpaired CloudEvent bodies are held at most (default 64 MiB).
    public var pairMemoryBytes: Int?
    /// The endpoints, by name, in the file's order.
    public var endpoints: [CollectEndpoint]

    /// A section with these endpoints and every other setting at its default.
    public init(endpoints: [CollectEndpoint] = []) { self.endpoints = endpoints }

    static let keys = ["listen", "token_file", "body_limit", "pair_timeout", "pair_capacity", "pair_memory", "endpoints"]

    init(_ section: YAMLSection) throws(PipelineFileError) {
        self.init()
        if let text = try section.string("listen") {
            guard let address = ListenAddress(text) else { throw section.problem("listen", text, "host:port, e.g. 127.0.0.1:8480") }
            listen = address
        }
        tokenFile = try section.string("token_file")
        bodyLimitBytes = try section.byteCount("body_limit")
        pairTimeout = try section.duration("pair_timeout", longest: .seconds(30 * 86_400))
        pairCapacity = try section.positiveInt("pair_capacity")
        pairMemoryBytes = try section.byteCount("pair_memory")
        guard let list = try section.namedEntries("endpoints", expected: "a mapping of endpoint names to their settings") else {
            throw PipelineFileError(path: section.path, "collect.endpoints is missing: name at least one endpoint with its features")
        }
        guard !list.isEmpty else {
            throw PipelineFileError(path: section.path, "collect.endpoints must map endpoint names to their settings")
        }
        for (name, node) in list {
            let scope = "collect.endpoints.\(name)"
            endpoints.append(try CollectEndpoint(name: name, section: try YAMLSection(node, scope: scope, path: section.path, keys: CollectEndpoint.keys)))
        }
    }
}
