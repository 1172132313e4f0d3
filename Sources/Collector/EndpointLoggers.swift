import Driftline
import Synchronization

/// The ``InferenceLogger``s of one endpoint: one per model version, each its own partition
/// `<log>/<endpoint>/<writer-id>-v<version>/`, opened when the version is first seen (at start for the
/// configured one). At most ``maxVersions`` versions per endpoint.
final class EndpointLoggers: Sendable {
    let mapping: EndpointMapping
    let directory: String
    let writerID: String
    let options: InferenceLogger.Options
    /// The open loggers by version, the versions in the order they were opened, and whether ``close()`` began
    /// (then no version is opened any more: a record for a new one would be accepted into a logger nobody closes).
    private let state = Mutex<(loggers: [String: InferenceLogger], opened: [String], closed: Bool)>(([:], [], false))

    static let maxVersions = 16

    init(mapping: EndpointMapping, directory: String, writerID: String, options: InferenceLogger.Options) {
        self.mapping = mapping
        self.directory = directory
        self.writerID = writerID
        self.options = options
    }

    /// The writer id of a version's partition: `<writer-id>-v<version>` when that is a safe folder name,
    /// else `<writer-id>-x<hash of the version>` (stable across restarts either way).
    func partitionWriterID(version: String) -> String {
        let readable = "\(writerID)-v\(version)"
        if (try? PathComponent(readable, field: "writerID")) != nil { return readable }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in version.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "\(writerID)-x\(String(hash, radix: 16))"
    }

    /// The logger of `version` (the endpoint's configured version when nil), opened if needed.
    func logger(version: String?) throws(RequestRejection) -> InferenceLogger {
        guard let version = version ?? mapping.config.modelVersion else {
            throw RequestRejection(
                status: 400, code: "invalid_record", field: "model_version",
                message: "endpoint \(mapping.name) has no model_version in the pipeline file and the payload names none; send model_version, or set it in the collect: section")
        }
        if let existing = state.withLock({ $0.loggers[version] }) { return existing }
        return try state.withLock { (state) throws(RequestRejection) -> InferenceLogger in
            if let existing = state.loggers[version] { return existing }
            guard !state.closed else { throw Collector.closedRejection }
            guard state.loggers.count < Self.maxVersions else {
                throw RequestRejection(
                    status: 400, code: "invalid_record", field: "model_version",
                    message: "model_version \(version.debugDescription): endpoint \(mapping.name) already has \(Self.maxVersions) model versions open in this collector; restart it to log more versions")
            }
            var options = options
            options.writerID = partitionWriterID(version: version)
            let logger: InferenceLogger
            do throws(LoggerError) {
                logger = try InferenceLogger(directory: directory, endpoint: mapping.name, modelVersion: version, schema: mapping.schema, options: options)
            } catch {
                if error.kind == .invalid {
                    throw RequestRejection(status: 400, code: "invalid_record", field: error.field ?? "model_version", message: error.description)
                }
                throw RequestRejection(status: 503, code: "log_unavailable", message: "cannot open the log partition of \(mapping.name) version \(version): \(error)")
            }
            state.loggers[version] = logger
            state.opened.append(version)
            return logger
        }
    }

    /// Every open logger with its version.
    var all: [(version: String, logger: InferenceLogger)] {
        state.withLock { state in state.opened.compactMap { version in state.loggers[version].map { (version, $0) } } }
    }

    /// Flushes every logger; the first failure is thrown after all were tried.
    func flush() async throws(LoggerError) {
        var failure: LoggerError?
        for (_, logger) in all {
            do throws(LoggerError) { try await logger.flush() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// Flushes and closes every logger; no version is opened after this began.
    func close() async {
        let loggers = state.withLock { state in
            state.closed = true
            return state.opened.compactMap { state.loggers[$0] }
        }
        for logger in loggers { await logger.close() }
    }
}
