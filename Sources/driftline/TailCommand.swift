import ArgumentParser
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import PipelineFile
import TailStage

/// `driftline tail`: log → window profiles in `<store>/profiles`, exactly once.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Profile the log into per-window column profiles in <store>/profiles, exactly once.",
        discussion: """
            Follows every partition of every endpoint (or of the --endpoint ones),
            including partitions created while it runs, profiles each record into its
            event-time window, joins delayed labels with their predictions, and commits
            the partial rows every --commit-interval as one Delta commit that also records
            the log positions it covers. A restart resumes after the last commit. SIGTERM
            or SIGINT commits and exits 0.

            A fleet: run one tail per serving host, each on its host's log folder and all
            on one shared store, each with its own --tail-id (default: the host name).
            Each log partition is consumed by one tail at a time (a lock per partition in
            the store): a tail skips a partition another tail holds, says so, and takes
            it over when that tail stops. --labels-log names a folder of label partitions
            every tail reads, for labels logged on another host than their prediction.

            Examples:
              driftline tail --log ./log --store ./store --once
              driftline tail --log ./log --store ./store --endpoint iris --window 1m --once
              driftline tail --log /var/lib/driftline/log \\
                --store /var/lib/driftline/store \\
                --config pipelines/pipeline.example.yaml --metrics-port 9464
            """
    )

    @Option(name: .customLong("log"), help: ArgumentHelp("The log folder.", valueName: "dir"))
    var logDirectory: String

    @Option(name: .customLong("store"), help: ArgumentHelp("The store folder (created if missing).", valueName: "dir"))
    var storeDirectory: String

    @Option(help: "Follow only this endpoint (repeat for several; default: every endpoint).")
    var endpoint: [String] = []

    @Option(help: "Tumbling window length, aligned to the epoch; must divide an hour (1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m, 1h; default 5m).")
    var window: String?

    @Option(help: "How often accumulated rows are committed (e.g. 60s).")
    var commitInterval: String?

    @Option(help: "How long a prediction waits for its label, in event time (e.g. 24h).")
    var joinHorizon: String?

    @Option(help: ArgumentHelp("This tail's name in a fleet sharing one store (default: the host name); its commits carry it.", valueName: "id"))
    var tailID: String?

    @Option(name: .customLong("labels-log"), help: ArgumentHelp(
        "A log folder of labels shared by every tail of a fleet: labels whose prediction this tail holds are joined, others are left to the tail that holds them.",
        valueName: "dir"))
    var labelsLog: String?

    @Flag(help: "Process what the log holds now, commit, and exit.")
    var once = false

    @Option(help: "Serve Prometheus /metrics on this port.")
    var metricsPort: Int?

    @Option(help: "The address /metrics listens on (default 127.0.0.1).")
    var metricsHost: String?

    @Option(help: ArgumentHelp(
        "A pipeline file whose `tail:` section sets window, commit_interval, join_horizon, endpoints, metrics_port and metrics_host; flags win over it.",
        valueName: "file"))
    var config: String?

    func validate() throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: logDirectory, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw ValidationError("--log \(logDirectory): not a folder; give the log folder your serving code (or `driftline simulate --log`) writes")
            }
        } else if once {
            // Following, tail waits for the folder to appear (a tail started before the serving processes).
            throw ValidationError("--log \(logDirectory): no such folder; give the log folder your serving code (or `driftline simulate --log`) writes (without --once, tail waits for it to appear)")
        }
        let settings = try effective()
        for name in settings.endpoints ?? [] {
            do { _ = try PathComponent(name, field: "endpoint") } catch { throw ValidationError("--endpoint: \(error)") }
        }
        _ = try options()
        if let port = settings.metricsPort, !(0...65_535).contains(port) {
            throw ValidationError("--metrics-port \(port): not a port; give 0…65535")
        }
    }

    /// The flags over the `--config` file's `tail:` section over the defaults (durations still as
    /// flags give them, so that an error names the flag).
    struct Settings {
        var window: Duration
        /// The window as its flag or key names it in errors.
        var windowText: String
        var commitInterval: Duration
        var joinHorizon: Duration
        var endpoints: [String]?
        var metricsPort: Int?
        var metricsHost: String?
    }

    func effective() throws -> Settings {
        var file = TailSection()
        if let config {
            do { file = try PipelineFile(contentsOf: config).tail } catch { throw ValidationError(error.description) }
        }
        func duration(_ flag: String?, _ name: String, file: Duration?, default fallback: Duration) throws -> Duration {
            guard let flag else { return file ?? fallback }
            guard let value = DurationText.parse(flag) else {
                throw ValidationError("\(name) \(flag): not a duration of at most 100 years (use e.g. 500ms, 30s, 5m, 2h, 1d)")
            }
            return value
        }
        let windowValue = try duration(window, "--window", file: file.window, default: .seconds(300))
        return Settings(
            window: windowValue,
            windowText: window.map { "--window \($0)" } ?? file.window.map { "--config \(config ?? ""): tail.window = \(DurationText.text($0))" } ?? "--window 5m",
            commitInterval: try duration(commitInterval, "--commit-interval", file: file.commitInterval, default: .seconds(60)),
            joinHorizon: try duration(joinHorizon, "--join-horizon", file: file.joinHorizon, default: .seconds(86_400)),
            endpoints: endpoint.isEmpty ? file.endpoints : endpoint,
            metricsPort: metricsPort ?? file.metricsPort,
            metricsHost: metricsHost ?? file.metricsHost)
    }

    func options() throws -> TailOptions {
        var options = TailOptions()
        let settings = try effective()
        options.window = settings.window
        options.commitInterval = settings.commitInterval
        options.joinHorizon = settings.joinHorizon
        options.endpoints = settings.endpoints ?? []
        if let tailID { options.tailID = tailID }
        options.labelsLog = labelsLog
        do { try options.validate() } catch { throw ValidationError(error.description) }
        try Self.checkDividesHour(options.window, text: settings.windowText)
        return options
    }

    /// Tumbling windows must tile the batch stage's hours (and so its days): a window that does not divide
    /// an hour would straddle hour boundaries and put records into the wrong hour's counts.
    static func checkDividesHour(_ window: Duration, text: String) throws {
        let (seconds, attoseconds) = window.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0, 3_600_000 % milliseconds == 0, milliseconds % 1000 == 0 else {
            throw ValidationError("\(text): must divide an hour (batch analyses UTC hours and days) into whole seconds; "
                + "valid: \(validWindows.joined(separator: ", ")) (or any number of seconds dividing 3600)")
        }
    }

    static let validWindows = ["1m", "2m", "3m", "4m", "5m", "6m", "10m", "12m", "15m", "20m", "30m", "1h"]

    func run() async throws {
        if !once {
            // Until the service group traps SIGTERM/SIGINT (it replaces these handlers when it starts), a stop
            // request exits 0 at once: opening the store and rebuilding the label join profile nothing, so there
            // is nothing to commit yet. Without this, a stop in that moment killed the process by the signal.
            for stop in [SIGTERM, SIGINT] { signal(stop) { _ in _exit(0) } }
        }
        if once, KnownEndpoints.inLog(logDirectory)?.isEmpty == true {
            FileHandle.standardError.write(Data("driftline tail: \(logDirectory) has no partitions yet, nothing to profile; log to it first (InferenceLogger, `driftline ingest` or `driftline simulate`)\n".utf8))
        }
        if let known = KnownEndpoints.inLog(logDirectory) {
            for name in try effective().endpoints ?? [] where !known.contains(name) {
                let wait = once ? "--once finds nothing to profile for it" : "tail waits for it to appear"
                FileHandle.standardError.write(Data("driftline tail: warning: \(KnownEndpoints.problem(name, known: known, in: logDirectory, remedy: "log to it first")); \(wait)\n".utf8))
            }
        }
        let settings = try effective()
        let tail: LogTail
        do {
            tail = try LogTail(log: LogDirectory(logDirectory), store: Store(root: storeDirectory), options: try options())
        } catch let error as TailError {
            FileHandle.standardError.write(Data("driftline tail: \(error)\n".utf8))
            throw ExitCode.failure
        }
        if once {
            defer { tail.close() }
            try tail.runOnce()
            print("driftline tail: \(tail.runSummaryText)")
            return
        }
        // The tail is sent to the service, which runs, commits and closes it (LogTail is not Sendable).
        let summary = try await TailService.runUntilSignalled(
            tail: tail, metricsHost: settings.metricsHost ?? "127.0.0.1", metricsPort: settings.metricsPort)
        print("driftline tail: stopped; \(summary)")
    }
}
