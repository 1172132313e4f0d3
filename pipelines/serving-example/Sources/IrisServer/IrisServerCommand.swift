import ArgumentParser
import Driftline
import Foundation
import Hummingbird
import ServiceLifecycle

/// `iris-server`: serves the iris model over HTTP and logs every inference with Driftline's `InferenceLogger`.
@main
struct IrisServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iris-server",
        abstract: "Serve an iris classifier over HTTP (KServe v2-like JSON) and log every inference with Driftline.",
        discussion: """
            POST /v2/models/iris/infer   {"id": "r1", "inputs": [{"name": "input-0",
                                          "shape": [1, 4], "datatype": "FP64",
                                          "data": [5.1, 3.5, 1.4, 0.2]}]}
            POST /v2/models/iris/label   {"id": "r1", "label": "setosa"}
            GET  /v2/models/iris, /v2/health/ready
            POST /admin/log/flush        answers once everything logged before it is durable (written and fsynced)

            Event time: a replay or backfill gives each request's time, as ISO-8601 (2026-11-02T03:15:00Z) or epoch
            seconds, in "parameters": {"event_time": ...} of /infer, in "event_time" beside a label, or in the header
            x-driftline-event-time; without it the server logs the time it answered.

            Inferences go to <log>/iris/<writer-id>/ (the writer id defaults to
            <host>-<pid>); SIGTERM stops the server, then flushes and closes the log.
            Logging is off with --no-logging or DRIFTLINE_LOGGING=off.

            Examples:
              # in pipelines/serving-example
              swift run iris-server --log ./log --port 8080
              curl -s -X POST localhost:8080/v2/models/iris/infer -d '{"id": "r1",
                "inputs": [{"name": "input-0", "shape": [1, 4], "datatype": "FP64",
                            "data": [5.1, 3.5, 1.4, 0.2]}]}'
              curl -s -X POST localhost:8080/v2/models/iris/label \\
                -d '{"id": "r1", "label": "setosa"}'
              driftline inspect --log ./log --endpoint iris
            """
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(name: .customLong("log"), help: ArgumentHelp("The Driftline log folder.", valueName: "dir"))
    var logDirectory = "./driftline-log"

    @Option(help: ArgumentHelp("The model file.", valueName: "file"))
    var model = "model.json"

    @Option(help: "The log partition's writer id (default: <host>-<pid>).")
    var writerID: String?

    @Flag(help: "Serve without logging (as does DRIFTLINE_LOGGING=off).")
    var noLogging = false

    @Flag(help: "Run the logger's writer thread with the default scheduling instead of Linux SCHED_BATCH (for comparisons: tools/load-serving).")
    var normalWriterScheduling = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): must lie in 0...65535") }
    }

    func run() async throws {
        let model = try IrisModel.load(path: model)
        let logging = !noLogging && ProcessInfo.processInfo.environment["DRIFTLINE_LOGGING"] != "off"
        var services: [any Service] = []
        var logger: InferenceLogger?
        if logging {
            let schema = try ModelSchema(features: model.features.map { .numeric($0) }, task: .classification(classes: model.classes))
            var options = InferenceLogger.Options(writerID: writerID)
            options.writerScheduling = normalWriterScheduling ? .normal : .background
            let opened = try InferenceLogger(directory: logDirectory, endpoint: model.name, modelVersion: model.version,
                                             schema: schema, options: options)
            services.append(LoggerService(logger: opened))
            logger = opened
        }
        let router = Router()
        InferenceRoutes(model: model, logger: logger).add(to: router)
        let where_ = logger.map { "logging to \($0.partitionFolder)" } ?? "logging off"
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "iris-server"),
            services: services,
            onServerRunning: { channel in
                say("iris-server: listening on \(channel.localAddress?.description ?? "?"), model \(model.name) v\(model.version), \(where_)")
            })
        try await app.runService()
    }
}

/// Writes a line to standard output at once (unbuffered, so scripts waiting for it see it).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
