import Foundation
import Parquet

/// Writes and reads a profiles-shaped table (DESIGN.md, `profiles`) with our Parquet module
/// and, in the same run, with pyarrow (same data, read from our file; same codec), and
/// prints rows/s both ways, file sizes and the ratios.
///
///     driftline-bench parquet [--rows N] [--python PATH] [--dir DIR] [--parallel] [--no-baseline]
///
/// `--parallel` encodes columns on all cores (`WriterOptions.parallelEncoding`); pyarrow's
/// `write_table` encodes on one.
func runParquetBenchmarks(arguments: [String]) throws {
    var rows = 1_000_000
    var python = PythonBaseline.interpreter
    var dir = NSTemporaryDirectory() + "driftline-parquet-bench"
    var baseline = true
    var parallel = false
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--rows": i += 1; rows = Int(arguments[i]) ?? rows
        case "--python": i += 1; python = arguments[i]
        case "--dir": i += 1; dir = arguments[i]
        case "--no-baseline": baseline = false
        case "--parallel": parallel = true
        default: break
        }
        i += 1
    }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let ours = dir + "/ours.parquet"

    print("parquet: generating \(rows) profiles rows…")
    let (schema, batch) = try ProfilesTable.make(rows: rows, seed: 7)
    var options = WriterOptions()
    options.compression = .lz4Raw
    options.parallelEncoding = parallel

    func write() throws -> Duration {
        let clock = ContinuousClock()
        let cpu0 = cpuSeconds()
        defer { lastCPU = cpuSeconds() - cpu0 }
        return try clock.measure {
            let writer = try ParquetWriter(path: ours, schema: schema, options: options)
            try writer.write(batch)
            try writer.close()
        }
    }
    func read() throws -> Duration {
        let clock = ContinuousClock()
        let cpu0 = cpuSeconds()
        defer { lastCPU = cpuSeconds() - cpu0 }
        return try clock.measure {
            let reader = try ParquetReader(path: ours)
            var values = 0
            for g in 0 ..< reader.rowGroupCount {
                let b = try reader.readRowGroup(g)
                values += b.columns.reduce(0) { $0 + $1.values.count }
            }
            precondition(values > 0)
        }
    }
    var lastCPU = 0.0
    _ = try write() // warm-up
    var writeTime = Duration.seconds(1e9), writeCPU = Double.infinity
    for _ in 0 ..< 2 { writeTime = min(writeTime, try write()); writeCPU = min(writeCPU, lastCPU) }
    _ = try read()
    var readTime = Duration.seconds(1e9), readCPU = Double.infinity
    for _ in 0 ..< 2 { readTime = min(readTime, try read()); readCPU = min(readCPU, lastCPU) }
    let ourSize = try FileManager.default.attributesOfItem(atPath: ours)[.size] as? Int ?? 0

    // Check our file reads back equal before comparing speed.
    let reader = try ParquetReader(path: ours)
    var offsets = batch.columns.map { _ in 0 }
    var equal = reader.rowCount == Int64(rows)
    for g in 0 ..< reader.rowGroupCount {
        for (j, c) in try reader.readRowGroup(g).columns.enumerated() {
            equal = equal && matches(batch.columns[j].values, at: offsets[j], c.values)
            offsets[j] += c.values.count
        }
    }
    guard equal, offsets.enumerated().allSatisfy({ $1 == batch.columns[$0].values.count }) else {
        throw BenchCheckFailed("parquet: our file does not read back equal to what was written")
    }

    guard baseline else {
        print(String(format: "parquet: ours write %.3f s, read %.3f s, %d bytes", writeTime.seconds, readTime.seconds, ourSize))
        return
    }
    print("parquet: running pyarrow on the same data…")
    let script = PythonBaseline.tool("bench_parquet_pyarrow.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, ours, dir + "/pyarrow.parquet"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
          let pyWrite = json["write_s"] as? Double, let pyRead = json["read_s"] as? Double, let pySize = json["size"] as? Int
    else {
        throw BenchCheckFailed("parquet: the pyarrow baseline failed (status \(process.terminationStatus))")
    }
    let w = writeTime.seconds, r = readTime.seconds
    func rate(_ s: Double) -> String { String(format: "%10.0f rows/s", Double(rows) / s) }
    print("parquet profiles table: \(rows) rows, \(schema.fields.count) fields, LZ4_RAW, \(reader.rowGroupCount) row groups (pyarrow: \(json["row_groups"] ?? "?"))\(parallel ? ", parallel encoding" : "")")
    print(String(format: "  write  ours %@ (%.3f s)   pyarrow %@ (%.3f s)   ours/pyarrow speed %.2fx", rate(w), w, rate(pyWrite), pyWrite, pyWrite / w))
    print(String(format: "  read   ours %@ (%.3f s)   pyarrow %@ (%.3f s)   ours/pyarrow speed %.2fx", rate(r), r, rate(pyRead), pyRead, pyRead / r))
    if let pyWriteCPU = json["write_cpu_s"] as? Double, let pyReadCPU = json["read_cpu_s"] as? Double {
        print(String(format: "  cpu    write ours %.3f s, pyarrow %.3f s (%.2fx)   read ours %.3f s, pyarrow %.3f s (%.2fx)   (user+sys, all threads)",
                     writeCPU, pyWriteCPU, pyWriteCPU / writeCPU, readCPU, pyReadCPU, pyReadCPU / readCPU))
        benchResult("parquet.pyarrow_write_cpu", pyWriteCPU)
        benchResult("parquet.pyarrow_read_cpu", pyReadCPU)
    }
    benchResult("parquet.rows", Double(rows))
    benchResult("parquet.write_wall", w)
    benchResult("parquet.read_wall", r)
    benchResult("parquet.write_cpu", writeCPU)
    benchResult("parquet.read_cpu", readCPU)
    benchResult("parquet.pyarrow_write_wall", pyWrite)
    benchResult("parquet.pyarrow_read_wall", pyRead)
    benchResult("parquet.size_ratio", Double(ourSize) / Double(pySize))
    print(String(format: "  size   ours %.1f MB   pyarrow %.1f MB   ours/pyarrow %.3f", Double(ourSize) / 1e6, Double(pySize) / 1e6,
                 Double(ourSize) / Double(pySize)))
}

/// Whether `part` equals `whole[offset ..< offset + part.count]`.
func matches(_ whole: ColumnValues, at offset: Int, _ part: ColumnValues) -> Bool {
    let r = offset ..< offset + part.count
    switch (whole, part) {
    case let (.boolean(a), .boolean(b)): return r.upperBound <= a.count && a[r].elementsEqual(b)
    case let (.int32(a), .int32(b)): return r.upperBound <= a.count && a[r].elementsEqual(b)
    case let (.int64(a), .int64(b)): return r.upperBound <= a.count && a[r].elementsEqual(b)
    case let (.float(a), .float(b)): return r.upperBound <= a.count && a[r].elementsEqual(b)
    case let (.double(a), .double(b)): return r.upperBound <= a.count && a[r].elementsEqual(b)
    case let (.byteArray(a), .byteArray(b)):
        guard r.upperBound <= a.count else { return false }
        let base = a.offsets[offset]
        return a.bytes[base ..< a.offsets[r.upperBound]].elementsEqual(b.bytes)
            && a.offsets[offset ... r.upperBound].lazy.map { $0 - base }.elementsEqual(b.offsets)
    default: return false
    }
}

/// User plus system CPU time of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The `profiles` table of DESIGN.md with synthetic but plausibly shaped values.
enum ProfilesTable {
    static let schema = Schema([
        .required("endpoint", .string), .required("model_version", .string),
        .required("window_start", .timestampMicros), .required("window_end", .timestampMicros),
        .required("column_name", .string), .required("column_kind", .string),
        .required("count", .int64), .required("missing_count", .int64),
        .optional("min", .double), .optional("max", .double), .optional("mean", .double), .optional("m2", .double),
        .optional("p05", .double), .optional("p25", .double), .optional("p50", .double), .optional("p75", .double), .optional("p95", .double),
        .optional("sketch", .binary),
        .optional("histogram", .list(.optional("element", .int64))),
        .optional("reference_id", .string),
        .optional("categories", .list(.optional("element", .string))),
        .optional("category_counts", .list(.optional("element", .int64))),
    ])

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func make(rows: Int, seed: UInt64) throws -> (Schema, RecordBatch) {
        var g = SplitMix(state: seed)
        let endpoints = (0 ..< 8).map { "endpoint-\($0)" }
        let versions = ["v1", "v2", "v3"]
        let numericNames = (0 ..< 30).map { "feature_\($0)" } + [":pred1", ":spread12", ":latency_ms", ":proba:yes", ":proba:no"]
        let categoricalNames = (0 ..< 20).map { "category_\($0)" } + [":prediction", ":label", ":error", ":confusion"]
        let names = numericNames + categoricalNames
        let vocabulary = (0 ..< 300).map { "value_\($0)" }
        var endpoint = ByteArrays(), version = ByteArrays(), columnName = ByteArrays(), kind = ByteArrays(), reference = ByteArrays()
        var starts: [Int64] = [], ends: [Int64] = [], counts: [Int64] = [], missing: [Int64] = []
        var stats = Array(repeating: [Double](), count: 9)
        var numericValid: [Bool] = [], referenceValid: [Bool] = []
        var sketch = ByteArrays()
        var histOffsets = [0], hist: [Int64] = [], histValid: [Bool] = []
        var catOffsets = [0], cats = ByteArrays(), catCounts: [Int64] = [], catValid: [Bool] = []
        endpoint.reserveCapacity(values: rows, bytes: rows * 11)
        sketch.reserveCapacity(values: rows, bytes: rows * 1000)
        let window: Int64 = 60_000_000
        for i in 0 ..< rows {
            let perWindow = endpoints.count * names.count
            let w = Int64(i / perWindow)
            let e = (i / names.count) % endpoints.count
            let c = i % names.count
            let numeric = c < numericNames.count
            endpoint.append(endpoints[e])
            version.append(versions[e % versions.count])
            starts.append(1_700_000_000_000_000 + w * window)
            ends.append(1_700_000_000_000_000 + (w + 1) * window)
            columnName.append(names[c])
            kind.append(numeric ? "numeric" : "categorical")
            let n = Int64(500 + g.below(2000))
            counts.append(n)
            missing.append(Int64(g.below(20)))
            numericValid.append(numeric)
            referenceValid.append(numeric)
            if numeric {
                let mean = g.unit() * 100, sd = 1 + g.unit() * 10
                let q = [mean - 3 * sd, mean + 3 * sd, mean, sd * sd * Double(n - 1),
                         mean - 1.64 * sd, mean - 0.67 * sd, mean, mean + 0.67 * sd, mean + 1.64 * sd]
                for k in 0 ..< 9 { stats[k].append(q[k] + g.unit() * 1e-3) }
                // KLL-like: an 8-byte preamble then sorted-ish doubles of the column's scale.
                let items = 120 + g.below(130)
                var bytes: [UInt8] = [5, 1, 15, 0, 200, 0, 8, 0]
                bytes.reserveCapacity(8 + items * 8)
                var x = mean - 3 * sd
                for _ in 0 ..< items {
                    x += g.unit() * sd * 6 / Double(items)
                    withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
                sketch.append(bytes: bytes)
                for _ in 0 ..< 20 { hist.append(Int64(g.below(Int(n) / 10 + 1))); histValid.append(true) }
                reference.append("ref-\(e)-\(String(UInt32(truncatingIfNeeded: seed &* 2654435761 &+ UInt64(e)), radix: 16))")
                histOffsets.append(hist.count)
                catOffsets.append(catCounts.count)
                catValid.append(false)
            } else {
                histOffsets.append(hist.count)
                let k = 2 + g.below(12)
                for _ in 0 ..< k {
                    cats.append(vocabulary[g.below(vocabulary.count)])
                    catCounts.append(Int64(1 + g.below(400)))
                }
                catOffsets.append(catCounts.count)
                catValid.append(true)
            }
        }
        let f = schema.fields
        func required(_ v: ColumnValues) -> LeafColumn { LeafColumn(values: v) }
        var columns: [LeafColumn] = [
            required(.byteArray(endpoint)), required(.byteArray(version)), required(.int64(starts)), required(.int64(ends)),
            required(.byteArray(columnName)), required(.byteArray(kind)), required(.int64(counts)), required(.int64(missing)),
        ]
        for k in 0 ..< 9 { columns.append(try LeafColumn(field: f[8 + k], values: .double(stats[k]), validity: numericValid)) }
        columns.append(try LeafColumn(field: f[17], values: .byteArray(sketch), validity: numericValid))
        columns.append(try LeafColumn(listField: f[18], offsets: histOffsets, values: .int64(hist), validity: numericValid))
        columns.append(try LeafColumn(field: f[19], values: .byteArray(reference), validity: referenceValid))
        columns.append(try LeafColumn(listField: f[20], offsets: catOffsets, values: .byteArray(cats), validity: catValid))
        columns.append(try LeafColumn(listField: f[21], offsets: catOffsets, values: .int64(catCounts), validity: catValid))
        return (schema, RecordBatch(rowCount: rows, columns: columns))
    }
}
