// libFuzzer target for the product's one JSON reader and writer (DriftlineCore's JSONValue), which reads the
// Delta log, the reference files and Anodot's answers. Built and run by `tools/fuzz json SECONDS`.
//
// Any bytes are parsed with a small depth limit (so deep nesting is reached cheaply). The target traps when:
// - the parser crashes, hangs or an error's offset lies outside the input;
// - a parsed value, written in any format, does not parse back to the same value (numbers compared by value
//   in the Foundation-compatible formats, which write a whole double without its `.0`).
import DriftlineCore
import Foundation

enum FuzzFixture {
    static let seeds: [String] = [
        #"{"add":{"path":"endpoint=iris/part-1.parquet","partitionValues":{"endpoint":"iris","x":null},"size":1234,"dataChange":true,"stats":"{\"numRecords\":3}","tags":{"a":"b\u00e9"}}}"#,
        #"{"format":"driftline-reference","format_version":2,"columns":[{"name":"x","min":-0.0,"edges":[0.5,1e+16,1e-07],"histogram":[1,2,3]}]}"#,
        #"[1, -2.5e3, 0, true, false, null, "\"\\\/\b\f\n\r\t\ud83d\ude00", 9223372036854775807, 92233720368547758070]"#,
        "{\n  \"a\" : [\n\n  ],\n  \"b\" : {\n\n  }\n}",
    ]

    static func writeSeeds(to folder: String) {
        for (index, seed) in seeds.enumerated() {
            FileManager.default.createFile(atPath: folder + "/seed-\(index).json", contents: Data(seed.utf8))
        }
    }
}

/// Whole doubles and integers compared by value.
func normalized(_ value: JSONValue) -> JSONValue {
    switch value {
    case let .int(number): return .double(Double(number))
    case let .array(items): return .array(items.map(normalized))
    case let .object(members): return .object(members.mapValues(normalized))
    default: return value
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    if let folder = ProcessInfo.processInfo.environment["DRIFTLINE_FUZZ_WRITE_SEEDS"] {
        FuzzFixture.writeSeeds(to: folder)
        exit(0)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = JSONLimits(maximumDepth: 32, maximumBytes: 1 << 20)
    let value: JSONValue
    do throws(JSONSyntaxError) {
        value = try JSONValue.parse(bytes, limits: limits)
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside \(size) bytes")
        _ = error.description
        return 0
    }
    for format in [JSONFormat.compact, .deltaLog, .reference, .referenceCompact] {
        let again = try? JSONValue.parse(value.bytes(format), limits: limits)
        precondition(again == value, "\(format.layout) does not round-trip")
    }
    for format in [JSONFormat.foundationPretty, .foundationCompact] {
        let again = try? JSONValue.parse(value.bytes(format), limits: limits)
        precondition(again.map(normalized) == normalized(value), "\(format.layout) does not round-trip")
    }
    return 0
}
