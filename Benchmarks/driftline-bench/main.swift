// driftline-bench: release-built benchmarks (not tests). `swift run -c release driftline-bench <group> [options]`.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "logger":
    try runLoggerBenchmarks(arguments: Array(arguments.dropFirst()))
default:
    print("usage: driftline-bench logger [--records N] [--dir DIR]")
}
