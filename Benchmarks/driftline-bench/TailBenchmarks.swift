// Benchmarks of the tail stage (release build); entry point `runTailBenchmarks(arguments:)`, wired into main.swift
// by the lead. Records/s from a pre-written log of standard records (32 numeric features, 10 classes, unique
// 16-byte request ids, 5-minute windows) into committed profiles, with one partition and with two; the
// baseline is reading and decoding the same log with PartitionReader alone.
import Dispatch
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import TailStage

/// Runs the tail benchmarks; `arguments` may hold `--records N` (default 2,000,000) and `--dir DIR`.
/// `--write-log DIR [--records N] [--features F] [--partitions P] [--no-request-ids]` only writes such a log
/// (one partition unless P), for measuring `driftline tail --once` under `/usr/bin/time -v`;
/// `--tail-log DIR [--workers N] [--dir D]` runs `tail --once` over it and prints wall, CPU and peak RSS.
func runTailBenchmarks(arguments: [String]) throws {
    var records = 2_000_000
    var directory = NSTemporaryDirectory()
    if let i = arguments.firstIndex(of: "--records"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) { records = n }
    if let i = arguments.firstIndex(of: "--dir"), i + 1 < arguments.count { directory = arguments[i + 1] }
    if let i = arguments.firstIndex(of: "--write-log"), i + 1 < arguments.count {
        var features = 32
        if let j = arguments.firstIndex(of: "--features"), j + 1 < arguments.count, let n = Int(arguments[j + 1]) { features = n }
        var partitions = 1
        if let j = arguments.firstIndex(of: "--partitions"), j + 1 < arguments.count, let n = Int(arguments[j + 1]), n >= 1 { partitions = n }
        try writeStandardLog(at: arguments[i + 1], records: records, partitions: partitions, features: features,
                             requestIDs: !arguments.contains("--no-request-ids"))
        print("wrote \(records) records of \(features) numeric features into \(arguments[i + 1]) (\(partitions) partition\(partitions == 1 ? "" : "s"))")
        return
    }
    if let i = arguments.firstIndex(of: "--tail-log"), i + 1 < arguments.count {
        // `tail --once` over a log written by --write-log, with the CLI's default commit interval (60 s),
        // into a fresh store under --dir; prints wall, CPU and the process's peak RSS.
        var options = TailOptions()
        if let j = arguments.firstIndex(of: "--workers"), j + 1 < arguments.count, let n = Int(arguments[j + 1]) { options.workers = n }
        let store = directory + "/driftline-bench-tail-store-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let clock = ContinuousClock()
        let cpuStart = processCPUSeconds()
        let start = clock.now
        let tail = try LogTail(log: LogDirectory(arguments[i + 1]), store: Store(root: store), options: options)
        _ = try tail.runOnce()
        let summary = tail.runSummary
        tail.close()
        let d = start.duration(to: clock.now)
        let wall = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        let peak = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map(String.init) ?? "VmHWM: ?"
        print(String(format: "tail        --once over %@ (%d workers): %lld records, %.2f s wall, %.2f s CPU, peak RSS %@ (load %@)",
                     arguments[i + 1], options.workers, summary.records, wall, processCPUSeconds() - cpuStart,
                     peak.replacingOccurrences(of: "VmHWM:", with: "").trimmingCharacters(in: .whitespaces), loadAverage()))
        return
    }
    let root = directory + "/driftline-bench-tail-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    var wallRates: [Double] = []
    var oneWorkerRate = 0.0
    for partitions in [1, 2] {
        let log = root + "/log-\(partitions)"
        try writeStandardLog(at: log, records: records, partitions: partitions)
        // Warm-up: a small run over a separate store (page cache, code paths), not timed.
        _ = try tailOnce(log: log, store: root + "/warm-\(partitions)", records: min(records, 100_000), warmUp: true)
        let decode = try decodeOnly(log: log)
        if partitions == 2 {
            // One core: the same log with one worker (every task on the stage's thread).
            let loadBefore = loadAverage()
            let (seconds, cpu) = try tailOnce(log: log, store: root + "/store-2-one-worker", records: records, warmUp: false, workers: 1)
            try checkCommitted(store: root + "/store-2-one-worker", records: records)
            oneWorkerRate = Double(records) / seconds
            print(String(format: "tail        2 partitions, 1 worker (one core): %.0f records/s wall (%.2f s), %.0f records per CPU-second (%.2f s CPU)   (load %@ before, %@ after)",
                         Double(records) / seconds, seconds, Double(records) / cpu, cpu, loadBefore, loadAverage()))
            benchResult("tail.p2.one_worker.records_per_s_wall", Double(records) / seconds)
            benchResult("tail.p2.one_worker.records_per_cpu_s", Double(records) / cpu)
        }
        let loadBefore = loadAverage()
        let (seconds, cpu) = try tailOnce(log: log, store: root + "/store-\(partitions)", records: records, warmUp: false)
        let loadAfter = loadAverage()
        try checkCommitted(store: root + "/store-\(partitions)", records: records)
        let rate = Double(records) / seconds
        print(String(format: "tail        %d partition%@: %.0f records/s wall (%.2f s), %.0f records per CPU-second (%.2f s CPU)   baseline decode only: %.0f records/s wall   ratio %.2f",
                     partitions, partitions == 1 ? "" : "s", rate, seconds, Double(records) / cpu, cpu, Double(records) / decode,
                     rate / (Double(records) / decode)))
        print("tail        (1-minute load average \(loadBefore) before, \(loadAfter) after, on \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        wallRates.append(rate)
        benchResult("tail.p\(partitions).records_per_s_wall", rate)
        benchResult("tail.p\(partitions).records_per_cpu_s", Double(records) / cpu)
        try? FileManager.default.removeItem(atPath: log)
    }
    if wallRates.count == 2 {
        // The control: what two threads of pure arithmetic get over one, right now (other load on the machine
        // takes cores; the tail's ratio can only be read against what the machine gave).
        let control = spinScaling()
        let cores = oneWorkerRate > 0 ? wallRates[1] / oneWorkerRate : 0
        let share = control < 1.2 ? "the machine gave no second core: no scaling figure"
            : String(format: "the tail got %.0f %% of the second core the machine gave", 100 * (cores - 1) / (control - 1))
        print(String(format: "tail        2 partitions, all cores / one worker, wall: %.2f×   (2 partitions / 1 partition: %.2f×)   control, the same minute: 2 threads of pure arithmetic ran at %.2f× one (load %@); %@ (goal ≥ 1.8× on 2 free cores)",
                     cores, wallRates[1] / wallRates[0], control, loadAverage(), share))
        benchResult("tail.p2.all_over_one_worker_wall", cores)
        benchResult("tail.p2_over_p1_wall", wallRates[1] / wallRates[0])
        benchResult("tail.control_2_threads_over_1", control)
    }
}

/// Wall rate of two threads each doing a fixed amount of pure arithmetic over that of one thread doing it
/// alone (2.0 on two free cores).
private func spinScaling() -> Double {
    @Sendable func spin(_ seed: UInt64) -> UInt64 {
        var x = seed
        for _ in 0..<300_000_000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
        return x
    }
    let clock = ContinuousClock()
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
    var sink: UInt64 = 0
    let t0 = clock.now
    sink &+= spin(1)
    let one = seconds(t0.duration(to: clock.now))
    let t1 = clock.now
    let results = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 2)
    defer { results.deallocate() }
    nonisolated(unsafe) let out = results
    DispatchQueue.concurrentPerform(iterations: 2) { i in out[i] = spin(UInt64(i + 2)) }
    let two = seconds(t1.duration(to: clock.now))
    sink &+= results[0] &+ results[1]
    if sink == 42 { print("") }     // keeps the loops from being optimised away
    return 2 * one / two
}

/// User and system CPU seconds of every thread of this process so far.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

/// The 1-minute load average (from /proc/loadavg; "?" where there is none), printed beside wall figures.
private func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8), let first = text.split(separator: " ").first else { return "?" }
    return String(first)
}

/// The standard schema of the benchmarks: 32 numeric features (or `features`), 10 classes.
private func tailStandardSchema(features: Int = 32) throws -> ModelSchema {
    try ModelSchema(features: (0..<features).map { .numeric("f\($0)") },
                    task: .multiclassClassification(classes: (0..<10).map { "class\($0)" }))
}

/// Writes `records` standard records round-robin over `partitions` partitions of endpoint `bench`,
/// 1,000 per second of event time.
private func writeStandardLog(at log: String, records: Int, partitions: Int, features: Int = 32, requestIDs: Bool = true) throws {
    let schema = try tailStandardSchema(features: features)
    let encoder = RecordEncoder(schema: schema)
    var generator = SystemRandomNumberGenerator()
    let rows: [[FeatureValue]] = (0..<1024).map { _ in
        (0..<features).map { _ in .number((Double.random(in: 0..<100, using: &generator) * 1000).rounded() / 1000) }
    }
    // 4096 different probability vectors (softmax of random logits), so that neither LZ4 nor the sketches
    // see an unusually repetitive column; with the 1,024 feature rows and unique ids no two records are alike.
    let probabilities: [[Double]] = (0..<4096).map { _ in
        let weights = (0..<10).map { _ in exp(Double.random(in: -3...3, using: &generator)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
    let t0: Int64 = 1_795_392_000_000_000
    let perBatch = 512
    for p in 0..<partitions {
        let writer = try PartitionWriter(logDirectory: log, endpoint: "bench", writerID: "w\(p)", modelVersion: "1", schema: schema)
        var payload: [UInt8] = []
        var count = 0
        var first: Int64 = 0
        var i = p
        while i < records {
            let time = t0 + Int64(i) * 1000
            if count == 0 { first = time }
            var id = [UInt8](repeating: 0, count: 16)
            withUnsafeBytes(of: UInt64(i).littleEndian) { id.replaceSubrange(0..<8, with: $0) }
            try encoder.appendInference(timestamp: Timestamp(microsecondsSinceEpoch: time), requestID: requestIDs ? try RequestID(bytes: id) : .none,
                                        features: rows[i & 1023], outcome: .probabilities(probabilities[(i &* 7) & 4095]),
                                        latencyMicroseconds: Int64(i % 5000), to: &payload)
            count += 1
            if count == perBatch || i + partitions >= records {
                _ = try payload.withUnsafeBytes { raw in
                    try writer.append(encodedRecords: raw, count: count, firstTimestamp: Timestamp(microsecondsSinceEpoch: first),
                                      maxTimestamp: Timestamp(microsecondsSinceEpoch: time))
                }
                payload.removeAll(keepingCapacity: true)
                count = 0
            }
            i += partitions
        }
        try writer.sync()
        try writer.close()
    }
}

/// The self-check: every feature column's committed profiles count exactly the records written (a tail
/// that dropped or doubled records would otherwise just look faster or slower).
private func checkCommitted(store: String, records: Int) throws {
    var counts: [String: Int64] = [:]
    for row in try Store(root: store).profiles().rows() where row.columnName.hasPrefix("f") {
        counts[row.columnName, default: 0] += row.count
    }
    guard !counts.isEmpty, counts.values.allSatisfy({ $0 == Int64(records) }) else {
        let wrong = counts.filter { $0.value != Int64(records) }.sorted { $0.key < $1.key }.prefix(3)
        throw BenchCheckFailed("tail: committed profiles count \(wrong.isEmpty ? "no feature column" : "\(Array(wrong))") for \(records) records written")
    }
    print("tail        check: each of \(counts.count) feature columns counts \(records) committed values = records written")
}

/// Seconds to read and decode every record of the log with PartitionReader (the baseline).
private func decodeOnly(log: String) throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    var total = 0
    for partition in try LogDirectory(log).partitions() {
        let reader = try PartitionReader(partition: partition.path)
        while true {
            let events = try reader.read()
            if events.isEmpty { break }
            for case .records(let batch) in events { total += batch.records.count }
        }
    }
    let d = start.duration(to: clock.now)
    precondition(total > 0)
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Wall and process CPU seconds of one `tail --once` into a fresh store.
private func tailOnce(log: String, store: String, records: Int, warmUp: Bool, workers: Int? = nil) throws -> (Double, Double) {
    func cpu() -> Double { processCPUSeconds() }
    var options = TailOptions()
    options.commitInterval = .seconds(3600)
    if let workers { options.workers = workers }
    let clock = ContinuousClock()
    let cpuStart = cpu()
    let start = clock.now
    let tail = try LogTail(log: LogDirectory(log), store: Store(root: store), options: options)
    if warmUp {
        // Only part of the log: read batches until `records` are profiled, then commit.
        _ = try tail.runOnce(maxRecords: records)
    } else {
        _ = try tail.runOnce()
    }
    tail.close()
    let d = start.duration(to: clock.now)
    return (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18, cpu() - cpuStart)
}
