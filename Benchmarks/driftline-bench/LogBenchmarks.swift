// Benchmarks of the log layer (release build); entry point `runLogBenchmarks(args:)`, wired into main.swift by the lead.
// CRC-32C (hardware vs portable tables), record encoding, and raw partition appends, each with its baseline.
import DriftlineCore
import DriftlineLog
import Foundation
import LZ4Baseline

/// Runs the log benchmarks; `args` may hold `--records N` (default 1,000,000).
func runLogBenchmarks(args: [String]) throws {
    var records = 1_000_000
    if let i = args.firstIndex(of: "--records"), i + 1 < args.count, let n = Int(args[i + 1]) { records = n }
    benchmarkCRC32C()
    let (payload, ends) = try benchmarkEncoding(records: records)
    try benchmarkAppend(payload: payload, ends: ends)
}

/// Wall-clock seconds of `body`.
private func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let d = start.duration(to: clock.now)
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// CPU seconds of this thread in `body`: steadier than wall time on a shared machine, for CPU-bound loops.
private func cpuSeconds(_ body: () throws -> Void) rethrows -> Double {
    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
    let start = now()
    try body()
    return now() - start
}

private func benchmarkCRC32C() {
    let size = 64 << 20
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let bytes = (0..<size).map { _ -> UInt8 in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
    bytes.withUnsafeBytes { raw in
        var sink: UInt32 = 0
        sink ^= CRC32C.checksum(raw)  // warm-up
        sink ^= CRC32C.portableChecksum(raw)
        let rounds = 8
        let hardware = cpuSeconds { for _ in 0..<rounds { sink ^= CRC32C.checksum(raw) } }
        let portable = cpuSeconds { for _ in 0..<2 { sink ^= CRC32C.portableChecksum(raw) } }
        let hwRate = Double(size * rounds) / hardware / 1e9
        let swRate = Double(size * 2) / portable / 1e9
        print(String(format: "crc32c      %@: %.2f GB/s   baseline slicing-by-8: %.2f GB/s   ratio %.1fx   (sink %u)",
                     CRC32C.isHardwareAccelerated ? "sse4.2" : "tables", hwRate, swRate, hwRate / swRate, sink))
    }
}

/// The standard record: 32 numeric features, 10 classes, a 16-byte request id, a latency.
private func standardSchema() throws -> ModelSchema {
    try ModelSchema(features: (0..<32).map { .numeric("f\($0)") },
                    task: .multiclassClassification(classes: (0..<10).map { "class\($0)" }))
}

private func benchmarkEncoding(records: Int) throws -> ([UInt8], [Int]) {
    let encoder = RecordEncoder(schema: try standardSchema())
    // 1024 distinct rows of values with three decimals (like measured features), cycled through.
    var generator = SystemRandomNumberGenerator()
    let rows: [[Double]] = (0..<1024).map { _ in (0..<32).map { _ in (Double.random(in: 0..<100, using: &generator) * 1000).rounded() / 1000 } }
    let featureRows: [[FeatureValue]] = rows.map { $0.map { .number($0) } }
    let numeric = rows.flatMap { $0 }
    // 4096 different probability vectors (softmax of random logits) and a unique random request id per
    // record, made before timing: one id and one vector repeated would compress unusually well downstream.
    let probabilityRows: [[Double]] = (0..<4096).map { _ in
        let weights = (0..<10).map { _ in exp(Double.random(in: -3...3, using: &generator)) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
    let flatProbabilities = probabilityRows.flatMap { $0 }
    let ids = try (0..<records).map { _ in try RequestID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
    let id = ids[0]
    var payload: [UInt8] = []
    payload.reserveCapacity(records * 400)
    let t0 = Timestamp.now()
    for i in 0..<1000 {  // warm-up
        try encoder.appendInference(timestamp: t0, requestID: id, features: featureRows[i % 1024], outcome: .probabilities(probabilityRows[i & 4095]),
                                    latencyMicroseconds: Int64(i), to: &payload)
    }
    payload.removeAll(keepingCapacity: true)
    let valuePath = try cpuSeconds {
        for i in 0..<records {
            try encoder.appendInference(timestamp: Timestamp(microsecondsSinceEpoch: t0.microsecondsSinceEpoch + Int64(i)), requestID: ids[i],
                                        features: featureRows[i & 1023], outcome: .probabilities(probabilityRows[(i &* 7) & 4095]),
                                        latencyMicroseconds: Int64(i % 5000), to: &payload)
        }
    }
    let perRecord = payload.count / records
    var matrix: [UInt8] = []
    matrix.reserveCapacity(records * 400)
    let matrixPath = try numeric.withUnsafeBufferPointer { f in
        try flatProbabilities.withUnsafeBufferPointer { p in
            try cpuSeconds {
                for i in 0..<records {
                    let row = (i &* 7) & 4095
                    try encoder.appendInference(timestamp: Timestamp(microsecondsSinceEpoch: t0.microsecondsSinceEpoch + Int64(i)),
                                                requestID: ids[i], numericFeatures: UnsafeBufferPointer(rebasing: f[(i & 1023) * 32..<((i & 1023) + 1) * 32]),
                                                probabilities: UnsafeBufferPointer(rebasing: p[row * 10..<(row + 1) * 10]),
                                                latencyMicroseconds: Int64(i % 5000), to: &matrix)
                }
            }
        }
    }
    guard matrix == payload else {
        throw BenchCheckFailed("log: the matrix path encoded \(matrix.count) bytes that differ from the FeatureValue path's \(payload.count)")
    }
    // Where each record ends (they differ in size: latencies are varints), untimed, for the append benchmark's batches.
    var ends: [Int] = []
    ends.reserveCapacity(records)
    var one: [UInt8] = []
    var end = 0
    for i in 0..<records {
        one.removeAll(keepingCapacity: true)
        try encoder.appendInference(timestamp: Timestamp(microsecondsSinceEpoch: t0.microsecondsSinceEpoch + Int64(i)), requestID: ids[i],
                                    features: featureRows[i & 1023], outcome: .probabilities(probabilityRows[(i &* 7) & 4095]),
                                    latencyMicroseconds: Int64(i % 5000), to: &one)
        end += one.count
        ends.append(end)
    }
    guard end == payload.count else {
        throw BenchCheckFailed("log: records re-encoded one by one take \(end) bytes, \(payload.count) in one buffer")
    }
    var copy = [UInt8](repeating: 0, count: payload.count)
    let memcpyTime = cpuSeconds { copy.withUnsafeMutableBytes { dst in payload.withUnsafeBytes { dst.copyMemory(from: $0) } } }
    print(String(format: "encode      FeatureValue path: %.2f M records/s   matrix path: %.2f M records/s   %d bytes/record   baseline memcpy of the bytes: %.1f M records/s (ratio %.2f)",
                 Double(records) / valuePath / 1e6, Double(records) / matrixPath / 1e6, perRecord,
                 Double(records) / memcpyTime / 1e6, memcpyTime / valuePath))
    return (payload, ends)
}

private func benchmarkAppend(payload: [UInt8], ends: [Int]) throws {
    let count = ends.count
    /// Byte offset where record `i` starts.
    func offset(_ i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }
    let folder = NSTemporaryDirectory() + "/driftline-bench-log-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let recordBytes = payload.count / count
    let perBatch = max(1, (256 << 10) / recordBytes)
    let t = Timestamp.now()
    let writer = try PartitionWriter(logDirectory: folder, endpoint: "bench", writerID: "w", modelVersion: "1", schema: try standardSchema())
    var appendCPU = 0.0
    let appendTime = try payload.withUnsafeBytes { raw in
        try seconds { appendCPU = try cpuSeconds {
            var start = 0
            while start < count {
                let n = min(perBatch, count - start)
                let slice = UnsafeRawBufferPointer(rebasing: raw[offset(start)..<offset(start + n)])
                try writer.append(encodedRecords: slice, count: n, firstTimestamp: t, maxTimestamp: t)
                start += n
            }
            try writer.sync()
        } }
    }
    let onDisk = try FileManager.default.contentsOfDirectory(atPath: writer.folder).filter { $0.hasSuffix(".log") }
        .map { (try? FileManager.default.attributesOfItem(atPath: "\(writer.folder)/\($0)")[.size] as? Int) ?? 0 }.reduce(0, +)
    try writer.close()
    // Reading it back (decoded records), as the tail stage does.
    var readCount = 0
    var readCPU = 0.0
    let readTime = try seconds { readCPU = try cpuSeconds {
        let reader = try PartitionReader(partition: writer.folder)
        while true {
            let events = try reader.read(maxBatches: 256)
            if events.isEmpty { break }
            for case .records(let batch) in events { readCount += batch.records.count }
        }
    } }
    guard readCount == count else {
        throw BenchCheckFailed("log: read back \(readCount) records of \(count) appended")
    }
    print(String(format: "read        %.2f M records/s decoded (CPU-bound rate %.2f M records/s, %d records)",
                 Double(readCount) / readTime / 1e6, Double(readCount) / readCPU / 1e6, readCount))
    // Baselines: bare LZ4 over the same bytes in the same batch sizes, and a plain write of the raw bytes.
    var scratch = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(perBatch * (recordBytes + 64)))))
    let lz4Time = payload.withUnsafeBytes { raw in
        cpuSeconds {
            var start = 0
            while start < count {
                let n = min(perBatch, count - start)
                let src = raw.baseAddress! + offset(start)
                _ = scratch.withUnsafeMutableBytes { dst in
                    LZ4_compress_default(src.assumingMemoryBound(to: CChar.self), dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                                         Int32(offset(start + n) - offset(start)), Int32(dst.count))
                }
                start += n
            }
        }
    }
    let rawPath = folder + "/raw.bin"
    let rawTime = seconds {
        let fd = open(rawPath, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        payload.withUnsafeBytes { _ = write(fd, $0.baseAddress!, $0.count) }
        fsync(fd)
        close(fd)
    }
    let mb = Double(payload.count) / 1e6
    print(String(format: "append      %.2f M records/s  %.0f MB/s uncompressed (CPU-bound rate %.2f M records/s)  %.1f bytes/record on disk   baseline bare LZ4: %.0f MB/s (CPU ratio %.2f)   raw write+fsync: %.0f MB/s (ratio %.2f)",
                 Double(count) / appendTime / 1e6, mb / appendTime, Double(count) / appendCPU / 1e6, Double(onDisk) / Double(count),
                 mb / lz4Time, lz4Time / appendCPU, mb / rawTime, rawTime / appendTime))
}
