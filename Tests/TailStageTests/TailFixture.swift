import DeltaTable
import Driftline
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import Profiles
@testable import TailStage

/// A temporary log and store, removed on deinit, with helpers to write records and read merged profiles.
final class TailFixture {
    let root: String
    var logPath: String { root + "/log" }
    var storePath: String { root + "/store" }
    var store: Store { Store(root: storePath) }
    var log: LogDirectory { LogDirectory(logPath) }

    static let schema: ModelSchema = {
        do {
            return try ModelSchema(features: [.numeric("x"), .categorical("region")],
                                   task: .classification(classes: ["a", "b", "c"]))
        } catch {
            preconditionFailure("fixture schema is valid: \(error)")
        }
    }()

    /// 2026-11-23T00:00:00Z, window-aligned for every window length used here.
    static let t0: Int64 = 1_795_392_000_000_000

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/driftline-tail-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        root = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func logger(endpoint: String = "iris", writer: String = "w1", modelVersion: String = "1",
                segmentBytes: Int? = nil) throws -> InferenceLogger {
        var options = InferenceLogger.Options(writerID: writer)
        options.bufferPolicy = .block(timeout: .seconds(30))
        if let segmentBytes { options.partition.segmentBytes = segmentBytes }
        return try InferenceLogger(directory: logPath, endpoint: endpoint, modelVersion: modelVersion,
                                   schema: Self.schema, options: options)
    }

    /// Logs records `range` at one per `spacing` µs from t0: x = i % 10, region by i, request id `r<i>`.
    func logRecords(_ range: Range<Int>, to logger: InferenceLogger, spacingMicros: Int64 = 1_000_000) throws {
        for i in range {
            try logger.log(features: [.number(Double(i % 10)), i % 3 == 0 ? "eu" : "us"],
                           probabilities: i % 2 == 0 ? [0.6, 0.3, 0.1] : [0.1, 0.2, 0.7],
                           requestID: try RequestID("r\(i)"), latency: .microseconds(1000),
                           timestamp: Timestamp(microsecondsSinceEpoch: Self.t0 + Int64(i) * spacingMicros))
        }
    }

    func options(_ endpoints: [String] = [], window: Duration = .seconds(300)) -> TailOptions {
        var options = TailOptions()
        options.endpoints = endpoints
        options.window = window
        options.commitInterval = .seconds(3600)
        return options
    }

    func tail(_ options: TailOptions? = nil) throws -> LogTail {
        try LogTail(log: log, store: store, options: options ?? self.options())
    }

    /// Merged profiles by (endpoint, window start, column).
    func merged() throws -> [String: MergedProfile] {
        var result: [String: MergedProfile] = [:]
        for profile in try store.profiles().merged() {
            result["\(profile.key.endpoint)|\(profile.key.windowStartMicroseconds)|\(profile.key.columnName)"] = profile
        }
        return result
    }

    /// Sum of a column's count + missing over every window of an endpoint.
    func total(_ column: String, endpoint: String = "iris") throws -> Int64 {
        try merged().values.filter { $0.key.columnName == column && $0.key.endpoint == endpoint }
            .reduce(0) { $0 + $1.profile.count + $1.profile.missingCount }
    }

    /// The `driftline` progress of every tail commit, oldest first.
    func progress() throws -> [TailProgress] {
        let table = try store.profiles().table
        guard let latest = try table.latestVersion() else { return [] }
        return try (0...latest).compactMap { version in try table.commitInfo(version: version).flatMap(TailProgress.init(commitInfo:)) }
    }
}
