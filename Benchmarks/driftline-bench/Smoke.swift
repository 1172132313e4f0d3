import Foundation

/// `driftline-bench smoke`: every group at tiny sizes (debug build is fine), baselines included, so
/// that tools/test proves each benchmark still runs to its end and its self-checks pass. The figures
/// printed mean nothing at these sizes. The collect group starts the `driftline` binary named by
/// `$DRIFTLINE_BIN` (tools/test sets it to the debug build).
func runSmoke() throws {
    let folder = NSTemporaryDirectory() + "driftline-bench-smoke-" + UUID().uuidString.lowercased()
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let groups: [(String, () throws -> Void)] = [
        ("log", { try runLogBenchmarks(args: ["--records", "2000"]) }),
        ("logger", { try runLoggerBenchmarks(arguments: ["--records", "20000", "--dir", folder + "/logger", "--latency-rate", "20000"]) }),
        ("parquet", { try runParquetBenchmarks(arguments: ["--rows", "2000", "--dir", folder + "/parquet"]) }),
        ("delta", { try runDeltaBenchmarks(args: ["--files", "200"]) }),
        ("profiles", { try runProfilesBenchmarks(arguments: ["--values", "100000", "--records", "2000"]) }),
        ("store", { try runStoreBenchmarks(arguments: ["--hours", "1", "--columns", "4", "--endpoints", "1", "--values", "50", "--dir", folder + "/store"]) }),
        ("tail", { try runTailBenchmarks(arguments: ["--records", "4000", "--dir", folder + "/tail"]) }),
        ("fleet", { try runFleetBenchmarks(arguments: ["--tails", "2", "--seconds", "2", "--dir", folder + "/fleet"]) }),
        ("batch", { try runBatchBenchmarks(arguments: ["--rows", "20", "--hours", "2", "--columns", "4", "--dir", folder + "/batch"]) }),
        ("collect", { try runCollectBenchmarks(arguments: ["--records", "2000", "--pairs", "200", "--connections", "2", "--health-requests", "200"]) }),
    ]
    for (name, run) in groups {
        print("== smoke: \(name)")
        try run()
    }
    print("smoke: every group ran to its end")
}
