/// What can stop a batch run, with what to do about it.
public enum BatchError: Error, Sendable, CustomStringConvertible {
    /// The pipeline config file cannot be read or is invalid.
    case config(path: String, detail: String)
    /// A report or exporter file cannot be written.
    case output(path: String, detail: String)
    /// The store cannot be read or written.
    case store(detail: String)
    /// A reference file is unusable.
    case reference(path: String, detail: String)
    /// Profiles of an hour cannot be merged or analysed.
    case analysis(endpoint: String, hour: String, detail: String)
    /// Another batch holds the store's lock (cron: not an error, exit 0).
    case busy(holder: String)
    /// A bad argument (range, endpoint).
    case invalidArgument(name: String, detail: String)

    public var description: String {
        switch self {
        case let .config(path, detail): "pipeline config \(path): \(detail); fix the file (see pipelines/pipeline.example.yaml)"
        case let .output(path, detail): "\(path): \(detail)" + (detail.contains(";") ? "" : "; check that the folder is writable and the disk has space")
        case let .store(detail): "store: \(detail)"
        case let .reference(path, detail):
            // The store's own reference errors already name the file and say to re-create it.
            detail.contains("driftline profile") ? detail : "reference \(path): \(detail); re-create it with `driftline profile`"
        case let .analysis(endpoint, hour, detail): "endpoint \(endpoint), hour \(hour): \(detail); the other hours and endpoints are analysed: once fixed, re-run this one with `driftline batch --from \(hour):00:00Z --endpoint \(endpoint)`"
        case let .busy(holder): "another batch is running on this store (\(holder)); this run does nothing"
        case let .invalidArgument(name, detail): "\(name): \(detail)"
        }
    }
}
