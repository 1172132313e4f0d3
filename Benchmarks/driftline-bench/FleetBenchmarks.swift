// Benchmarks of a fleet of tails sharing one store (issue 14); entry point `runFleetBenchmarks(arguments:)`.
// N tails (default 8), each on its own log folder (one host's partition, fed by its own writer) and with its own
// tail id, commit to ONE profiles table concurrently, as the tails of N serving hosts do. Two runs:
// - every second: each tail commits once a second (the production shape, at a random phase); reports the
//   commits/s the store sustained, the retry rate (versions a commit found taken by another tail and tried
//   again at the next) and the commit latency;
// - flat out: each tail commits as fast as it can; reports the store's ceiling in commits/s and its retry rate.
// The baseline is one tail alone, flat out, on the same store layout.
import DeltaTable
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import TailStage

/// `--tails N` (default 8), `--seconds S` per run (default 20), `--dir DIR`.
func runFleetBenchmarks(arguments: [String]) throws {
    var tails = 8
    var seconds = 20.0
    var directory = NSTemporaryDirectory()
    if let i = arguments.firstIndex(of: "--tails"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) { tails = n }
    if let i = arguments.firstIndex(of: "--seconds"), i + 1 < arguments.count, let s = Double(arguments[i + 1]) { seconds = s }
    if let i = arguments.firstIndex(of: "--dir"), i + 1 < arguments.count { directory = arguments[i + 1] }
    let root = directory + "/driftline-bench-fleet-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let alone = try fleetRun(root: root + "/alone", tails: 1, seconds: seconds / 2, interval: nil)
    let paced = try fleetRun(root: root + "/paced", tails: tails, seconds: seconds, interval: .seconds(1))
    let flat = try fleetRun(root: root + "/flat", tails: tails, seconds: seconds, interval: nil)
    print(String(format: "fleet       %d tails committing every second: %.2f commits/s sustained (%d commits in %.1f s), retry rate %.3f (retries per commit), commit latency p50 %.1f ms p99 %.1f ms",
                 tails, paced.rate, paced.commits, paced.seconds, paced.retryRate, paced.p50, paced.p99))
    print(String(format: "fleet       %d tails flat out: %.1f commits/s, retry rate %.3f, commit latency p50 %.1f ms p99 %.1f ms   baseline 1 tail flat out: %.1f commits/s   ratio %.2f",
                 tails, flat.rate, flat.retryRate, flat.p50, flat.p99, alone.rate, flat.rate / alone.rate))
    precondition(paced.commits > 0 && flat.commits > 0 && alone.commits > 0, "a run committed nothing")
}

private struct FleetResult {
    var commits: Int
    var seconds: Double
    var rate: Double
    var retryRate: Double
    var p50: Double
    var p99: Double
}

/// Runs `tails` tails on threads for `seconds`, each writing 50 records to its partition and committing, every
/// `interval` (nil: back to back). Counts the commits and their retries from the table's log.
private func fleetRun(root: String, tails: Int, seconds: Double, interval: Duration?) throws -> FleetResult {
    let schema = try ModelSchema(features: (0..<8).map { .numeric("f\($0)") }, task: .multiclassClassification(classes: ["a", "b", "c"]))
    let store = root + "/store"
    // The table exists before the tails start (as in a deployment), so no run measures its creation.
    _ = try Store(root: store).profiles()
    let startVersion = try Store(root: store).profiles().table.latestVersion() ?? -1
    let latencies = LatencyLog()
    let failures = LatencyLog()
    let clock = ContinuousClock()
    let start = clock.now
    let end = start.advanced(by: .milliseconds(Int64(seconds * 1000)))
    var threads: [Thread] = []
    let done = DispatchGroup()
    for host in 0..<tails {
        done.enter()
        let thread = Thread {
            defer { done.leave() }
            do {
                let log = root + "/host\(host)"
                let writer = try PartitionWriter(logDirectory: log, endpoint: "bench", writerID: "h\(host)", modelVersion: "1", schema: schema)
                defer { try? writer.close() }
                var options = TailOptions()
                options.tailID = "bench-h\(host)"
                options.commitInterval = .seconds(3600)
                let tail = try LogTail(log: LogDirectory(log), store: Store(root: store), options: options)
                defer { tail.close() }
                let encoder = RecordEncoder(schema: schema)
                var payload: [UInt8] = []
                var i: Int64 = 0
                // Paced tails start at random phases within the first interval, as independent hosts do.
                var next = start.advanced(by: interval.map { $0 * Double.random(in: 0..<1) } ?? .zero)
                while clock.now < end {
                    if let interval {
                        let wait = next - clock.now
                        if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18) }
                        next = next.advanced(by: interval)
                        if clock.now >= end { break }
                    }
                    payload.removeAll(keepingCapacity: true)
                    let t0: Int64 = 1_795_392_000_000_000 + i * 20_000
                    for k in 0..<50 {
                        try encoder.appendInference(timestamp: Timestamp(microsecondsSinceEpoch: t0 + Int64(k) * 20_000), requestID: .none,
                                                    features: (0..<8).map { .number(Double((Int(i) + k + $0) % 97)) },
                                                    outcome: .probabilities([0.5, 0.3, 0.2]), latencyMicroseconds: 900, to: &payload)
                    }
                    _ = try writer.append(encodedRecords: payload, count: 50, firstTimestamp: Timestamp(microsecondsSinceEpoch: t0),
                                          maxTimestamp: Timestamp(microsecondsSinceEpoch: t0 + 49 * 20_000))
                    try writer.flushToOS()
                    i += 50
                    let before = clock.now
                    if try tail.runOnce() != nil { latencies.add(before.duration(to: clock.now)) }
                }
            } catch {
                failures.add(.zero)
                print("fleet: tail \(host) failed: \(error)")
            }
        }
        threads.append(thread)
        thread.start()
    }
    done.wait()
    let elapsed = start.duration(to: clock.now)
    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    precondition(failures.count == 0, "a tail failed")
    // Retries, from the log: a commit written at version v after reading version r tried v − r versions.
    let table = try Store(root: store).profiles().table
    let last = try table.latestVersion() ?? -1
    var commits = 0, retries = 0
    if last > startVersion {
        for version in (startVersion + 1)...last {
            guard let info = try table.commitInfo(version: version), case .int(let read)? = info["readVersion"] else { continue }
            commits += 1
            retries += Int(version - read - 1)
        }
    }
    let sorted = latencies.values.sorted()
    func quantile(_ q: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))] }
    return FleetResult(commits: commits, seconds: elapsedSeconds, rate: Double(commits) / elapsedSeconds,
                       retryRate: commits == 0 ? 0 : Double(retries) / Double(commits), p50: quantile(0.5), p99: quantile(0.99))
}

/// Commit latencies (ms) from several threads.
private final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Double] = []

    func add(_ duration: Duration) {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
        lock.lock()
        stored.append(ms)
        lock.unlock()
    }

    var values: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    var count: Int { values.count }
}
