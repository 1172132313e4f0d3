import ArgumentParser
import Collector
import Driftline
import Foundation
import PipelineFile

/// `driftline collect`: an HTTP server that logs what serving stacks send (KServe's inference logger, Open
/// Inference Protocol payloads, native JSON records) through `InferenceLogger`.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive inferences over HTTP (KServe CloudEvents, Open Inference Protocol, JSON) and log them.",
        discussion: """
            Serves, for each endpoint of the pipeline file's collect: section:
              POST /v1/endpoints/<endpoint>/records  JSON array or JSON lines of records
              POST /v1/endpoints/<endpoint>/labels   delayed labels
              POST /                                 KServe inference-logger CloudEvents
              POST /v1/flush, GET /metrics, /healthz, /readyz

            Delivery: 2xx = accepted into the log's buffer (on disk within about a
            second); ?sync=true (or header x-driftline-sync: true) = written and
            fsynced before the answer. 503 + Retry-After = nothing logged, retry. 400
            lists the refused records (the others are accepted). SIGTERM/SIGINT
            stop the server, flush the log and exit 0. --check only checks the file.

            Examples:
              driftline collect --log ./log --check \\
                --config pipelines/pipeline.example.yaml
              driftline collect --log /var/lib/driftline/log \\
                --config pipelines/pipeline.example.yaml --listen 127.0.0.1:8480
              curl -X POST 'http://127.0.0.1:8480/v1/endpoints/iris/records?sync=true' \\
                -d '{"features": [5.1, 3.5, 1.4, 0.2], "prediction": "setosa"}'
            """
    )

    @Option(name: .customLong("log"), help: ArgumentHelp("The log folder (created if missing).", valueName: "dir"))
    var logDirectory: String

    @Option(help: ArgumentHelp("A pipeline file whose collect: section lists the endpoints and their payload mapping.", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("host:port to listen on (default: collect.listen, else 127.0.0.1:8480; port 0 picks one).", valueName: "address"))
    var listen: String?

    @Option(help: ArgumentHelp("A file holding the bearer token every POST must carry (default: collect.token_file).", valueName: "file"))
    var tokenFile: String?

    @Option(help: "The base of the partitions' writer ids (default: collect-<host>-<port>); keep it stable to continue the same partitions after a restart.")
    var writerID: String?

    @Option(help: ArgumentHelp("Bytes of records each partition's buffer holds before the collector answers 503 (default 8 MiB, at least 1024).", valueName: "bytes"))
    var bufferBytes: Int = 8 << 20

    @Flag(help: "Check the pipeline file and the log folder, print the endpoints, and exit.")
    var check = false

    func validate() throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: logDirectory, isDirectory: &isFolder), !isFolder.boolValue {
            throw ValidationError("--log \(logDirectory): a file, not a folder; give the log folder (it is created if missing)")
        }
        if bufferBytes < 1024 { throw ValidationError("--buffer-bytes \(bufferBytes): give at least 1024") }
        if let listen, ListenAddress(listen) == nil {
            throw ValidationError("--listen \(listen): expected host:port, e.g. 127.0.0.1:8480")
        }
    }

    func run() async throws {
        // Until the service group traps SIGTERM/SIGINT, a stop request exits at once: nothing was accepted yet.
        for stop in [SIGTERM, SIGINT] { signal(stop) { _ in _exit(0) } }
        let settings: CollectSection
        do { settings = try PipelineFile(contentsOf: config).collectSection() } catch { throw CommandFailure(error.description) }
        let address = listen.flatMap(ListenAddress.init) ?? settings.listen ?? ListenAddress(host: "127.0.0.1", port: 8480)
        let token = try readToken(tokenFile ?? settings.tokenFile)
        try CommandFailure.makeFolder(logDirectory, flag: "--log")
        let writer = writerID ?? Self.defaultWriterID(port: address.port)
        if check {
            try printCheck(settings, address: address, writer: writer, token: token != nil)
            return
        }
        let collector: Collector
        do {
            collector = try Collector(
                logDirectory: logDirectory, config: settings, configPath: config, writerID: writer,
                loggerOptions: InferenceLogger.Options(bufferBytes: bufferBytes))
        } catch { throw CommandFailure(error.description) }
        let names = settings.endpoints.map(\.name).joined(separator: ", ")
        do {
            try await CollectorServer.run(collector: collector, listen: address, token: token) { bound in
                Self.say("driftline collect: listening on \(bound), endpoints \(names), log \(logDirectory), writer \(writer)\(token == nil ? "" : ", bearer token required")")
            }
        } catch {
            await collector.close()
            if String(describing: error).contains("already in use") {
                throw CommandFailure("cannot serve on \(address): port \(address.port) is already in use (another collector or program listens there); choose another --listen port, or stop the process that holds it")
            }
            throw CommandFailure("cannot serve on \(address): \(error); choose another --listen address (is port \(address.port) in use?)")
        }
        for (endpoint, version, statistics) in collector.statistics {
            FileHandle.standardError.write(Data("driftline collect: \(endpoint) v\(version): \(statistics)\n".utf8))
        }
    }

    func readToken(_ path: String?) throws -> String? {
        guard let path else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("--token-file \(path): cannot read the file; check the path and its permissions")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else {
            throw CommandFailure("--token-file \(path): the file must hold one token (no spaces); write e.g. the output of `openssl rand -hex 32` into it")
        }
        return token
    }

    func printCheck(_ settings: CollectSection, address: ListenAddress, writer: String, token: Bool) throws {
        // Building a collector validates every endpoint as serving would; the check opens no partition.
        do {
            try Collector.check(settings, path: config)
        } catch { throw CommandFailure(error.description) }
        print("\(config): collect section OK: listen \(address), writer \(writer)\(token ? ", bearer token" : "")")
        for endpoint in settings.endpoints {
            let task = endpoint.classes.isEmpty ? "regression" : "classes \(endpoint.classes.joined(separator: ","))"
            let version = endpoint.modelVersion.map { "model version \($0)" } ?? "model version from the response"
            print("  \(endpoint.name): \(endpoint.features.count) features (\(endpoint.features.joined(separator: ","))), \(task), "
                + "output \(endpoint.effectiveOutput.rawValue), \(version), KServe service \(endpoint.inferenceService ?? endpoint.name)")
        }
    }

    /// `collect-<host>-<port>`, or `collect-<host>-<pid>` for port 0.
    static func defaultWriterID(port: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.map { $0 == "/" || $0 == "\\" || $0.isWhitespace ? "_" : $0 }
        let safe = String(host).replacingOccurrences(of: "..", with: "_")
        return "collect-\(safe.isEmpty ? "host" : safe)-\(port == 0 ? Int(getpid()) : port)"
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
