// driftline-bench: release-built benchmarks (not tests). Each group prints its baseline in the
// same run and the ratio. `swift run -c release driftline-bench <group> [options]`.
let arguments = Array(CommandLine.arguments.dropFirst())
let groups = ["log", "logger", "parquet", "tail"]
switch arguments.first {
case "log":
    try runLogBenchmarks(args: Array(arguments.dropFirst()))
case "logger":
    try runLoggerBenchmarks(arguments: Array(arguments.dropFirst()))
case "parquet":
    try runParquetBenchmarks(arguments: Array(arguments.dropFirst()))
case "tail":
    try runTailBenchmarks(arguments: Array(arguments.dropFirst()))
default:
    print("usage: driftline-bench <group> [options]; groups: \(groups.joined(separator: ", "))")
    print("  logger   [--records N] [--dir DIR]   InferenceLogger vs JSONEncoder lines vs bare LZ4")
    print("  parquet  [--rows N]                  profiles-shaped table vs pyarrow")
    print("  tail     [--records N] [--dir DIR]   log → committed profiles, 1 and 2 partitions, vs decode only")
}
