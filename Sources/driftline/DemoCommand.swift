import ArgumentParser
import DriftlineCore
import Foundation
import Simulation

/// `driftline demo`: the whole pipeline on simulated traffic in one folder, then a table of what batch found.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on 3 hours of simulated iris traffic with drift at hour 2, and show what it found.",
        discussion: """
            In --directory (default ./driftline-demo, replaced on every run):
              1. simulate: 3 hours of traffic of iris-good, iris-fair, iris-poor and
                 iris-petal-width into log/, ending at the top of the current hour;
                 from hour 2 petal length and width shift by 0.6 sd and the species
                 mix tilts to virginica, on every endpoint but iris-poor;
              2. profile: each endpoint's reference from the training data
                 (iris-train.csv, written beside);
              3. tail --once: the log into window profiles in store/profiles;
              4. batch: the 3 hours into store/drift, store/performance and
                 store/reports/ (HTML and JSON);
              5. a table per endpoint and hour: requests, accuracy (MAE for the
                 regression), estimated accuracy, drift status and the most drifted
                 features, and the reports' paths.

            Examples:
              driftline demo
              driftline demo --directory /tmp/demo --hours 6 --drift-hour 4
              xdg-open driftline-demo/store/reports/iris-good/*.html
              duckdb -c "select * from delta_scan('driftline-demo/store/performance')"
            """
    )

    @Option(help: ArgumentHelp("The demo folder (replaced when it holds an earlier demo).", valueName: "dir"))
    var directory = "./driftline-demo"

    @Option(help: "Hours of simulated traffic.")
    var hours = 3

    @Option(help: "The hour (from 0) at which the drift starts.")
    var driftHour = 2

    @Option(help: "Random seed of the traffic.")
    var seed: UInt64 = 42

    static let marker = ".driftline-demo"

    func validate() throws {
        guard (1...24).contains(hours) else { throw ValidationError("--hours \(hours): must lie in 1...24") }
        guard (0..<hours).contains(driftHour) else { throw ValidationError("--drift-hour \(driftHour): must lie in 0..<\(hours)") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        try Self.prepare(folder)
        let log = "\(folder)/log", store = "\(folder)/store", training = "\(folder)/iris-train.csv"
        let hourMicros: Int64 = 3_600_000_000
        let now = Timestamp.now().microsecondsSinceEpoch
        let start = Timestamp(microsecondsSinceEpoch: now - now % hourMicros - Int64(hours) * hourMicros)
        let end = start.advanced(by: .microseconds(Int64(hours) * hourMicros))
        let runner = try StageRunner()

        try await runner.step("simulate \(hours) h of traffic from \(start.iso8601), drift at hour \(driftHour)", [
            "simulate", "--log", log, "--hours", "\(hours)", "--start", start.iso8601, "--drift-hour", "\(driftHour)",
            "--seed", "\(seed)"])
        try CommandFailure.write(Data(TrainingTable.csv(rows: 1000, seed: 1).utf8), to: training, flag: "--directory")
        for endpoint in TrafficEndpoint.standardNames {
            try await runner.step("profile the reference of \(endpoint)", ["profile", "--store", store, "--endpoint", endpoint,
                                                                          "--model-version", "1", "--csv", training] + Self.columns(of: endpoint))
        }
        try await runner.step("tail --once: log → window profiles", ["tail", "--log", log, "--store", store, "--once"])
        try await runner.step("batch: drift and performance per hour", ["batch", "--store", store, "--from", start.iso8601,
                                                                        "--to", end.iso8601])
        let reports = try DemoReport.read(store: store, endpoints: TrafficEndpoint.standardNames, start: start, hours: hours)
        print("")
        print(DemoReport.table(reports))
        print("")
        print("HTML reports (one per endpoint and hour):")
        for report in reports { print("  \(report.htmlPath)") }
        let elapsed = clock.now - began
        print("\ndemo: done in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))); "
            + "the store is \(store) (Delta Lake tables: profiles, drift, performance)")
    }

    /// The training CSV's columns of each demo endpoint (see `TrainingTable`).
    static func columns(of endpoint: String) -> [String] {
        let features = IrisData.featureNames
        if endpoint == "iris-petal-width" {
            return ["--features", features.prefix(3).joined(separator: ","), "--prediction-column", "petal_width_prediction",
                    "--label-column", "petal_width"]
        }
        let prefix = endpoint.replacingOccurrences(of: "iris-", with: "")
        return ["--features", features.joined(separator: ","), "--classes", IrisData.classes.joined(separator: ","),
                "--proba-columns", IrisData.classes.map { "\(prefix)_\($0)" }.joined(separator: ","), "--label-column", "species"]
    }

    /// Empties the demo folder, refusing one that is not a demo's.
    static func prepare(_ folder: String) throws {
        let files = FileManager.default
        if let contents = try? files.contentsOfDirectory(atPath: folder), !contents.isEmpty {
            guard contents.contains(marker) else {
                throw ValidationError("--directory \(folder) exists and is not a demo folder (no \(marker) in it): remove it or choose another --directory")
            }
            try files.removeItem(atPath: folder)
        }
        try CommandFailure.makeFolder(folder, flag: "--directory")
        try CommandFailure.write(Data("made by driftline demo; the next demo replaces this folder\n".utf8), to: "\(folder)/\(marker)", flag: "--directory")
    }
}

/// Runs the demo's stages as child processes of this same executable, each as a user would type it.
struct StageRunner {
    let executable: URL

    init() throws {
        let linked = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if FileManager.default.isExecutableFile(atPath: linked.path), linked.lastPathComponent != "exe" {
            executable = linked
        } else if let main = Bundle.main.executableURL {
            executable = main
        } else {
            throw ValidationError("cannot find the driftline executable to run the stages; run it by its full path")
        }
    }

    func step(_ title: String, _ arguments: [String]) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        FileHandle.standardError.write(Data("demo: \(title)…\n".utf8))
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            FileHandle.standardError.write(data)
            throw DemoFailure(command: (["driftline"] + arguments).joined(separator: " "), status: process.terminationStatus)
        }
        let seconds = Double((clock.now - began).components.attoseconds) / 1e18 + Double((clock.now - began).components.seconds)
        FileHandle.standardError.write(Data(String(format: "demo:   done in %.1f s\n", seconds).utf8))
    }
}

/// A stage of the demo failed; its output is printed above.
struct DemoFailure: Error, CustomStringConvertible {
    var command: String
    var status: Int32
    var description: String { "demo: `\(command)` exited \(status) (its output is above); fix what it says and run driftline demo again" }
}
