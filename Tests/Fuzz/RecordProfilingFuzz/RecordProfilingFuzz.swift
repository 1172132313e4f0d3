// libFuzzer target for what happens to a record *after* it decoded: event-time validation, window
// assignment and profiling. Built and run by `tools/fuzz records SECONDS`.
//
// The input is read as a stream of choices: a schema (numeric and categorical features; multiclass, binary
// or regression), a window length (any positive Int64 µs), then records with any timestamp (all 64 bits),
// any double as a feature, probability, prediction or label (NaN, ±∞, DBL_MAX, subnormals), any string
// (invalid UTF-8 is repaired by String(decoding:)), any latency, any error code. Every record goes through
// EventTimeRange, TumblingWindows and RecordProfiler exactly as the tail stage does, then windows are
// merged and turned into `profiles` rows. The target traps when:
// - anything overflows or traps (the arithmetic of windows, timestamps, profiles);
// - a stored statistic is not finite or the row would not read back (NumericMoments' own check, the one
//   that makes `query`/`batch` call a store damaged);
// - a record outside EventTimeRange reached a window, or a window does not hold its record's time.
import DriftlineCore
import Foundation
import Profiles
import Profiling
import DriftlineStore

struct FuzzInput {
    var bytes: UnsafeRawBufferPointer
    var position = 0

    var isAtEnd: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u64() -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(byte()) << (8 * UInt64(i)) }
        return value
    }

    mutating func int64() -> Int64 { Int64(bitPattern: u64()) }

    /// Any double: often one of the interesting values, else all 64 bits.
    mutating func double() -> Double {
        let special: [Double] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                 1e100, -1e100, 1.0000000000000002e100, 1e155, 1e300, .leastNonzeroMagnitude, 0, -0.0, 1, 0.5]
        let tag = byte()
        if tag < 64 { return special[Int(tag) % special.count] }
        if tag < 128 { return Double(Int8(bitPattern: byte())) / 4 }
        return Double(bitPattern: u64())
    }

    mutating func string() -> String {
        let count = Int(byte() % 24)
        var raw: [UInt8] = []
        for _ in 0..<count { raw.append(byte()) }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A timestamp: near the valid range, near the ends of Int64, or any 64 bits.
    mutating func timestamp() -> Timestamp {
        switch byte() % 4 {
        case 0: return Timestamp(microsecondsSinceEpoch: 1_793_491_200_000_000 &+ Int64(Int32(truncatingIfNeeded: int64())) &* 1000)
        case 1: return Timestamp(microsecondsSinceEpoch: Int64.max &- Int64(byte()))
        case 2: return Timestamp(microsecondsSinceEpoch: Int64.min &+ Int64(byte()))
        default: return Timestamp(microsecondsSinceEpoch: int64())
        }
    }
}

enum Fixture {
    static let schemas: [ModelSchema] = {
        var result: [ModelSchema] = []
        if let s = try? ModelSchema(features: [.numeric("x"), .categorical("c"), .numeric("y")],
                                    task: .classification(classes: ["a", "b", "c"])) { result.append(s) }
        if let s = try? ModelSchema(features: [.numeric("x"), .categorical("c")],
                                    task: .binaryClassification(classes: ["no", "yes"], threshold: 0.5)) { result.append(s) }
        if let s = try? ModelSchema(features: [.categorical("c"), .numeric("x")], task: .regression) { result.append(s) }
        return result
    }()
    /// Bins over x, as a reference would give them.
    static let bins: [String: ReferenceBins] = {
        guard let bins = try? ReferenceBins(referenceID: "ref", edges: [-1, 0, 1, 2.5, 1e6]) else { return [:] }
        return ["x": bins]
    }()
    /// A fixed reading time, so a crash reproduces: 2026-12-01T00:00:00Z.
    static let now = Timestamp(microsecondsSinceEpoch: 1_796_083_200_000_000)
}

/// Traps with a message (libFuzzer records the input).
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("RecordProfilingFuzz: \(message())\n".utf8))
        abort()
    }
}

func checkRow(_ row: ProfileRow) {
    for (name, value) in [("min", row.min), ("max", row.max), ("mean", row.mean), ("m2", row.m2), ("p05", row.p05),
                          ("p25", row.p25), ("p50", row.p50), ("p75", row.p75), ("p95", row.p95)] {
        if let value { check(value.isFinite, "\(row.columnName).\(name) = \(value) is not finite") }
    }
    check(row.count >= 0 && row.missingCount >= 0, "\(row.columnName): negative counts")
    if row.columnKind == "numeric" {
        // The check a reader applies to a stored row (the store calls a row that fails it damaged).
        let readable = (try? NumericMoments(count: row.count, missingCount: row.missingCount, min: row.min, max: row.max,
                                            mean: row.mean ?? 0, m2: row.m2 ?? 0)) != nil
        check(readable, "\(row.columnName): the row's moments would not read back: \(row)")
    }
    check(row.windowStartMicroseconds <= row.windowEndMicroseconds, "window end before start")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(bytes: UnsafeRawBufferPointer(start: data, count: size))
    let schema = Fixture.schemas[Int(input.byte()) % Fixture.schemas.count]
    let profiler = RecordProfiler(schema: schema, bins: input.byte() & 1 == 0 ? Fixture.bins : [:])
    let length = input.int64()
    let windows: TumblingWindows
    do {
        windows = try TumblingWindows(length: .microseconds(length))
    } catch {
        check(length <= 0, "a positive window length \(length) was refused")
        return 0
    }
    let validTimes = EventTimeRange(now: Fixture.now)
    var byWindow: [Int64: WindowProfile] = [:]
    var records = 0
    while !input.isAtEnd && records < 256 {
        records += 1
        let time = input.timestamp()
        var features: [FeatureValue] = []
        let featureCount = schema.features.count + Int(input.byte() % 3) - 1   // sometimes one too few or too many
        for _ in 0..<max(0, featureCount) {
            features.append(input.byte() & 1 == 0 ? .number(input.double()) : .string(input.string()))
        }
        let outcome: InferenceRecord.Outcome
        switch input.byte() % 3 {
        case 0: outcome = .probabilities((0..<Int(input.byte() % 5)).map { _ in input.double() })
        case 1: outcome = .prediction(input.double())
        default: outcome = .error(input.string())
        }
        let label: Label?
        switch input.byte() % 3 {
        case 0: label = nil
        case 1: label = .className(input.byte() & 1 == 0 ? schema.task.classes.first ?? "a" : input.string())
        default: label = .value(input.double())
        }
        let record = InferenceRecord(timestamp: time, features: features, outcome: outcome,
                                     latencyMicroseconds: input.int64(), label: label)
        guard validTimes.contains(record.timestamp) else { continue }   // the tail quarantines it
        let start = windows.start(of: record.timestamp)
        let end = windows.end(ofWindowStartingAt: start)
        check(start <= record.timestamp && (record.timestamp < end || end == .distantFuture),
              "\(record.timestamp) is not in its window [\(start), \(end))")
        var window = byWindow[start.microsecondsSinceEpoch] ?? profiler.makeWindow()
        let prediction = profiler.add(record, to: &window)
        if input.byte() & 3 == 0 {   // a delayed label for it, as the join adds it
            profiler.addLabel(.value(input.double()), prediction: prediction, to: &window)
        }
        byWindow[start.microsecondsSinceEpoch] = window
    }
    var merged = profiler.makeWindow()
    for (start, window) in byWindow {
        let from = Timestamp(microsecondsSinceEpoch: start)
        for row in window.rows(endpoint: "fuzz", modelVersion: "1", windowStart: from, windowEnd: windows.end(ofWindowStartingAt: from)) {
            checkRow(row)
        }
        do { try merged.merge(window) } catch { check(false, "windows of one profiler do not merge: \(error)") }
    }
    for row in merged.rows(endpoint: "fuzz", modelVersion: "1", windowStart: validTimes.lowerBound, windowEnd: validTimes.upperBound) {
        checkRow(row)
    }
    return 0
}

// Seeds: `DRIFTLINE_FUZZ_WRITE_SEEDS=<folder> record-fuzz` writes a few inputs and exits.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>>>) -> CInt {
    guard let folder = ProcessInfo.processInfo.environment["DRIFTLINE_FUZZ_WRITE_SEEDS"] else { return 0 }
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for schema in 0..<3 {
        var bytes: [UInt8] = [UInt8(schema), 0]
        bytes += withUnsafeBytes(of: Int64(300_000_000).littleEndian, Array.init)
        for i in 0..<8 {
            bytes += [0] + withUnsafeBytes(of: Int64(i * 1000).littleEndian, Array.init)   // a valid time
            bytes += [1, 128, UInt8(i), 1, 3, 0x65, 0x75, 0x32, 0, 128, 40, 0]              // features
            bytes += [UInt8(i % 3), 3, 128, 2, 128, 1, 128, 1, 1, 0] + Array(repeating: 0, count: 8) + [1, 4]
        }
        FileManager.default.createFile(atPath: "\(folder)/seed-\(schema)", contents: Data(bytes))
    }
    exit(0)
}
