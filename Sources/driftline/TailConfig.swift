import Foundation
import Yams

/// The `tail:` section of a pipeline file (`driftline tail --config FILE`): the same settings as
/// tail's flags, so that a systemd unit can point at one file that batch reads too.
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
/// Every key is optional; a flag given on the command line wins over the file. Unknown keys are
/// refused (a misspelt key would otherwise be silently ignored).
struct TailConfig: Equatable {
    var window: String?
    var commitInterval: String?
    var joinHorizon: String?
    var endpoints: [String]?
    var metricsPort: Int?
    var metricsHost: String?

    static let keys = ["window", "commit_interval", "join_horizon", "endpoints", "metrics_port", "metrics_host"]

    /// A pipeline file that cannot be used, naming the file and the key.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    init() {}

    init(contentsOf path: String) throws(Problem) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "--config \(path): cannot read the file; check the path (an example: pipelines/pipeline.example.yaml)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Problem(description: "--config \(path): not UTF-8 text; save it as UTF-8 YAML")
        }
        try self.init(yaml: text, path: path)
    }

    init(yaml: String, path: String) throws(Problem) {
        let document: Any?
        do { document = try Yams.load(yaml: yaml) } catch {
            throw Problem(description: "--config \(path): not valid YAML: \(error); fix the syntax (compare pipelines/pipeline.example.yaml)")
        }
        guard let document else { return }
        guard let top = document as? [String: Any] else {
            throw Problem(description: "--config \(path): expected a mapping at the top (with a `tail:` section)")
        }
        guard let rawSection = top["tail"] else { return }
        guard let section = rawSection as? [String: Any] else {
            throw Problem(description: "--config \(path): `tail` must be a mapping of \(Self.keys.joined(separator: ", "))")
        }
        for key in section.keys.sorted() where !Self.keys.contains(key) {
            throw Problem(description: "--config \(path): unknown key tail.\(key) (known: \(Self.keys.joined(separator: ", ")))")
        }
        func text(_ key: String) throws(Problem) -> String? {
            switch section[key] {
            case nil: return nil
            case let value as String: return value
            case let value as Int: return "\(value)s"  // a bare number of seconds
            case let value?: throw Problem(description: "--config \(path): tail.\(key) = \(value): expected a duration such as 30s, 5m or 24h")
            }
        }
        window = try text("window")
        commitInterval = try text("commit_interval")
        joinHorizon = try text("join_horizon")
        switch section["endpoints"] {
        case nil: break
        case let list as [Any]:
            var names: [String] = []
            for item in list {
                guard let name = item as? String else {
                    throw Problem(description: "--config \(path): tail.endpoints holds \(item), expected endpoint names")
                }
                names.append(name)
            }
            endpoints = names
        case let name as String: endpoints = [name]
        case let value?: throw Problem(description: "--config \(path): tail.endpoints = \(value): expected a list of endpoint names")
        }
        switch section["metrics_port"] {
        case nil: break
        case let port as Int: metricsPort = port
        case let value?: throw Problem(description: "--config \(path): tail.metrics_port = \(value): expected a port number")
        }
        switch section["metrics_host"] {
        case nil: break
        case let host as String: metricsHost = host
        case let value?: throw Problem(description: "--config \(path): tail.metrics_host = \(value): expected an address such as 127.0.0.1")
        }
    }
}
