import DriftlineCore
import DriftlineLog
import Foundation

/// `LogInterop raw DIR`: one JSON document from stdin, appended through `PartitionWriter` as given.
///
/// ```json
/// {"endpoint": "bad", "writer": "w1", "version": "1",
///  "schema": {"features": [["x", "numeric"], ["region", "categorical"]],
///             "task": {"classes": ["a", "b"], "threshold": 0.5}},          // or "regression", or {"classes": [...]} (3+)
///  "records": [
///    {"ts": 1793491200000000, "rid": "r1", "features": [{"num": 1.5}, {"cat": "eu"}], "proba": [0.3, 0.7],
///     "latency": 850, "label": "b"},
///    {"ts": 1793491200000000, "features": [{"num": "1e308"}, null], "pred": 2.5},   // numbers as JSON or text ("nan", "inf", "0x<bits>")
///    {"ts": 1793491200000000, "features": [{"num": 1}, {"cat": "us"}], "error": "timeout"},
///    {"ts": 1793491300000000, "label_for": "r1", "label": "a"}                      // a delayed label
///  ]}
/// ```
/// `batch` (optional, default all) splits the records into log batches of that many.
enum RawRecords {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func append(_ data: Data, logDirectory: String) throws {
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw Problem(description: "not a JSON object") }
        let endpoint = try string(document["endpoint"], "endpoint")
        let writerID = try string(document["writer"] ?? "raw", "writer")
        let version = try string(document["version"] ?? "1", "version")
        let schema = try Self.schema(document["schema"])
        let records = try (document["records"] as? [[String: Any]] ?? []).enumerated().map { try record($1, index: $0, schema: schema) }
        // The manifest goes through the reader's lenient decoding, not the writer's NameRules: an older or
        // foreign writer could leave a reserved feature name, a version such as `_canary`, or a second
        // schema under one version in a log, and the tail must cope.
        var manifestBytes: [UInt8] = [1]
        manifestBytes.appendString(endpoint)
        manifestBytes.appendString(version)
        manifestBytes += schema.canonicalEncoding
        let manifest = try PartitionManifest.decode(manifestBytes)
        let writer = try PartitionWriter(logDirectory: logDirectory, writerID: writerID, manifest: manifest, allowingSchemaChange: true)
        let size = max(1, document["batch"] as? Int ?? records.count)
        var start = 0
        while start < records.count {
            try writer.append(Array(records[start..<min(records.count, start + size)]))
            start += size
        }
        try writer.sync()
        try writer.close()
    }

    static func string(_ value: Any?, _ field: String) throws -> String {
        guard let text = value as? String else { throw Problem(description: "\(field) must be a string") }
        return text
    }

    static func number(_ value: Any?, _ field: String) throws -> Double {
        if let number = value as? NSNumber { return number.doubleValue }
        guard let text = value as? String else { throw Problem(description: "\(field) must be a number or number text") }
        switch text.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default:
            if text.hasPrefix("0x"), let bits = UInt64(text.dropFirst(2), radix: 16) { return Double(bitPattern: bits) }
            guard let parsed = Double(text) else { throw Problem(description: "\(field): \(text) is not a number") }
            return parsed
        }
    }

    static func schema(_ value: Any?) throws -> ModelSchema {
        guard let object = value as? [String: Any], let features = object["features"] as? [[String]] else {
            throw Problem(description: "schema needs features: [[name, numeric|categorical], ...]")
        }
        let parsed = try features.map { pair -> ModelSchema.Feature in
            guard pair.count == 2 else { throw Problem(description: "a feature is [name, kind]") }
            return ModelSchema.Feature(name: pair[0], kind: pair[1] == "categorical" ? .categorical : .numeric)
        }
        let task: ModelSchema.Task
        if let text = object["task"] as? String, text == "regression" {
            task = .regression
        } else if let classification = object["task"] as? [String: Any], let classes = classification["classes"] as? [String] {
            let threshold = try classification["threshold"].map { try number($0, "threshold") } ?? 0.5
            task = .classification(classes: classes, threshold: threshold)
        } else {
            throw Problem(description: "schema.task is \"regression\" or {\"classes\": [...], \"threshold\": t}")
        }
        return try ModelSchema(features: parsed, task: task)
    }

    static func record(_ object: [String: Any], index: Int, schema: ModelSchema) throws -> LogRecord {
        let field = "records[\(index)]"
        guard let ts = object["ts"] as? NSNumber else { throw Problem(description: "\(field).ts must be an integer (µs since the epoch)") }
        let timestamp = Timestamp(microsecondsSinceEpoch: ts.int64Value)
        let label: Label? = try (object["label"] as Any?).flatMap { value -> Label? in
            if value is NSNull { return nil }
            if let name = value as? String { return .className(name) }
            return .value(try number(value, "\(field).label"))
        }
        if let target = object["label_for"] as? String {
            guard let label else { throw Problem(description: "\(field): a delayed label needs a label") }
            return .label(LabelRecord(timestamp: timestamp, requestID: try RequestID(target), label: label))
        }
        let features = try (object["features"] as? [Any] ?? []).enumerated().map { position, value -> FeatureValue in
            if value is NSNull { return .missing }
            guard let cell = value as? [String: Any] else { throw Problem(description: "\(field).features[\(position)] is {num: x}, {cat: s} or null") }
            if let category = cell["cat"] as? String { return .string(category) }
            return .number(try number(cell["num"], "\(field).features[\(position)]"))
        }
        let outcome: InferenceRecord.Outcome
        if let probabilities = object["proba"] as? [Any] {
            outcome = .probabilities(try probabilities.map { try number($0, "\(field).proba") })
        } else if let code = object["error"] as? String {
            outcome = .error(code)
        } else {
            outcome = .prediction(try number(object["pred"], "\(field).pred"))
        }
        let requestID = try (object["rid"] as? String).map { try RequestID($0) } ?? .none
        let latency = (object["latency"] as? NSNumber)?.int64Value ?? 0
        return .inference(InferenceRecord(timestamp: timestamp, requestID: requestID, features: features, outcome: outcome,
                                          latencyMicroseconds: latency, label: label))
    }
}
