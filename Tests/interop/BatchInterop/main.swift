// Writes window profiles of JSON-lines inference rows into a store's `profiles` table, exactly as the
// tail stage profiles a log (RecordProfiler, 5-minute windows, histograms over the reference's bins),
// for the batch cross-checks in Tests/interop/test_batch.py. Each window is committed in two partial
// rows, so that batch has to merge partials.
//
//   BatchInterop write-profiles <store> <endpoint> <model_version> <schema.json> <rows.jsonl>
//   schema.json: {"features": [{"name": "x", "kind": "numeric"|"categorical"}], "classes": ["a", "b"]}
//   a row:       {"ts": 1795132800.5, "features": [1.5, "eu", null], "proba": [0.9, 0.1], "label": "a" | null, "latency_ms": 4.2}
import DriftlineCore
import DriftlineStore
import Foundation
import Profiles
import Profiling

struct Failure: Error, CustomStringConvertible { var description: String }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("BatchInterop: \(message)\n".utf8))
    exit(1)
}

func object(_ data: Data) throws -> [String: Any] {
    guard let value = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw Failure(description: "not a JSON object") }
    return value
}

func writeProfiles(_ args: [String]) throws {
    guard args.count == 5 else { fail("usage: write-profiles <store> <endpoint> <model_version> <schema.json> <rows.jsonl>") }
    let (root, endpoint, version) = (args[0], args[1], args[2])
    let schemaJSON = try object(try Data(contentsOf: URL(fileURLWithPath: args[3])))
    let features = (schemaJSON["features"] as? [[String: String]] ?? []).map {
        $0["kind"] == "categorical" ? ModelSchema.Feature.categorical($0["name"] ?? "") : .numeric($0["name"] ?? "")
    }
    let classes = schemaJSON["classes"] as? [String] ?? []
    let schema = try ModelSchema(features: features, task: .classification(classes: classes))
    let store = Store(root: root)
    let reference = try Reference.load(store: store, endpoint: endpoint, modelVersion: version)
    let profiler = RecordProfiler(schema: schema, bins: reference?.allBins ?? [:])
    let windowMicros: Int64 = 300_000_000
    var windows: [Int64: [InferenceRecord]] = [:]
    let text = try String(contentsOfFile: args[4], encoding: .utf8)
    for line in text.split(separator: "\n") where !line.isEmpty {
        let row = try object(Data(line.utf8))
        let ts = Timestamp(secondsSinceEpoch: row["ts"] as? Double ?? 0)
        let values: [FeatureValue] = (row["features"] as? [Any] ?? []).map {
            if let s = $0 as? String { return .string(s) }
            if let d = $0 as? Double { return .number(d) }
            return .missing
        }
        let label = (row["label"] as? String).map { Label.className($0) }
        let record = InferenceRecord(timestamp: ts, features: values, outcome: .probabilities(row["proba"] as? [Double] ?? []),
                                     latencyMicroseconds: Int64(((row["latency_ms"] as? Double ?? 0) * 1000).rounded()), label: label)
        let start = ts.microsecondsSinceEpoch - ts.microsecondsSinceEpoch % windowMicros
        windows[start, default: []].append(record)
    }
    let table = try store.profiles()
    for start in windows.keys.sorted() {
        let records = windows[start] ?? []
        let half = records.count / 2
        for part in [records[..<half], records[half...]] where !part.isEmpty {
            var window = profiler.makeWindow()
            for record in part { profiler.add(record, to: &window) }
            _ = try table.append(window.rows(endpoint: endpoint, modelVersion: version,
                                             windowStart: Timestamp(microsecondsSinceEpoch: start),
                                             windowEnd: Timestamp(microsecondsSinceEpoch: start + windowMicros)))
        }
    }
    print("{\"windows\": \(windows.count), \"records\": \(windows.values.map(\.count).reduce(0, +))}")
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "write-profiles": try writeProfiles(Array(arguments.dropFirst()))
    default: fail("commands: write-profiles")
    }
} catch {
    fail("\(error)")
}
