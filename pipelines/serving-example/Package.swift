// swift-tools-version: 6.2
// A model server that logs its inferences with Driftline: the example of what serving code adds.
// Its own package (Hummingbird 2.28 needs tools 6.2); it depends on Driftline by path.
import PackageDescription

let package = Package(
    name: "serving-example",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Driftline", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "iris-server",
            dependencies: [
                .product(name: "Driftline", package: "Driftline"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/IrisServer"
        ),
    ],
    swiftLanguageModes: [.v6]
)
