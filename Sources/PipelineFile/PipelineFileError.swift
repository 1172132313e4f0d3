/// A pipeline file that cannot be used: which file, which key and value, and what to write instead.
public struct PipelineFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, as given to `--config` (`<config>` for a document given as text).
    public let path: String
    /// What is wrong, naming the key (`collect.endpoints.iris.output = logits: expected …`).
    public let detail: String

    /// A problem of the pipeline file at `path`.
    public init(path: String, _ detail: String) {
        self.path = path
        self.detail = detail
    }

    public var description: String { "--config \(path): \(detail)" }
}
