#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LZ4Baseline
import Driftline
import DriftlineLog
import Foundation
import Histogram

/// `driftline-bench logger [--records N] [--dir DIR]`: InferenceLogger on the standard record.
///
/// The standard record: 32 numeric features (16 measurements with 4 decimals, 8 counts, 8 flags), 10 class
/// probabilities (softmax of random logits), a 16-byte request id, a latency. 8192 distinct records are
/// generated up front and logged in a cycle, so generation is not timed and LZ4 sees realistic data.
///
/// Prints, writing to disk:
/// - sustained records/s: one thread logs N records as fast as the logger takes them without loss (default
///   options except `.block` instead of `.dropNewest`, so a full buffer slows the caller instead of dropping),
///   timed until `flush` returns;
/// - the same flat out with the default `.dropNewest`: what is written per second and what is dropped;
/// - caller-side `log()` latency p50/p99/p99.9 (HdrHistogram) with default options, the caller paced at
///   `--latency-rate` records/s (bursts of 256) like a busy server;
/// - bytes on disk per record;
/// - two ratios of the sustained rate: against JSON lines written with `JSONEncoder` to a `FileHandle`, and
///   against bare `LZ4_compress_default` over the same encoded records (the limit).
func runLoggerBenchmarks(arguments: [String]) throws {
    var records = 3_000_000
    var latencyRate = 250_000.0
    var directory = NSTemporaryDirectory() + "driftline-bench-\(getpid())"
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
        switch argument {
        case "--records": records = iterator.next().flatMap(Int.init) ?? records
        case "--dir": directory = iterator.next() ?? directory
        case "--latency-rate": latencyRate = iterator.next().flatMap(Double.init) ?? latencyRate
        default: print("unknown argument \(argument); usage: driftline-bench logger [--records N] [--dir DIR] [--latency-rate R]")
        }
    }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    let workload = try StandardRecords(count: 8192)
    print("logger: standard record (32 numeric features, 10 classes, 16-byte request id, latency), \(records) records, into \(directory)")

    // Warm-up: one short run (code paths, page faults of both buffers, the file system).
    _ = try LoggerRun.measure(workload, records: min(records, 500_000), directory: directory + "/warmup", policy: .block(timeout: .seconds(10)))
    let untimed = try LoggerRun.measure(workload, records: records, directory: directory + "/sustained", policy: .block(timeout: .seconds(10)))
    let flatOut = try LoggerRun.measure(workload, records: records, directory: directory + "/flat-out", policy: .dropNewest)
    let timed = try LoggerRun.measure(workload, records: records, directory: directory + "/latency", policy: .dropNewest, pacedAt: latencyRate)

    let json = try JSONBaseline.measure(workload, records: min(records, 300_000), directory: directory)
    let lz4 = LZ4Limit.measure(workload, records: records)

    let rate = untimed.recordsPerSecond
    guard untimed.written == records, untimed.dropped == 0 else {
        throw BenchCheckFailed("logger: the sustained .block run wrote \(untimed.written) of \(records) records (dropped \(untimed.dropped))")
    }
    var load = [Double](repeating: 0, count: 3)
    _ = getloadavg(&load, 3)
    print(String(format: "  (machine: %d cores, load average %.1f: wall-clock figures shrink when other processes take the cores;", ProcessInfo.processInfo.activeProcessorCount, load[0]))
    print("   the CPU-time figures below do not)")
    print(String(format: "  InferenceLogger sustained, .block: %6.0f records/s  (%.1f MB/s of records, lossless: written %d, dropped %d; goal ≥ 2,000,000/s)",
                 rate, untimed.recordBytesPerSecond / 1e6, untimed.written, untimed.dropped))
    print(String(format: "  flat out, .dropNewest:       %12.0f records/s written  (%d written, %d dropped of %d)",
                 flatOut.recordsPerSecond, flatOut.written, flatOut.dropped, records))
    print(String(format: "  log() latency (caller side): p50 %.3f µs  p99 %.3f µs  p99.9 %.3f µs  max %.1f µs  (goal p99 ≤ 2 µs; paced at %.0f/s, dropped %d)",
                 timed.p50, timed.p99, timed.p999, timed.max, latencyRate, timed.dropped))
    print(String(format: "  bytes on disk per record:    %.1f  (encoded %.1f, JSON %.1f)",
                 untimed.diskBytesPerRecord, workload.encodedBytesPerRecord, json.bytesPerRecord))
    print(String(format: "  baseline JSONEncoder lines:  %12.0f records/s  -> InferenceLogger is %.1fx faster (goal ≥ 20x)",
                 json.recordsPerSecond, rate / json.recordsPerSecond))
    print(String(format: "  bare LZ4_compress_default:   %12.0f records/s  -> InferenceLogger reaches %.0f%% of it (goal ≥ 60%%)",
                 lz4.recordsPerSecond, 100 * rate / lz4.recordsPerSecond))
    // CPU time per record: the logger's cost is what both of its threads spend (the caller's log() and the
    // writer thread), compared with the baselines' one thread; the "free cores" rate is bounded by the busier thread.
    let caller = untimed.callerCPUPerRecord, writer = untimed.writerCPUPerRecord
    let total = caller + writer
    let projected = 1e9 / max(caller, writer)
    print(String(format: "  CPU per record: log() caller %.0f ns + writer thread %.0f ns = %.0f ns; JSON %.0f ns; bare LZ4 %.0f ns",
                 caller, writer, total, json.cpuPerRecord, lz4.cpuPerRecord))
    print(String(format: "  in CPU time (both threads):  InferenceLogger is %.1fx JSONEncoder lines; bare LZ4 is %.0f%% of the logger's CPU",
                 json.cpuPerRecord / total, 100 * lz4.cpuPerRecord / total))
    print(String(format: "  on free cores (busier thread): %10.0f records/s", projected))
    print("  (the sustained run and its ratios use bufferPolicy .block(timeout: 10 s), not the default .dropNewest, so that")
    print("   every record is written; the flat-out line above is the default policy)")
    benchResult("logger.records_per_s_wall", rate)
    benchResult("logger.cpu_ns_per_record", total)
    benchResult("logger.json_records_per_s_wall", json.recordsPerSecond)
    benchResult("logger.json_cpu_ns_per_record", json.cpuPerRecord)
    benchResult("logger.lz4_cpu_ns_per_record", lz4.cpuPerRecord)
    benchResult("logger.encoded_bytes_per_record", workload.encodedBytesPerRecord)
}

/// The standard records, generated once, plus their encoded form.
struct StandardRecords {
    let schema: ModelSchema
    let features: [[FeatureValue]]
    let probabilities: [[Double]]
    let requestIDs: [RequestID]
    let latencies: [Duration]
    let encoded: [UInt8]
    let encodedEnds: [Int]

    var count: Int { features.count }
    var encodedBytesPerRecord: Double { Double(encoded.count) / Double(count) }

    init(count: Int) throws {
        var random = SystemRandomNumberGenerator()
        let names = (0..<16).map { "measure_\($0)" } + (0..<8).map { "count_\($0)" } + (0..<8).map { "flag_\($0)" }
        schema = try ModelSchema(features: names.map { .numeric($0) }, task: .classification(classes: (0..<10).map { "class_\($0)" }))
        var features: [[FeatureValue]] = []
        var probabilities: [[Double]] = []
        var ids: [RequestID] = []
        var latencies: [Duration] = []
        for _ in 0..<count {
            var row: [FeatureValue] = []
            for _ in 0..<16 { row.append(.number((Double.random(in: -50...50, using: &random) * 10_000).rounded() / 10_000)) }
            for _ in 0..<8 { row.append(.number(Double(Int.random(in: 0...200, using: &random)))) }
            for _ in 0..<8 { row.append(.number(Bool.random(using: &random) ? 1 : 0)) }
            features.append(row)
            let logits = (0..<10).map { _ in Double.random(in: -3...3, using: &random) }
            let top = logits.max() ?? 0
            let weights = logits.map { exp($0 - top) }
            let total = weights.reduce(0, +)
            probabilities.append(weights.map { $0 / total })
            ids.append(try RequestID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }))
            latencies.append(.microseconds(Int64.random(in: 200...2000, using: &random)))
        }
        self.features = features
        self.probabilities = probabilities
        self.requestIDs = ids
        self.latencies = latencies
        let encoder = RecordEncoder(schema: schema)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        let time = Timestamp.now()
        for i in 0..<count {
            try encoder.appendInference(timestamp: time.advanced(by: .microseconds(Int64(i))), requestID: ids[i], features: features[i],
                                         outcome: .probabilities(probabilities[i]), latencyMicroseconds: latencies[i].wholeMicroseconds, to: &bytes)
            ends.append(bytes.count)
        }
        encoded = bytes
        encodedEnds = ends
    }
}

/// One run of N records through a fresh InferenceLogger with default options.
struct LoggerRun {
    var recordsPerSecond = 0.0
    var recordBytesPerSecond = 0.0
    var written = 0
    var dropped = 0
    var diskBytesPerRecord = 0.0
    var p50 = 0.0, p99 = 0.0, p999 = 0.0, max = 0.0
    /// CPU time per record of the calling thread, and of the rest of the process (the writer thread).
    var callerCPUPerRecord = 0.0
    var writerCPUPerRecord = 0.0

    static func measure(
        _ w: StandardRecords, records: Int, directory: String, policy: InferenceLogger.BufferPolicy, pacedAt rate: Double? = nil
    ) throws -> LoggerRun {
        let logger = try InferenceLogger(directory: directory, endpoint: "bench", modelVersion: "1", schema: w.schema,
                                         options: .init(writerID: "bench", bufferPolicy: policy))
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: .three)
        let mask = w.count - 1
        let processCPU0 = processCPUNanoseconds()
        let threadCPU0 = threadCPUNanoseconds()
        let start = monotonicNanoseconds()
        if let rate {
            let burst = 256
            let nanosPerBurst = Double(burst) / rate * 1e9
            for i in 0..<records {
                if i % burst == 0 {
                    let due = start + UInt64(Double(i / burst) * nanosPerBurst)
                    let now = monotonicNanoseconds()
                    if due > now { usleep(UInt32((due - now) / 1000)) }
                }
                let k = i & mask
                let before = monotonicNanoseconds()
                try logger.log(features: w.features[k], probabilities: w.probabilities[k], requestID: w.requestIDs[k], latency: w.latencies[k])
                _ = histogram.record(monotonicNanoseconds() - before)
            }
        } else {
            for i in 0..<records {
                let k = i & mask
                try logger.log(features: w.features[k], probabilities: w.probabilities[k], requestID: w.requestIDs[k], latency: w.latencies[k])
            }
        }
        let threadCPU = Double(threadCPUNanoseconds() - threadCPU0)
        try logger.flush(waitingAtMost: .seconds(120))
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let processCPU = Double(processCPUNanoseconds() - processCPU0)
        let stats = logger.statistics
        try logger.close(waitingAtMost: .seconds(60))
        var run = LoggerRun()
        run.written = stats.written
        run.dropped = stats.dropped
        run.recordsPerSecond = Double(stats.written) / seconds
        run.recordBytesPerSecond = run.recordsPerSecond * w.encodedBytesPerRecord
        run.diskBytesPerRecord = Double(stats.bytesWritten) / Double(Swift.max(1, stats.written))
        run.callerCPUPerRecord = threadCPU / Double(records)
        run.writerCPUPerRecord = (processCPU - threadCPU) / Double(Swift.max(1, stats.written))
        run.p50 = Double(histogram.valueAtPercentile(50)) / 1000
        run.p99 = Double(histogram.valueAtPercentile(99)) / 1000
        run.p999 = Double(histogram.valueAtPercentile(99.9)) / 1000
        run.max = Double(histogram.max) / 1000
        try? FileManager.default.removeItem(atPath: directory)
        return run
    }
}

/// The baseline: the same records as JSON lines (`JSONEncoder`), buffered 256 KiB at a time into a `FileHandle`.
enum JSONBaseline {
    struct Line: Encodable {
        var timestamp: Int64
        var requestID: String
        var features: [Double]
        var probabilities: [Double]
        var latencyMicroseconds: Int64
    }

    static func measure(_ w: StandardRecords, records: Int, directory: String) throws -> (recordsPerSecond: Double, bytesPerRecord: Double, cpuPerRecord: Double) {
        let path = directory + "/baseline.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
        let encoder = JSONEncoder()
        let numbers = w.features.map { row in row.map { if case .number(let x) = $0 { return x } else { return .nan } } }
        let ids = w.requestIDs.map(\.description)
        var buffer = Data()
        var total = 0
        let mask = w.count - 1
        func run(_ n: Int) throws {
            for i in 0..<n {
                let k = i & mask
                let line = Line(timestamp: Timestamp.now().microsecondsSinceEpoch, requestID: ids[k], features: numbers[k],
                                probabilities: w.probabilities[k], latencyMicroseconds: w.latencies[k].wholeMicroseconds)
                buffer.append(try encoder.encode(line))
                buffer.append(0x0A)
                if buffer.count >= 256 << 10 {
                    total += buffer.count
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            total += buffer.count
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
            try handle.synchronize()
        }
        try run(records / 10)  // warm-up
        total = 0
        let start = monotonicNanoseconds()
        let cpu0 = threadCPUNanoseconds()
        try run(records)
        let cpu = Double(threadCPUNanoseconds() - cpu0)
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        try handle.close()
        try? FileManager.default.removeItem(atPath: path)
        return (Double(records) / seconds, Double(total) / Double(records), cpu / Double(records))
    }
}

/// The limit: `LZ4_compress_default` alone over the same encoded records, in 64 KiB batches like the logger's.
enum LZ4Limit {
    static func measure(_ w: StandardRecords, records: Int) -> (recordsPerSecond: Double, cpuPerRecord: Double) {
        // Cut the encoded records into ~64 KiB chunks at record boundaries.
        var chunks: [Range<Int>] = []
        var start = 0
        var perChunk: [Int] = []
        var inChunk = 0
        for end in w.encodedEnds {
            inChunk += 1
            if end - start >= 64 << 10 {
                chunks.append(start..<end)
                perChunk.append(inChunk)
                start = end
                inChunk = 0
            }
        }
        if start < w.encoded.count { chunks.append(start..<w.encoded.count); perChunk.append(inChunk) }
        let bound = Int(LZ4_compressBound(Int32(64 << 10 + 4096)))
        var output = [CChar](repeating: 0, count: bound)
        var sink = 0
        func run(_ n: Int) -> Int {
            var done = 0
            var i = 0
            w.encoded.withUnsafeBytes { raw in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
                while done < n {
                    let range = chunks[i % chunks.count]
                    sink &+= Int(LZ4_compress_default(base + range.lowerBound, &output, Int32(range.count), Int32(bound)))
                    done += perChunk[i % chunks.count]
                    i += 1
                }
            }
            return done
        }
        _ = run(records / 10)  // warm-up
        let begin = monotonicNanoseconds()
        let cpu0 = threadCPUNanoseconds()
        let done = run(records)
        let cpu = Double(threadCPUNanoseconds() - cpu0)
        let seconds = Double(monotonicNanoseconds() - begin) / 1e9
        if sink == 42 { print("") }  // keep the results alive
        return (Double(done) / seconds, cpu / Double(done))
    }
}

/// CPU time of the calling thread.
func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// CPU time of the whole process (every thread).
func processCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
