// swift-tools-version: 6.0
// The release-built benchmarks (not tests), a package of their own beside the product, as
// swift-collections keeps its benchmarks: `swift run -c release --package-path Benchmarks driftline-bench`.
import PackageDescription

let package = Package(
    name: "driftline-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Driftline", path: ".."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // liblz4 for the bare-LZ4 baselines (the same Debian library the product links).
        .systemLibrary(name: "LZ4Baseline", path: "LZ4Baseline", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .executableTarget(
            name: "driftline-bench",
            dependencies: [
                "LZ4Baseline",
                .product(name: "Driftline", package: "Driftline"),
                .product(name: "DriftlineCore", package: "Driftline"),
                .product(name: "DriftlineLog", package: "Driftline"),
                .product(name: "Parquet", package: "Driftline"),
                .product(name: "DeltaTable", package: "Driftline"),
                .product(name: "Profiles", package: "Driftline"),
                .product(name: "DriftlineStore", package: "Driftline"),
                .product(name: "TailStage", package: "Driftline"),
                .product(name: "BatchStage", package: "Driftline"),
                .product(name: "Collector", package: "Driftline"),
                .product(name: "PipelineFile", package: "Driftline"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "driftline-bench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
