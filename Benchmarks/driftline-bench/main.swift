// Temporary wiring in the parquet branch (the lead merges main.swift).
let benchArguments = Array(CommandLine.arguments.dropFirst())
if benchArguments.first == "parquet" {
    try runParquetBenchmarks(arguments: Array(benchArguments.dropFirst()))
} else if benchArguments.first == "delta" {
    try runDeltaBenchmarks(args: Array(benchArguments.dropFirst()))
} else {
    print("driftline-bench: usage: driftline-bench parquet [--rows N] | delta [--files N] [--python PATH]")
}
