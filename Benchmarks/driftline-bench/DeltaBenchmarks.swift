// Delta log benchmarks: snapshot replay (JSON and checkpoint), checkpoint writing, commit latency.
// Baseline in the same run: deltalake (delta-rs) loading the very same table from Python.
import DeltaTable
import DriftlineCore
import Foundation

/// `driftline-bench delta [--files N] [--python PATH]`: builds a table of N live files (default 20,000)
/// in a temporary folder and times our log operations against deltalake's `DeltaTable(path)` load.
func runDeltaBenchmarks(args: [String]) throws {
    var files = 20_000
    var python = PythonBaseline.interpreter
    var index = 0
    while index < args.count {
        switch args[index] {
        case "--files" where index + 1 < args.count: files = Int(args[index + 1]) ?? files; index += 1
        case "--python" where index + 1 < args.count: python = args[index + 1]; index += 1
        default: break
        }
        index += 1
    }
    let root = NSTemporaryDirectory() + "delta-bench-" + UUID().uuidString.lowercased()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let schema = DeltaSchema([DeltaField("endpoint", .string), DeltaField("window_start", .timestamp), DeltaField("count", .long)])
    let options = DeltaTable.Options(checkpointInterval: 0)
    let table = try DeltaTable.create(at: root, schema: schema, partitionColumns: ["endpoint"], options: options)

    // One big commit of `files` adds, then 50 small appends with a txn each.
    var adds: [AddFile] = []
    adds.reserveCapacity(files)
    for i in 0..<files {
        var stats = FileStatistics(numRecords: 100)
        stats.record("window_start", timestamps: [Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000 + Int64(i) * 60_000_000)])
        stats.record("count", longs: [Int64(i), Int64(i + 99)])
        adds.append(AddFile(relativePath: "endpoint=e\(i % 8)/part-\(i)-\(UUID().uuidString.lowercased()).parquet", size: 40_000,
                            partitionValues: ["endpoint": "e\(i % 8)"], modificationTime: .now(), statistics: stats))
    }
    try table.append(adds)
    let appendClock = ContinuousClock.now
    for i in 1...50 {
        try table.append([], transactions: [AppTransaction(appId: "bench", version: Int64(i))])
    }
    let appendSeconds = seconds(ContinuousClock.now - appendClock) / 50

    func time(_ repeats: Int = 3, _ body: () throws -> Void) rethrows -> Double {
        try body()  // warm-up
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = ContinuousClock.now
            try body()
            best = min(best, seconds(ContinuousClock.now - start))
        }
        return best
    }
    let jsonReplay = try time { _ = try DeltaTable(path: root, options: options).snapshot() }
    let theirsJSON = try deltalakeLoad(python: python, path: root)
    let checkpointWrite = try time(1) { _ = try table.checkpoint() }
    let checkpointReplay = try time { _ = try DeltaTable(path: root, options: options).snapshot() }
    let theirsCheckpoint = try deltalakeLoad(python: python, path: root)
    try table.append([], transactions: [AppTransaction(appId: "bench", version: 1_000)])
    let incremental = try time { _ = try table.snapshot() }
    // Self-check: the replayed table holds every file added.
    let live = try DeltaTable(path: root, options: options).snapshot().files.count
    guard live == files else { throw BenchCheckFailed("delta: the snapshot holds \(live) live files, expected \(files)") }

    print("delta log, \(files) live files (best of 3, after warm-up)")
    print(row("snapshot from JSON log", jsonReplay, theirsJSON))
    print(row("snapshot from checkpoint", checkpointReplay, theirsCheckpoint))
    print(row("write checkpoint", checkpointWrite, nil))
    print(row("incremental snapshot (1 new commit)", incremental, nil))
    print(row("append commit (fsync'd, txn)", appendSeconds, nil))
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

private func row(_ name: String, _ ours: Double, _ theirs: Double?) -> String {
    let padded = name.padding(toLength: 38, withPad: " ", startingAt: 0)
    guard let theirs else { return "  \(padded) ours \(String(format: "%8.1f", ours * 1000)) ms" }
    return "  \(padded) ours \(String(format: "%8.1f", ours * 1000)) ms   deltalake \(String(format: "%8.1f", theirs * 1000)) ms"
        + "   ratio ours/deltalake \(String(format: "%.2f", ours / theirs))"
}

/// Best-of-3 time (after a warm-up) of `deltalake.DeltaTable(path)` plus listing its files.
private func deltalakeLoad(python: String, path: String) throws -> Double? {
    let script = """
        import sys, time, deltalake
        p = sys.argv[1]
        deltalake.DeltaTable(p).file_uris()
        best = min(
            (lambda t: (deltalake.DeltaTable(p).file_uris(), time.perf_counter() - t)[1])(time.perf_counter())
            for _ in range(3))
        print(best)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    process.waitUntilExit()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
}
