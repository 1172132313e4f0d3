import ArgumentParser
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import TailStage

/// `driftline tail`: log → window profiles in `<store>/profiles`, exactly once.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Profile the log into per-window column profiles in <store>/profiles, exactly once.",
        discussion: """
            Follows every partition of every endpoint (or of the --endpoint ones), including partitions
            created while it runs, profiles each record into its event-time window, joins delayed labels
            with their predictions, and commits the partial rows every --commit-interval as one Delta
            commit that also records the log positions it covers. A restart resumes after the last commit.
            SIGTERM or SIGINT commits and exits 0. One tail per endpoint: a second one says who holds it
            and exits 1; tails with disjoint --endpoint sets may share a store.

            Example:
              driftline tail --log /var/lib/driftline/log --store /var/lib/driftline/store --metrics-port 9464
              driftline tail --log ./log --store ./store --endpoint iris --window 1m --once
            """
    )

    @Option(name: .customLong("log"), help: ArgumentHelp("The log folder.", valueName: "dir"))
    var logDirectory: String

    @Option(name: .customLong("store"), help: ArgumentHelp("The store folder (created if missing).", valueName: "dir"))
    var storeDirectory: String

    @Option(help: "Follow only this endpoint (repeat for several; default: every endpoint).")
    var endpoint: [String] = []

    @Option(help: "Tumbling window length, aligned to the epoch (e.g. 5m, 1h).")
    var window = "5m"

    @Option(help: "How often accumulated rows are committed (e.g. 60s).")
    var commitInterval = "60s"

    @Option(help: "How long a prediction waits for its label, in event time (e.g. 24h).")
    var joinHorizon = "24h"

    @Flag(help: "Process what the log holds now, commit, and exit.")
    var once = false

    @Option(help: "Serve Prometheus /metrics on this port.")
    var metricsPort: Int?

    @Option(help: "The address /metrics listens on.")
    var metricsHost = "127.0.0.1"

    func validate() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: logDirectory, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("--log \(logDirectory): no such folder")
        }
        for name in endpoint {
            do { _ = try PathComponent(name, field: "endpoint") } catch { throw ValidationError("--endpoint: \(error)") }
        }
        _ = try options()
        if let metricsPort, !(0...65_535).contains(metricsPort) {
            throw ValidationError("--metrics-port \(metricsPort) is not a port (0…65535)")
        }
    }

    func options() throws -> TailOptions {
        var options = TailOptions()
        func duration(_ text: String, _ flag: String) throws -> Duration {
            guard let value = DurationText.parse(text) else {
                throw ValidationError("\(flag) \(text): not a duration (use e.g. 500ms, 30s, 5m, 2h, 1d)")
            }
            return value
        }
        options.window = try duration(window, "--window")
        options.commitInterval = try duration(commitInterval, "--commit-interval")
        options.joinHorizon = try duration(joinHorizon, "--join-horizon")
        options.endpoints = endpoint
        do { try options.validate() } catch { throw ValidationError(error.description) }
        return options
    }

    func run() async throws {
        let tail: LogTail
        do {
            tail = try LogTail(log: LogDirectory(logDirectory), store: Store(root: storeDirectory), options: try options())
        } catch let error as TailError {
            FileHandle.standardError.write(Data("driftline tail: \(error)\n".utf8))
            throw ExitCode.failure
        }
        defer { tail.close() }
        if once {
            try tail.runOnce()
            return
        }
        try await TailService.runUntilSignalled(tail: tail, metricsHost: metricsHost, metricsPort: metricsPort)
    }
}
