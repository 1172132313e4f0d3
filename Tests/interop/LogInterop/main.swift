// Writes partitions for the Python cross-checks.
//
//   LogInterop write DIR    writes DIR/<bin|multi|reg>/w1 and prints, as JSON, every record written
//                           (doubles as 16 hex digits of their bit pattern, so the check is bit-exact);
//                           for the cross-check of FORMAT.md (Tests/interop/test_log_format.py).
//   LogInterop raw DIR      appends the records of a JSON document read from stdin straight through
//                           PartitionWriter, with none of InferenceLogger's validation: what a buggy or
//                           older writer could leave in a log, for the isolation suite (RawRecords.swift).
import DriftlineCore
import DriftlineLog
import Foundation

func hex(_ value: Double) -> String {
    let digits = String(value.bitPattern, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

func json(_ label: Label?) -> Any {
    switch label {
    case nil: return NSNull()
    case .className(let name)?: return ["class": name]
    case .value(let v)?: return ["value": hex(v)]
    }
}

func json(_ record: LogRecord) -> [String: Any] {
    switch record {
    case .label(let l):
        return ["kind": "label", "ts": l.timestamp.microsecondsSinceEpoch, "rid": l.requestID.bytes.map { String(format: "%02x", $0) }.joined(),
                "label": json(l.label)]
    case .inference(let r):
        let features: [Any] = r.features.map { value -> Any in
            switch value {
            case .number(let v): return ["num": hex(v)]
            case .string(let s): return ["cat": s]
            }
        }
        let outcome: [String: Any]
        switch r.outcome {
        case .probabilities(let p): outcome = ["proba": p.map(hex)]
        case .prediction(let v): outcome = ["pred": hex(v)]
        case .error(let code): outcome = ["error": code]
        }
        return ["kind": "inference", "ts": r.timestamp.microsecondsSinceEpoch, "rid": r.requestID.bytes.map { String(format: "%02x", $0) }.joined(),
                "latency": r.latencyMicroseconds, "features": features, "outcome": outcome, "label": json(r.label)]
    }
}

func sample(endpoint: String, index i: Int) throws -> LogRecord {
    let t = Timestamp(microsecondsSinceEpoch: 1_763_900_000_000_000 + Int64(i) * 1_234 - Int64(i % 3) * 5_000)
    let id = try RequestID("req-\(i)")
    let x: Double = [0.1 + 0.2, -0.0, .nan, 1e300, -7.25, .leastNonzeroMagnitude][i % 6]
    let city: FeatureValue = i % 5 == 0 ? .missing : .string(["Oslo", "São Paulo", "東京", "x"][i % 4])
    switch endpoint {
    case "bin":
        if i % 10 == 9 { return .label(LabelRecord(timestamp: t, requestID: try RequestID("req-\(i - 1)"), label: .className("fraud"))) }
        let p = Double(i % 50) / 50
        return .inference(InferenceRecord(timestamp: t, requestID: id, features: [.number(x), city], outcome: .probabilities([1 - p, p]),
                                          latencyMicroseconds: Int64(i * 17), label: i % 4 == 0 ? .className("legit") : nil))
    case "multi":
        if i % 7 == 6 { return .label(LabelRecord(timestamp: t, requestID: try RequestID("req-\(i - 2)"), label: .className("c"))) }
        let outcome: InferenceRecord.Outcome = i % 11 == 10 ? .error("timeout") : .probabilities([0.2, 0.3, 0.5])
        return .inference(InferenceRecord(timestamp: t, requestID: id, features: [city, .number(x), .number(Double(i))], outcome: outcome,
                                          latencyMicroseconds: 1_000_000 + Int64(i)))
    default:
        if i % 6 == 5 { return .label(LabelRecord(timestamp: t, requestID: try RequestID("req-\(i - 1)"), label: .value(Double(i) / 3))) }
        return .inference(InferenceRecord(timestamp: t, requestID: i % 8 == 0 ? .none : id, features: [.number(x)],
                                          outcome: .prediction(Double(i) * 0.5), latencyMicroseconds: 3, label: i % 3 == 0 ? .value(-0.0) : nil))
    }
}

func schema(for endpoint: String) throws -> ModelSchema {
    switch endpoint {
    case "bin": return try ModelSchema(features: [.numeric("x"), .categorical("city")], task: .binaryClassification(classes: ["legit", "fraud"], threshold: 0.4))
    case "multi": return try ModelSchema(features: [.categorical("city"), .numeric("x"), .numeric("i")], task: .multiclassClassification(classes: ["a", "b", "c"]))
    default: return try ModelSchema(features: [.numeric("x")], task: .regression)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, ["write", "raw"].contains(arguments[1]) else {
    FileHandle.standardError.write("usage: LogInterop write DIR | LogInterop raw DIR < records.json\n".data(using: .utf8)!)
    exit(64)
}
if arguments[1] == "raw" {
    do {
        try RawRecords.append(FileHandle.standardInput.readDataToEndOfFile(), logDirectory: arguments[2])
        exit(0)
    } catch {
        FileHandle.standardError.write("LogInterop raw: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
}
var output: [String: Any] = [:]
for endpoint in ["bin", "multi", "reg"] {
    var options = PartitionWriter.Options()
    options.segmentBytes = 4096
    options.indexIntervalBytes = 512
    let writer = try PartitionWriter(logDirectory: arguments[2], endpoint: endpoint, writerID: "w1", modelVersion: "v\(endpoint.count)",
                                     schema: try schema(for: endpoint), options: options)
    var records: [LogRecord] = []
    var i = 0
    var size = 1
    while i < 600 {
        let batch = try (i..<min(600, i + size)).map { try sample(endpoint: endpoint, index: $0) }
        try writer.append(batch)
        records += batch
        i += batch.count
        size = size % 41 + 5
    }
    try writer.close()
    output[endpoint] = ["fingerprint": writer.fingerprint.hex, "records": records.map(json)]
}
let data = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])
FileHandle.standardOutput.write(data)
