import DriftlineCore
// StoreInterop: drives DriftlineStore for the pytest cross-checks in Tests/interop/test_store.py.
// Each command reads a JSON request on stdin (when it needs one) and prints a JSON answer on stdout;
// failures print the error on stderr and exit 1.
import DeltaTable
import DriftlineStore
import Foundation
import Profiles

let usage = """
    usage: StoreInterop COMMAND STORE [ARGS]
      append STORE             stdin {"commits": [{"txn": {"appId", "version"}?, "commitInfo": {..}?, "rows": [ROW]}]}
      merged STORE [FROM TO]   prints the merged profiles (µs bounds on window_start)
      compact STORE CUTOFF     compacts windows ending at or before CUTOFF (µs); prints the result
      append-loop STORE APPID N ENDPOINT   N commits of one row each (value i), txn APPID = 1…N
      replace STORE TABLE      stdin {"endpoint", "from", "to", "rows": [{column: value}]}; TABLE = drift|performance
      analysis STORE TABLE     prints every row of TABLE as {column: value}
      reference STORE          stdin {"endpoint", "model_version", "bin_count", "task"?, "columns": [{"name", "kind", "values"}]}
      lock STORE NAME SECONDS  holds the lock NAME for SECONDS (prints "locked" once it has it)
    ROW = {"endpoint", "model_version", "window_start", "window_end", "column", "kind": "numeric|categorical",
           "values": [number|null|string], "bins": {"reference_id", "edges"}?}
    """

struct Failure: Error, CustomStringConvertible {
    var description: String
}

func readRequest() throws -> JSONValue {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return try JSONValue.parse(Array(data))
}

func printJSON(_ value: JSONValue) {
    print(value.description)
}

func field(_ object: JSONObject, _ name: String) throws -> JSONValue {
    guard let value = object[name] else { throw Failure(description: "missing \(name)") }
    return value
}

func string(_ object: JSONObject, _ name: String) throws -> String {
    guard let text = try field(object, name).string else { throw Failure(description: "\(name) must be a string") }
    return text
}

func int(_ object: JSONObject, _ name: String) throws -> Int64 {
    guard let number = try field(object, name).int64 else { throw Failure(description: "\(name) must be an integer") }
    return number
}

func profileRow(_ spec: JSONObject) throws -> ProfileRow {
    let values: [JSONValue]
    if case let .array(items) = try field(spec, "values") { values = items } else { throw Failure(description: "values must be an array") }
    let name = try string(spec, "column")
    var profile: ColumnProfile
    switch try string(spec, "kind") {
    case "numeric":
        var bins: ReferenceBins?
        if let b = spec["bins"]?.object {
            guard case let .array(edges) = try field(b, "edges") else { throw Failure(description: "edges must be an array") }
            bins = try ReferenceBins(referenceID: try string(b, "reference_id"), edges: edges.compactMap(\.double))
        }
        profile = .numeric(name, bins: bins)
        for value in values { try profile.add(value.double ?? .nan) }
    case "categorical":
        profile = .categorical(name)
        for value in values { try profile.add(category: value.string) }
    case let other:
        throw Failure(description: "unknown kind \(other)")
    }
    return profile.row(endpoint: try string(spec, "endpoint"), modelVersion: try string(spec, "model_version"),
                       windowStartMicroseconds: try int(spec, "window_start"), windowEndMicroseconds: try int(spec, "window_end"))
}

func optional(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? .double($0) : .null } ?? .null }

func json(_ merged: MergedProfile) -> JSONValue {
    let row = merged.row
    var object: [String: JSONValue] = [
        "endpoint": .string(row.endpoint), "model_version": .string(row.modelVersion),
        "window_start": .int(row.windowStartMicroseconds), "window_end": .int(row.windowEndMicroseconds),
        "column_name": .string(row.columnName), "column_kind": .string(row.columnKind),
        "count": .int(row.count), "missing_count": .int(row.missingCount),
        "min": optional(row.min), "max": optional(row.max), "mean": optional(row.mean), "m2": optional(row.m2),
        "p50": optional(row.p50), "partial_rows": .int(Int64(merged.partialRows)),
        "histogram_conflict": .bool(merged.histogramConflict),
    ]
    object["histogram"] = row.histogram.map { .array($0.map { .int($0) }) } ?? .null
    object["reference_id"] = row.referenceID.map { .string($0) } ?? .null
    if let categories = row.categories, let counts = row.categoryCounts {
        object["categories"] = .object(Dictionary(uniqueKeysWithValues: zip(categories, counts.map { JSONValue.int($0) })))
    } else {
        object["categories"] = .null
    }
    return .object(object)
}

/// A drift or performance row from {column: value}, through the public initializers.
func driftRow(_ o: JSONObject) throws -> DriftRow {
    func d(_ name: String) -> Double? { o[name]?.double }
    return DriftRow(endpoint: try string(o, "endpoint"), modelVersion: try string(o, "model_version"),
                    windowStartMicroseconds: try int(o, "window_start"), windowEndMicroseconds: try int(o, "window_end"),
                    baseline: try string(o, "baseline"), columnName: try string(o, "column_name"), columnKind: try string(o, "column_kind"),
                    count: try int(o, "count"), baselineCount: try int(o, "baseline_count"),
                    mean: d("mean"), baselineMean: d("baseline_mean"), stddev: d("stddev"), baselineStddev: d("baseline_stddev"),
                    missingRatio: d("missing_ratio"), baselineMissingRatio: d("baseline_missing_ratio"), tvd: d("tvd"),
                    hellinger: d("hellinger"), kld: d("kld"), jsDistance: d("js_distance"), psi: d("psi"),
                    ksStatistic: d("ks_statistic"), ksPvalue: d("ks_pvalue"), chi2Statistic: d("chi2_statistic"),
                    chi2Pvalue: d("chi2_pvalue"), wasserstein: d("wasserstein"), driftScore: d("drift_score"),
                    status: try string(o, "status"))
}

func performanceRow(_ o: JSONObject) throws -> PerformanceRow {
    func d(_ name: String) -> Double? { o[name]?.double }
    return PerformanceRow(endpoint: try string(o, "endpoint"), modelVersion: try string(o, "model_version"),
                          windowStartMicroseconds: try int(o, "window_start"), windowEndMicroseconds: try int(o, "window_end"),
                          requests: try int(o, "requests"), errors: try int(o, "errors"), errorRate: d("error_rate"),
                          predictionsPerSecond: d("predictions_per_second"), latencyP50Ms: d("latency_p50_ms"),
                          latencyP95Ms: d("latency_p95_ms"), latencyP99Ms: d("latency_p99_ms"), labeled: try int(o, "labeled"),
                          accuracy: d("accuracy"), precisionMacro: d("precision_macro"), recallMacro: d("recall_macro"),
                          f1Macro: d("f1_macro"), f1Weighted: d("f1_weighted"), estimatedAccuracy: d("estimated_accuracy"),
                          meanPred1: d("mean_pred1"), meanSpread12: d("mean_spread12"), mae: d("mae"), rmse: d("rmse"), r2: d("r2"),
                          tvdSum: d("tvd_sum"), tvdMean: d("tvd_mean"), hellingerSum: d("hellinger_sum"),
                          hellingerMean: d("hellinger_mean"), kldSum: d("kld_sum"), kldMean: d("kld_mean"),
                          driftStatus: try string(o, "drift_status"))
}

func run(_ arguments: [String]) throws {
    guard arguments.count >= 2 else { throw Failure(description: usage) }
    let store = Store(root: arguments[1])
    switch arguments[0] {
    case "append":
        guard let commits = try readRequest().object?["commits"], case let .array(list) = commits else {
            throw Failure(description: "stdin needs {\"commits\": [...]}")
        }
        let profiles = try store.profiles()
        var versions: [JSONValue] = []
        for commit in list {
            guard let object = commit.object, case let .array(rows)? = object["rows"] else { throw Failure(description: "a commit needs rows") }
            let transaction = try object["txn"]?.object.map { AppTransaction(appId: try string($0, "appId"), version: try int($0, "version")) }
            let version = try profiles.append(try rows.map { row in
                guard let spec = row.object else { throw Failure(description: "a row must be an object") }
                return try profileRow(spec)
            }, transaction: transaction, commitInfo: object["commitInfo"]?.object?.dictionary ?? [:])
            versions.append(.int(version))
        }
        printJSON(.object(["versions": .array(versions)]))
    case "merged":
        let from = arguments.count > 3 ? Int64(arguments[2]).map { Timestamp(microsecondsSinceEpoch: $0) } : nil
        let to = arguments.count > 3 ? Int64(arguments[3]).map { Timestamp(microsecondsSinceEpoch: $0) } : nil
        printJSON(.array(try store.profiles().merged(from: from, to: to).map(json)))
    case "compact":
        guard arguments.count == 3, let cutoff = Int64(arguments[2]) else { throw Failure(description: usage) }
        let result = try store.profiles().compact(olderThan: Timestamp(microsecondsSinceEpoch: cutoff), maxAttempts: 50)
        printJSON(.object(["versions": .array(result.versions.map { .int($0) }), "rows_before": .int(Int64(result.rowsBefore)),
                           "rows_after": .int(Int64(result.rowsAfter)), "files_removed": .int(Int64(result.filesRemoved)),
                           "retries": .int(Int64(result.retries))]))
    case "append-loop":
        guard arguments.count == 5, let n = Int(arguments[3]) else { throw Failure(description: usage) }
        let profiles = try store.profiles()
        for i in 1...max(1, n) {
            var profile = ColumnProfile.numeric("x")
            try profile.add(Double(i))
            let row = profile.row(endpoint: arguments[4], modelVersion: "1", windowStartMicroseconds: 0, windowEndMicroseconds: 300_000_000)
            try profiles.append([row], transaction: AppTransaction(appId: arguments[2], version: Int64(i)),
                                commitInfo: ["writer": .string(arguments[2]), "i": .int(Int64(i))])
        }
        printJSON(.object(["commits": .int(Int64(n))]))
    case "replace":
        guard arguments.count == 3, let request = try readRequest().object, case let .array(rows)? = request["rows"] else {
            throw Failure(description: usage)
        }
        let endpoint = try string(request, "endpoint")
        let range = Timestamp(microsecondsSinceEpoch: try int(request, "from"))..<Timestamp(microsecondsSinceEpoch: try int(request, "to"))
        let objects = rows.compactMap(\.object)
        let version: Int64
        switch arguments[2] {
        case "drift": version = try store.drift().replace(endpoint: endpoint, windowStarts: range, with: try objects.map(driftRow))
        case "performance": version = try store.performance().replace(endpoint: endpoint, windowStarts: range, with: try objects.map(performanceRow))
        default: throw Failure(description: usage)
        }
        printJSON(.object(["version": .int(version)]))
    case "analysis":
        guard arguments.count == 3 else { throw Failure(description: usage) }
        switch arguments[2] {
        case "drift":
            let rows = try store.drift().rows()
            printJSON(.array(rows.map { r in .object(["endpoint": .string(r.endpoint), "window_start": .int(r.windowStartMicroseconds),
                                                       "column_name": .string(r.columnName), "baseline": .string(r.baseline),
                                                       "psi": optional(r.psi), "status": .string(r.status)]) }))
        default:
            let rows = try store.performance().rows()
            printJSON(.array(rows.map { r in .object(["endpoint": .string(r.endpoint), "window_start": .int(r.windowStartMicroseconds),
                                                       "accuracy": optional(r.accuracy), "requests": .int(r.requests)]) }))
        }
    case "reference":
        guard let request = try readRequest().object, case let .array(columns)? = request["columns"] else { throw Failure(description: usage) }
        let binCount = Int(try int(request, "bin_count"))
        var built: [ReferenceColumn] = []
        for column in columns {
            guard let spec = column.object, case let .array(values)? = spec["values"] else { throw Failure(description: "a column needs values") }
            let name = try string(spec, "name")
            if try string(spec, "kind") == "numeric" {
                built.append(try .numeric(name: name, values: values.map { $0.double ?? .nan }, binCount: binCount))
            } else {
                built.append(.categorical(name: name, values: values.map(\.string)))
            }
        }
        var task: ReferenceTask?
        if let t = request["task"]?.object, case let .array(classes)? = t["classes"] {
            task = .classification(classes: classes.compactMap(\.string), threshold: t["threshold"]?.double)
        }
        let reference = Reference(endpoint: try string(request, "endpoint"), modelVersion: try string(request, "model_version"),
                                  binCount: binCount, task: task, columns: built)
        let path = try reference.save(in: store)
        printJSON(.object(["path": .string(path), "reference_id": .string(reference.referenceID)]))
    case "lock":
        guard arguments.count == 4, let seconds = Double(arguments[3]) else { throw Failure(description: usage) }
        let lock = try store.lock(arguments[2], command: "StoreInterop lock")
        FileHandle.standardOutput.write(Data("locked\n".utf8))
        Thread.sleep(forTimeInterval: seconds)
        lock.release()
    default:
        throw Failure(description: usage)
    }
}

do {
    try run(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("StoreInterop: \(error)\n".utf8))
    exit(1)
}
