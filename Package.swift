// swift-tools-version: 6.2
// 6.2: the Swift this project is built and tested with (Swift 6 language mode, strict concurrency).
import PackageDescription

// Modules follow the data flow of DESIGN.md; dependencies point one way:
// Driftline → DriftlineLog → DriftlineCore; DeltaTable → Parquet → DriftlineCore; Profiles → DriftlineCore (whose
// ByteCursor and time parsing are the product's only ones).
// DurableFiles (every create, write, fsync, rename, link and lock of the product, over swift-system) is a
// leaf that imports nothing of ours: DriftlineLog, Parquet, DeltaTable, DriftlineStore, BatchStage and the CLI use it.
let package = Package(
    name: "Driftline",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Driftline", targets: ["Driftline"]),
        .executable(name: "driftline", targets: ["driftline"]),
        // The modules below the CLI, for the benchmarks (Benchmarks/) and the cross-check tools
        // (Tests/interop/), which are packages of their own so that `swift build` builds the product only.
        .library(name: "DriftlineCore", targets: ["DriftlineCore"]),
        .library(name: "DriftlineLog", targets: ["DriftlineLog"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "DeltaTable", targets: ["DeltaTable"]),
        .library(name: "Profiles", targets: ["Profiles"]),
        .library(name: "DriftlineStore", targets: ["DriftlineStore"]),
        .library(name: "Profiling", targets: ["Profiling"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "TailStage", targets: ["TailStage"]),
        .library(name: "BatchStage", targets: ["BatchStage"]),
        .library(name: "Collector", targets: ["Collector"]),
        .library(name: "CSVInput", targets: ["CSVInput"]),
        .library(name: "PipelineFile", targets: ["PipelineFile"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // liblz4 from Debian's liblz4-dev, found through pkg-config.
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // CRC-32C for log batches: the SSE4.2 instruction when the CPU has it, slicing-by-8 otherwise.
        .target(name: "CCRC32C"),
        // The one POSIX file layer: atomic replace, put-if-absent, durable mkdir -p, locks, positional I/O,
        // the 0640/0750 permission policy and the errno advice; FILES.md says what survives a power cut.
        .target(
            name: "DurableFiles",
            dependencies: [.product(name: "SystemPackage", package: "swift-system")],
            exclude: ["FILES.md"]
        ),
        .target(name: "DriftlineCore"),
        .target(
            name: "DriftlineLog",
            dependencies: ["DriftlineCore", "DurableFiles", "CLZ4", "CCRC32C", .product(name: "SystemPackage", package: "swift-system")],
            exclude: ["FORMAT.md"]
        ),
        .target(name: "Driftline", dependencies: ["DriftlineCore", "DriftlineLog"]),
        .target(name: "Parquet", dependencies: ["DriftlineCore", "DurableFiles", "CLZ4"], exclude: ["FORMAT.md"]),
        .target(name: "DeltaTable", dependencies: ["DriftlineCore", "Parquet", "DurableFiles"]),
        .target(name: "Profiles", dependencies: ["DriftlineCore"]),
        // The store's layout: the profiles, drift and performance tables and the reference files.
        .target(name: "DriftlineStore", dependencies: ["DriftlineCore", "Profiles", "DeltaTable", "Parquet", "DurableFiles"], exclude: ["REFERENCE.md"]),
        // Records → window profiles and a training set → its reference: pure computation, shared by the
        // tail stage and `driftline profile` (no I/O, no server).
        .target(name: "Profiling", dependencies: ["DriftlineCore", "Profiles", "DriftlineStore"]),
        // CSV input of `driftline ingest` and `driftline profile`: a strict RFC 4180 reader that knows lines,
        // strict numbers and timestamps, the row validation shared with the logger, and resumable ingestion.
        .target(name: "CSVInput", dependencies: ["Driftline", "DriftlineCore", "DriftlineLog"]),
        // Simulated serving traffic of the demo's iris models (simulate, demo, benchmarks).
        .target(name: "Simulation", dependencies: ["Driftline", "DriftlineCore"]),
        // The pipeline file (`--config`): one YAML document read once and checked whole, with the batch's
        // analysis settings and the tail's and the collector's sections.
        .target(name: "PipelineFile", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(
            name: "TailStage",
            dependencies: [
                "DriftlineCore", "DriftlineLog", "Profiles", "Profiling", "DriftlineStore", "DeltaTable",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "BatchStage",
            dependencies: [
                "DriftlineCore", "Profiles", "DriftlineStore", "DeltaTable", "Parquet", "DurableFiles", "PipelineFile",
            ],
            exclude: ["BATCH.md"]
        ),
        // `driftline collect`: an HTTP server that writes KServe CloudEvents, Open Inference Protocol payloads and
        // native JSON records through InferenceLogger.
        .target(
            name: "Collector",
            dependencies: [
                "Driftline", "PipelineFile",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            exclude: ["COLLECT.md"]
        ),
        .executableTarget(
            name: "driftline",
            dependencies: [
                "Driftline", "DriftlineCore", "DriftlineLog", "DriftlineStore", "TailStage", "BatchStage", "Profiles", "DurableFiles",
                "Profiling", "Simulation", "Collector", "CSVInput", "PipelineFile",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DriftlineCoreTests", dependencies: ["DriftlineCore"]),
        .testTarget(name: "PipelineFileTests", dependencies: ["PipelineFile"]),
        .testTarget(name: "DriftlineLogTests", dependencies: ["DriftlineLog", "DriftlineCore"]),
        .testTarget(name: "DriftlineTests", dependencies: ["Driftline", "DriftlineLog", "DriftlineCore"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"]),
        .testTarget(name: "DeltaTableTests", dependencies: ["DeltaTable", "Parquet", "DurableFiles", "DriftlineCore"]),
        .testTarget(name: "ProfilesTests", dependencies: ["Profiles"]),
        .testTarget(name: "DriftlineStoreTests", dependencies: ["DriftlineStore", "Profiles", "DeltaTable", "Parquet", "DriftlineCore"]),
        .testTarget(name: "ProfilingTests", dependencies: ["Profiling", "DriftlineStore", "DriftlineCore", "Profiles"]),
        .testTarget(name: "TailStageTests", dependencies: ["TailStage", "Profiling", "DriftlineStore", "DriftlineLog", "DriftlineCore", "Profiles", "DeltaTable", "Driftline"]),
        .testTarget(name: "BatchStageTests", dependencies: ["BatchStage", "DriftlineStore", "Profiles", "DeltaTable", "DriftlineCore"]),
        .testTarget(name: "CSVInputTests", dependencies: ["CSVInput", "DriftlineCore", "Driftline", "DriftlineLog"]),
        .testTarget(
            name: "CollectorTests",
            dependencies: ["Collector", "PipelineFile", "Driftline", "DriftlineCore", "DriftlineLog", .product(name: "NIOHTTP1", package: "swift-nio")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
