// driftline-bench: release-built benchmarks (not tests). Each group prints its baseline in the
// same run and the ratio. `swift run -c release driftline-bench <group> [options]`.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let rest = Array(arguments.dropFirst())
do {
    switch arguments.first {
    case "log": try runLogBenchmarks(args: rest)
    case "logger": try runLoggerBenchmarks(arguments: rest)
    case "parquet": try runParquetBenchmarks(arguments: rest)
    case "delta": try runDeltaBenchmarks(args: rest)
    case "profiles": try runProfilesBenchmarks(arguments: rest)
    case "store": try runStoreBenchmarks(arguments: rest)
    case "tail": try runTailBenchmarks(arguments: rest)
    case "batch": try runBatchBenchmarks(arguments: rest)
    case "collect": try runCollectBenchmarks(arguments: rest)
    case "fleet": try runFleetBenchmarks(arguments: rest)
    case "smoke": try runSmoke()
    default:
        print("""
        usage: driftline-bench <group> [options]
          log       CRC-32C, record encoding, partition append and read
          logger    [--records N] [--dir DIR] [--latency-rate R]
                    InferenceLogger on the standard record vs JSONEncoder lines vs bare LZ4
          parquet   [--rows N]  a profiles-shaped table written and read, vs pyarrow
          delta     snapshots, checkpoints and commits, vs deltalake
          profiles  ns per numeric value and standard records/s profiled
          store     profiles table append, read and merge
          tail      records/s from a pre-written log into committed profiles, one and two partitions
          batch     a day of profiles (24 h x 12 windows x 100 columns x 3 endpoints) analysed, vs scipy
          collect   [--records N] [--pairs N] [--connections C] [--health-requests N]  driftline collect over HTTP: native batches
                    of 500 records/s and KServe CloudEvent pairs/s, vs in-process Collector and GET /healthz
          fleet     [--tails N] [--seconds S]  N tails (default 8) on their own log folders committing to one
                    store: commits/s sustained committing every second, and flat out, with the retry rate
          smoke     every group at tiny sizes (tools/test runs it: the benchmarks still run and check themselves)
        """)
        if let group = arguments.first, group != "--help", group != "-h" {
            print("driftline-bench: unknown group \(group)")
            exit(2)
        }
    }
} catch {
    // A failed self-check or baseline: say so and exit non-zero (tools/test and tools/bench-peers stop on it).
    FileHandle.standardError.write(Data("driftline-bench: \(error)\n".utf8))
    exit(1)
}
