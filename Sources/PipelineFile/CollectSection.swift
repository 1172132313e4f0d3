import Foundation
import Yams

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
/// Every key but `endpoints` is optional; `COLLECT.md` beside this file describes each one.
public struct CollectConfig: Sendable, Equatable {
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
    public var endpoints: [EndpointConfig]

    /// A section with these endpoints and every other setting at its default.
    public init(endpoints: [EndpointConfig] = []) { self.endpoints = endpoints }

    static let keys = ["listen", "token_file", "body_limit", "pair_timeout", "pair_capacity", "pair_memory", "endpoints"]

    /// Reads the `collect:` section of the pipeline file at `path`.
    public init(contentsOf path: String) throws(CollectError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CollectError.config(path: path, "cannot read the file; check the path (an example: pipelines/pipeline.example.yaml)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CollectError.config(path: path, "not UTF-8 text; save it as UTF-8 YAML")
        }
        try self.init(yaml: text, path: path)
    }

    /// Parses the `collect:` section of a pipeline document; `path` names it in errors.
    public init(yaml: String, path: String = "<config>") throws(CollectError) {
        let document: Any?
        do { document = try Yams.load(yaml: yaml) } catch {
            throw CollectError.config(path: path, "not valid YAML: \(error); fix the syntax (compare pipelines/pipeline.example.yaml)")
        }
        guard let top = document as? [String: Any], let raw = top["collect"] else {
            throw CollectError.config(path: path, "no `collect:` section; add one with the endpoints to collect (see pipelines/pipeline.example.yaml)")
        }
        let section = try ConfigSection(raw, scope: "collect", path: path, keys: Self.keys)
        self.init()
        listen = try section.string("listen").map { (text) throws(CollectError) -> ListenAddress in
            guard let address = ListenAddress(text) else {
                throw CollectError.config(path: path, "collect.listen = \(text): expected host:port, e.g. 127.0.0.1:8480")
            }
            return address
        }
        tokenFile = try section.string("token_file")
        bodyLimitBytes = try section.byteCount("body_limit")
        pairTimeout = try section.duration("pair_timeout")
        pairCapacity = try section.positiveInt("pair_capacity")
        pairMemoryBytes = try section.byteCount("pair_memory")
        guard let rawEndpoints = section.values["endpoints"] else {
            throw CollectError.config(path: path, "collect.endpoints is missing: name at least one endpoint with its features")
        }
        guard let list = rawEndpoints as? [String: Any], !list.isEmpty else {
            throw CollectError.config(path: path, "collect.endpoints must map endpoint names to their settings")
        }
        let order = Self.keyOrder(of: "endpoints", in: yaml)
        let names = list.keys.sorted { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
        for name in names {
            endpoints.append(try EndpointConfig(name: name, raw: list[name] as Any, path: path))
        }
    }

    /// The order of the keys of the mapping under `key` (Yams gives an unordered dictionary).
    static func keyOrder(of key: String, in yaml: String) -> [String: Int] {
        guard let node = try? Yams.compose(yaml: yaml), let collect = node.mapping?["collect"], let mapping = collect.mapping?[key]?.mapping else {
            return [:]
        }
        var order: [String: Int] = [:]
        for (index, pair) in mapping.enumerated() {
            if let name = pair.key.string { order[name] = index }
        }
        return order
    }
}

/// `host:port`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A host name or an IPv4/IPv6 address (without brackets).
    public var host: String
    /// 0…65535; 0 lets the system pick a free port.
    public var port: Int

    /// The address `host:port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`[::1]:8480` for IPv6); nil when it is not one.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
