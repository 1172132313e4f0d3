import Foundation
import Yams

/// A pipeline file (`--config FILE` of `driftline tail`, `batch` and `collect`): one YAML document, read
/// once and checked whole, with the batch's analysis settings (`defaults:`, `endpoints:`), the tail's
/// section (`tail:`) and the collector's (`collect:`).
///
/// Every command refuses the same mistakes the same way: an unknown key at any level, a key given twice,
/// a value of the wrong kind or out of range, each named as `scope.key = value` with what to write
/// instead. So a typo in the collector's section is found by `driftline tail --config` too, not silently
/// ignored until the collector restarts. `pipelines/pipeline.example.yaml` shows every key.
public struct PipelineFile: Sendable, Equatable {
    /// The file as given (`<config>` for a document given as text); errors name it.
    public var path: String
    /// The batch's analysis settings, as defaults and per endpoint.
    public var analysis: AnalysisSection
    /// The tail's settings (every key at its default when the file has no `tail:`).
    public var tail: TailSection
    /// The collector's settings; nil when the file has no `collect:`.
    public var collect: CollectSection?

    /// A file with every setting at its default (no `--config`).
    public init(path: String = "<config>") {
        self.path = path
        analysis = AnalysisSection()
        tail = TailSection()
    }

    static let keys = ["defaults", "endpoints", "tail", "collect"]

    /// Reads and checks the pipeline file at `path`.
    public init(contentsOf path: String) throws(PipelineFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineFileError(path: path, "cannot read the file; check the path (an example: pipelines/pipeline.example.yaml)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineFileError(path: path, "not UTF-8 text; save it as UTF-8 YAML")
        }
        try self.init(yaml: text, path: path)
    }

    /// Parses and checks a pipeline document; `path` names it in errors.
    public init(yaml: String, path: String = "<config>") throws(PipelineFileError) {
        self.init(path: path)
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch {
            throw PipelineFileError(path: path, "not valid YAML: \(error); fix the syntax (compare pipelines/pipeline.example.yaml)")
        }
        guard let root, YAMLSection.kind(root) != .null else { return }  // an empty file: every default
        let top = try YAMLSection(root, scope: "", path: path, keys: Self.keys)
        analysis = try AnalysisSection(top)
        tail = try TailSection(try top.section("tail", keys: TailSection.keys))
        if top["collect"] != nil {
            collect = try CollectSection(try top.section("collect", keys: CollectSection.keys))
        }
    }

    /// The `collect:` section, or an error saying to add one (`driftline collect` needs it).
    public func collectSection() throws(PipelineFileError) -> CollectSection {
        guard let collect else {
            throw PipelineFileError(path: path, "no `collect:` section; add one with the endpoints to collect (see pipelines/pipeline.example.yaml)")
        }
        return collect
    }
}
