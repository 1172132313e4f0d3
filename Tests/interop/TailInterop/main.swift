// Writes a reference file for the tail cross-check: `TailInterop reference <store> <endpoint> <model_version> <bins>`
// reads {"column": [values…]} as JSON on stdin (numbers; null = NaN), saves the Reference of those numeric
// columns into the store and prints {"reference_id": …, "edges": {"column": ["edge"…]}} (edges as exact decimal text).
import DriftlineStore
import Foundation
import Profiles

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 6, arguments[1] == "reference", let binCount = Int(arguments[5]) else {
    fail("usage: TailInterop reference <store> <endpoint> <model_version> <bins>  (columns as JSON on stdin)")
}
let input = FileHandle.standardInput.readDataToEndOfFile()
guard let object = try? JSONSerialization.jsonObject(with: input) as? [String: [Any]] else { fail("stdin: expected {\"column\": [numbers]}") }
var columns: [ReferenceColumn] = []
for name in object.keys.sorted() {
    let values = (object[name] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
    do { columns.append(try .numeric(name: name, values: values, binCount: binCount)) } catch { fail("\(name): \(error)") }
}
let reference = Reference(endpoint: arguments[3], modelVersion: arguments[4], binCount: binCount, columns: columns)
do { _ = try reference.save(in: Store(root: arguments[2])) } catch { fail("save: \(error)") }
// Edges as Swift's shortest round-trip text: Python's float() reads them back bit for bit.
var edges: [String: [String]] = [:]
for name in object.keys { edges[name] = (reference.bins(column: name)?.edges ?? []).map { "\($0)" } }
let output: [String: Any] = ["reference_id": reference.referenceID, "edges": edges]
guard let data = try? JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]) else { fail("cannot encode") }
print(String(decoding: data, as: UTF8.self))
