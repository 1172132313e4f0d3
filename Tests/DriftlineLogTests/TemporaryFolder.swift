import DriftlineCore
import DriftlineLog
import Foundation

/// A fresh folder under the system temp folder, removed when `body` returns.
func withTemporaryFolder<R>(_ body: (String) throws -> R) throws -> R {
    var template = Array((NSTemporaryDirectory() + "/driftline-log-test-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Async variant of ``withTemporaryFolder(_:)``.
func withTemporaryFolder<R>(_ body: (String) async throws -> R) async throws -> R {
    var template = Array((NSTemporaryDirectory() + "/driftline-log-test-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

enum Sample {
    static let schema: ModelSchema = {
        do {
            return try ModelSchema(
                features: [.numeric("sepal_length"), .numeric("petal_width"), .categorical("region")],
                task: .classification(classes: ["setosa", "versicolor", "virginica"]))
        } catch {
            preconditionFailure("fixture schema is valid: \(error)")
        }
    }()

    static let regions: [FeatureValue] = ["eu", "us", .missing, "日本"]

    /// Record `i` of a deterministic stream: every few records a delayed label or an inline label.
    static func record(_ i: Int) -> LogRecord {
        let t = Timestamp(microsecondsSinceEpoch: 1_763_900_000_000_000 + Int64(i) * 1_000)
        let id = (try? RequestID("req-\(i)")) ?? .none
        if i % 7 == 6, let labelled = try? RequestID("req-\(i - 1)") {
            return .label(LabelRecord(timestamp: t, requestID: labelled, label: .className(i % 2 == 0 ? "setosa" : "virginica")))
        }
        let p0 = Double(i % 10) / 10
        return .inference(InferenceRecord(
            timestamp: t, requestID: id,
            features: [.number(Double(i) * 0.1), i % 5 == 0 ? .missing : .number(1.0 / Double(i + 1)), regions[i % regions.count]],
            outcome: i % 11 == 10 ? .error("timeout") : .probabilities([p0, (1 - p0) / 2, (1 - p0) / 2]),
            latencyMicroseconds: Int64(100 + i), label: i % 3 == 0 ? .className("versicolor") : nil))
    }

    static func records(_ range: Range<Int>) -> [LogRecord] { range.map(record) }

    static func openWriter(_ log: String, writer: String = "w1", options: PartitionWriter.Options = .init()) throws(LogError) -> PartitionWriter {
        try PartitionWriter(logDirectory: log, endpoint: "iris", writerID: writer, modelVersion: "3", schema: schema, options: options)
    }
}

func fileMode(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : -1
}

func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : -1
}
