// swift-tools-version: 6.0
// Small executables that the Python cross-checks beside them (test_*.py) and the kill tests of
// DriftlineTests drive: a package of their own, so that `swift build` of Driftline builds the product.
// tools/test builds it and points DRIFTLINE_INTEROP_BIN_DIR at its binaries.
import PackageDescription

func tool(_ name: String, _ products: [String], path: String? = nil) -> Target {
    .executableTarget(name: name, dependencies: products.map { .product(name: $0, package: "Driftline") }, path: path ?? name)
}

let package = Package(
    name: "driftline-interop",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Driftline", path: "../..")],
    targets: [
        tool("ParquetInterop", ["Parquet", "DeltaTable"]),
        tool("DeltaInterop", ["DeltaTable", "Parquet", "DriftlineCore"]),
        tool("ProfilesInterop", ["Profiles"]),
        tool("StoreInterop", ["DriftlineStore", "DeltaTable", "Profiles", "DriftlineCore"]),
        tool("TailInterop", ["DriftlineStore", "Profiles"]),
        // Writes window profiles into a store as tail does, for the batch cross-checks (test_batch.py).
        tool("BatchInterop", ["Profiling", "DriftlineStore", "DriftlineCore", "Profiles"]),
        tool("LogInterop", ["DriftlineLog", "DriftlineCore"]),
        // Logs continuously and reports what it flushed; the kill -9 test of DriftlineTests restarts it.
        tool("driftline-logger-child", ["Driftline"], path: "LoggerChild"),
    ],
    swiftLanguageModes: [.v6]
)
