import BatchStage
import DeltaTable
import DriftlineStore
import Foundation
import Profiles

/// `batch` over 24 hours × 12 five-minute windows × 100 numeric columns × 3 endpoints of profiles
/// (each window: `--rows` values per column, counted over the reference's bins), against the time scipy
/// takes to compute the same drift numbers (histogram distances, χ², KS, Wasserstein against the
/// reference and the previous hour) two ways (`tools/bench_batch_scipy.py`): numpy over the same stored
/// profiles (histograms added, sketches merged with datasketches), and scipy from the raw values those
/// profiles summarize (`ks_2samp(method='asymp')`). Both baselines' numbers are checked against
/// driftline's drift rows before a ratio is printed; wall and CPU time are printed for each side.
///
///     driftline-bench batch [--rows N] [--hours H] [--columns C] [--python PATH] [--dir DIR] [--no-baseline]
func runBatchBenchmarks(arguments: [String]) throws {
    var rowsPerWindow = 200
    var hours = 24, columns = 100
    var python = PythonBaseline.interpreter
    var dir = NSTemporaryDirectory() + "driftline-batch-bench"
    var baseline = true
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--rows": i += 1; rowsPerWindow = Int(arguments[i]) ?? rowsPerWindow
        case "--hours": i += 1; hours = Int(arguments[i]) ?? hours
        case "--columns": i += 1; columns = Int(arguments[i]) ?? columns
        case "--python": i += 1; python = arguments[i]
        case "--dir": i += 1; dir = arguments[i]
        case "--no-baseline": baseline = false
        default: break
        }
        i += 1
    }
    let endpoints = ["alpha", "beta", "gamma"], windows = 12, trainingRows = 5000
    try? FileManager.default.removeItem(atPath: dir)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = Store(root: dir + "/store")
    let firstHour = AnalysisHour(containing: 1_795_132_800_000_000)
    var generator = BenchRandom(seed: 42)
    print("batch: profiling \(endpoints.count) endpoints × \(hours) h × \(windows) windows × \(columns) columns × \(rowsPerWindow) values…")
    let names = (0..<columns).map { String(format: "x%03d", $0) }
    for (e, endpoint) in endpoints.enumerated() {
        // Raw values: [training columns][rows], then per hour/window/column/row; written for the scipy baseline.
        var raw = [Double]()
        raw.reserveCapacity(columns * trainingRows + hours * windows * columns * rowsPerWindow)
        var referenceColumns: [ReferenceColumn] = []
        for c in 0..<columns {
            let values = (0..<trainingRows).map { _ in generator.normal(mean: Double(c), sd: 1 + Double(c % 7)) }
            raw += values
            referenceColumns.append(try ReferenceColumn.numeric(name: names[c], values: values, binCount: 20))
        }
        let reference = Reference(endpoint: endpoint, modelVersion: "1", binCount: 20, task: .regression, columns: referenceColumns)
        _ = try reference.save(in: store)
        let bins = reference.allBins
        let table = try store.profiles()
        for h in 0..<hours {
            var rows: [ProfileRow] = []
            let hour = AnalysisHour(containing: firstHour.startMicroseconds + Int64(h) * AnalysisHour.lengthMicroseconds)
            for w in 0..<windows {
                let start = hour.startMicroseconds + Int64(w) * 300_000_000
                for c in 0..<columns {
                    // A third of the columns shift from hour 12 on, more for later endpoints.
                    let shift = h >= 12 && c % 3 == 0 ? 0.3 * Double(e + 1) : 0
                    var profile = NumericProfile(bins: bins[names[c]])
                    for _ in 0..<rowsPerWindow {
                        let x = generator.normal(mean: Double(c) + shift * (1 + Double(c % 7)), sd: 1 + Double(c % 7))
                        raw.append(x)
                        profile.add(x)
                    }
                    rows.append(ColumnProfile(columnName: names[c], statistics: .numeric(profile))
                        .row(endpoint: endpoint, modelVersion: "1", windowStartMicroseconds: start, windowEndMicroseconds: start + 300_000_000))
                }
            }
            _ = try table.append(rows)
        }
        try raw.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: "\(dir)/\(endpoint).f64")) }
    }
    let options = BatchOptions(from: firstHour, toMicroseconds: firstHour.startMicroseconds + Int64(hours) * AnalysisHour.lengthMicroseconds,
                               nowMicroseconds: firstHour.startMicroseconds + 48 * AnalysisHour.lengthMicroseconds)
    let run = BatchRun(store: store, options: options)
    let clock = ContinuousClock()
    let warmStart = clock.now
    var outcome = try run.run { message in   // warm-up (also creates the drift and performance tables)
        if message.hasPrefix("read") || message.hasPrefix("replaced") || message.hasPrefix("[1/") || message.hasPrefix("[72/") {
            print("batch: warm-up +\(clock.now - warmStart): \(message)")
        }
    }
    print("batch: warm-up total \(clock.now - warmStart)")
    var times: [Duration] = []
    var cpuTimes: [Double] = []
    for _ in 0..<3 {
        let cpuStart = processCPUSeconds()
        times.append(try clock.measure { outcome = try run.run() })
        cpuTimes.append(processCPUSeconds() - cpuStart)
    }
    let best = times.min() ?? .zero
    let driftRows = outcome.analyses.reduce(0) { $0 + $1.drift.count }
    let detected = outcome.analyses.reduce(0) { $0 + $1.drift.filter { $0.status == .driftDetected }.count }
    print(String(format: "batch: %d model-hours, %d drift rows (%d drift_detected): best of 3 %.3f s (runs: %@)",
                 outcome.analyses.count, driftRows, detected, seconds(best), times.map { String(format: "%.3f", seconds($0)) }.joined(separator: ", ")))
    print(String(format: "batch: CPU time per run (both cores together): %@ s", cpuTimes.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
    print("batch: goal < 1 s wall (issue 16): \(seconds(best) < 1 ? "met" : "NOT met")")
    let bestCPU = cpuTimes.min() ?? 0
    benchResult("batch.driftline_wall", seconds(best))
    benchResult("batch.driftline_cpu", bestCPU)
    guard baseline else { return }
    // Driftline's drift numbers, for the baselines to check theirs against before any ratio is printed.
    var csv = "endpoint,hour,column,baseline,tvd,hellinger,kld,psi,js,chi2,chi2_p,ks,wasserstein\n"
    for analysis in outcome.analyses {
        let hourIndex = (analysis.hour.startMicroseconds - firstHour.startMicroseconds) / AnalysisHour.lengthMicroseconds
        for row in analysis.driftRows {
            let values = [row.tvd, row.hellinger, row.kld, row.psi, row.jsDistance, row.chi2Statistic, row.chi2Pvalue, row.ksStatistic, row.wasserstein]
            csv += "\(row.endpoint),\(hourIndex),\(row.columnName),\(row.baseline),"
                + values.map { $0.map { "\($0)" } ?? "nan" }.joined(separator: ",") + "\n"
        }
    }
    let drift = dir + "/driftline-drift.csv"
    try Data(csv.utf8).write(to: URL(fileURLWithPath: drift))
    let (status, output) = try PythonBaseline.run(python: python, script: "bench_batch_scipy.py", arguments: [
        "--dir", dir, "--store", dir + "/store", "--swift-drift", drift, "--endpoints", endpoints.joined(separator: ","), "--hours", "\(hours)",
        "--windows", "\(windows)", "--columns", "\(columns)", "--rows", "\(rowsPerWindow)", "--training", "\(trainingRows)"])
    print(output, terminator: "")
    guard status == 0 else {
        throw BenchCheckFailed("batch: the baselines' drift numbers differ from driftline's (above); no ratio printed")
    }
    let results = PythonBaseline.results(output)
    if let rawWall = results["batch.scipy_raw_wall"], let rawCPU = results["batch.scipy_raw_cpu"],
       let profilesWall = results["batch.numpy_profiles_wall"], let profilesCPU = results["batch.numpy_profiles_cpu"] {
        print(String(format: "batch: driftline from profiles %.3f s wall, %.3f s CPU (both cores; Python is one thread)", seconds(best), bestCPU))
        print(String(format: "batch: vs numpy from the same profiles %.3f s wall, %.3f s CPU: %.1f× wall, %.1f× CPU", profilesWall, profilesCPU,
                     profilesWall / seconds(best), profilesCPU / bestCPU))
        print(String(format: "batch: vs scipy (ks_2samp asymp) from raw rows %.3f s wall, %.3f s CPU: %.1f× wall, %.1f× CPU (different input: raw rows, not profiles)",
                     rawWall, rawCPU, rawWall / seconds(best), rawCPU / bestCPU))
    }
}

/// User + system CPU seconds of this process so far (all threads).
private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// SplitMix64 with Box–Muller normals: the benchmark's deterministic data.
struct BenchRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }
    mutating func normal(mean: Double, sd: Double) -> Double {
        mean + sd * (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
    }
}
