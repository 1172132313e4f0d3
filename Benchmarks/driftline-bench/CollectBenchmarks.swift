// Benchmarks of `driftline collect` (release build): the real `driftline` binary beside this one is started on a
// loopback port, and a keep-alive HTTP/1.1 client on plain sockets (several connections, one thread each) sends
//   1. native batches of 500 iris records (unique request ids, varied values) to /v1/endpoints/iris/records;
//   2. KServe CloudEvent pairs (a v1 request and its response, one row each) to /.
// Figures: records (inferences) per second of wall time, and per CPU-second of the collector process (read from
// /proc: the "one core" figure). Baselines in the same run: the same bodies through `Collector` in process
// (no HTTP), and GET /healthz (the server's bare request rate). Self-check: the log holds exactly what was sent.
import Collector
import Driftline
import DriftlineLog
import Foundation
import PipelineFile

/// `collect [--records N] [--pairs N] [--connections C]`.
func runCollectBenchmarks(arguments: [String]) throws {
    func option(_ name: String, _ fallback: Int) -> Int {
        guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let n = Int(arguments[i + 1]) else { return fallback }
        return n
    }
    let records = option("--records", 1_000_000)
    let pairs = option("--pairs", 40_000)
    let connections = option("--connections", 4)
    let probes = option("--health-requests", 20_000)
    let root = NSTemporaryDirectory() + "driftline-bench-collect-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let configPath = root + "/pipeline.yaml"
    try CollectBench.config.write(toFile: configPath, atomically: true, encoding: .utf8)
    var load = [0.0, 0.0, 0.0]
    getloadavg(&load, 3)
    print(String(format: "collect: %d cores, load average %.2f %.2f %.2f (a shared machine: wall-clock figures shrink when others take the cores)",
                 ProcessInfo.processInfo.activeProcessorCount, load[0], load[1], load[2]))

    // Native batches.
    let batches = CollectBench.nativeBatches(records: records, batchSize: 500)
    let inProcess = try CollectBench.inProcess(batches: batches, directory: root + "/inproc", config: configPath)
    let server = try CollectServerProcess(log: root + "/log", config: configPath)
    defer { server.stop() }
    let cpuHealth = server.cpuSeconds()
    let health = try CollectBench.send(port: server.port, requests: (0..<probes).map { _ in HTTPRequest(method: "GET", path: "/healthz", headers: [], body: []) },
                                       connections: connections)
    let healthRate = Double(probes) / health.seconds
    let healthPerCPU = Double(probes) / (server.cpuSeconds() - cpuHealth)
    let cpu0 = server.cpuSeconds()
    let native = try CollectBench.send(port: server.port, requests: batches.map {
        HTTPRequest(method: "POST", path: "/v1/endpoints/iris/records", headers: ["Content-Type: application/x-ndjson"], body: $0)
    }, connections: connections)
    let nativeCPU = server.cpuSeconds() - cpu0
    guard native.statuses.allSatisfy({ $0 == 200 }) else { throw CollectBench.Failure("native: answers \(Set(native.statuses)), expected 200") }
    print(String(format: "collect native  %d records in batches of 500: %.0f records/s wall (%.2f s), %.0f records per collector CPU-second (%.2f s CPU)   baseline in-process Collector (no HTTP): %.0f records/s   ratio %.2f   GET /healthz: %.0f requests/s",
                 records, Double(records) / native.seconds, native.seconds, Double(records) / nativeCPU, nativeCPU,
                 inProcess, (Double(records) / native.seconds) / inProcess, healthRate))

    // CloudEvent pairs.
    let events = CollectBench.cloudEvents(pairs: pairs)
    let cpu1 = server.cpuSeconds()
    let paired = try CollectBench.send(port: server.port, requests: events, connections: connections, keepPairsTogether: true)
    let pairCPU = server.cpuSeconds() - cpu1
    guard paired.statuses.allSatisfy({ $0 == 200 }) else { throw CollectBench.Failure("cloudevents: answers \(Set(paired.statuses)), expected 200") }
    print(String(format: "collect kserve  %d inferences as CloudEvent pairs: %.0f inferences/s wall (%.2f s), %.0f per collector CPU-second (%.2f s CPU)   baseline GET /healthz: %.0f requests/s wall = %.0f pairs/s, %.0f requests per collector CPU-second = %.0f pairs   ratio %.2f wall, %.2f CPU",
                 pairs, Double(pairs) / paired.seconds, paired.seconds, Double(pairs) / pairCPU, pairCPU, healthRate, healthRate / 2, healthPerCPU, healthPerCPU / 2,
                 (Double(pairs) / paired.seconds) / (healthRate / 2), (Double(pairs) / pairCPU) / (healthPerCPU / 2)))

    // Self-check: everything sent is in the log, once.
    _ = try CollectBench.send(port: server.port, requests: [HTTPRequest(method: "POST", path: "/v1/flush", headers: [], body: [])], connections: 1)
    let logged = try CollectBench.countRecords(log: root + "/log")
    guard logged == records + pairs else { throw CollectBench.Failure("the log holds \(logged) records, expected \(records + pairs)") }
    print("collect self-check: the log holds \(logged) records = \(records) native + \(pairs) from CloudEvent pairs")
}

enum CollectBench {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let config = """
        collect:
          body_limit: 8MiB
          endpoints:
            iris:
              inference_service: sklearn-iris
              model_version: "1"
              features: [sepal_length, sepal_width, petal_length, petal_width]
              classes: [setosa, versicolor, virginica]
              output: class_index
        """

    /// JSON lines of `batchSize` records each: unique ids, values and probabilities varied per record. Event times
    /// are fixed and in the past (2026-05-28): the collector refuses times more than an hour ahead of its clock.
    static func nativeBatches(records: Int, batchSize: Int) -> [[UInt8]] {
        var generator = SplitMix(seed: 42)
        var batches: [[UInt8]] = []
        var n = 0
        while n < records {
            var body = ""
            for _ in 0..<min(batchSize, records - n) {
                let x = (0..<4).map { _ in String(format: "%.1f", 0.1 + Double(generator.next() % 79) / 10) }
                // Probabilities in thousandths that sum to exactly 1.
                let a = Int(generator.next() % 1001), b = Int(generator.next() % UInt64(1001 - a)), c = 1000 - a - b
                let p = [a, b, c].map { String(format: "%.3f", Double($0) / 1000) }.joined(separator: ",")
                body += #"{"features":[\#(x.joined(separator: ","))],"probabilities":[\#(p)],"request_id":"req-\#(n)","latency_ms":\#(Double(generator.next() % 5000) / 1000),"event_time":\#(1_780_000_000 + n / 1000)}"#
                body += "\n"
                n += 1
            }
            batches.append(Array(body.utf8))
        }
        return batches
    }

    /// A v1 request and response event per inference, request first.
    static func cloudEvents(pairs: Int) -> [HTTPRequest] {
        var requests: [HTTPRequest] = []
        requests.reserveCapacity(2 * pairs)
        for i in 0..<pairs {
            let common = ["ce-specversion: 1.0", "ce-id: ev-\(i)", "ce-source: http://localhost:9081/", "ce-inferenceservicename: sklearn-iris",
                          "ce-namespace: default", "ce-component: predictor", "ce-endpoint: default", "Content-Type: application/json"]
            let x = String(format: "%.1f", 4.3 + Double(i % 36) / 10)
            requests.append(HTTPRequest(method: "POST", path: "/", headers: common + ["ce-type: org.kubeflow.serving.inference.request", "ce-time: 2026-05-28T20:26:40.000Z"],
                                        body: Array(#"{"instances":[[\#(x),3.0,4.8,1.4]]}"#.utf8)))
            requests.append(HTTPRequest(method: "POST", path: "/", headers: common + ["ce-type: org.kubeflow.serving.inference.response", "ce-time: 2026-05-28T20:26:40.002Z"],
                                        body: Array(#"{"predictions":[\#(i % 3)]}"#.utf8)))
        }
        return requests
    }

    /// Records/s of the same batches through `Collector` in this process (validation, staging, the log; no HTTP).
    static func inProcess(batches: [[UInt8]], directory: String, config: String) throws -> Double {
        let collector = try Collector(logDirectory: directory, config: try PipelineFile(contentsOf: config).collectSection(), writerID: "inproc")
        let done = DispatchSemaphore(value: 0)
        let box = SecondsBox()
        Task {
            let started = monotonicNanoseconds()
            var count = 0
            for batch in batches {
                var answer = await collector.records(endpoint: "iris", body: batch, sync: false)
                while answer.status == 503 {
                    try? await Task.sleep(for: .milliseconds(1))
                    answer = await collector.records(endpoint: "iris", body: batch, sync: false)
                }
                if answer.status == 200 { count += 500 } else { box.problem = box.problem ?? answer.body }
            }
            box.seconds = Double(monotonicNanoseconds() - started) / 1e9
            box.count = count
            await collector.close()
            done.signal()
        }
        done.wait()
        if let problem = box.problem { throw Failure("in-process collector: \(problem)") }
        return Double(box.count) / box.seconds
    }

    final class SecondsBox: @unchecked Sendable {  // written by the task before `done.signal()`, read after `done.wait()`
        var seconds = 1.0
        var count = 0
        var problem: String?
    }

    struct Outcome {
        var seconds: Double
        var statuses: [Int]
    }

    /// Sends `requests` over `connections` keep-alive connections (request i on connection i % C, or pair i/2 on
    /// connection (i/2) % C when `keepPairsTogether`), each from its own thread; 503s are retried.
    static func send(port: Int, requests: [HTTPRequest], connections: Int, keepPairsTogether: Bool = false) throws -> Outcome {
        let lanes: [[Int]] = (0..<connections).map { lane in
            requests.indices.filter { (keepPairsTogether ? $0 / 2 : $0) % connections == lane }
        }
        let statuses = StatusBox(count: requests.count)
        let group = DispatchGroup()
        let started = monotonicNanoseconds()
        for lane in lanes {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let client = try HTTPConnection(port: port)
                    for index in lane {
                        var status = try client.send(requests[index])
                        while status == 503 {
                            usleep(1000)
                            status = try client.send(requests[index])
                        }
                        statuses.set(index, status)
                    }
                } catch {
                    statuses.fail("\(error)")
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        if let problem = statuses.problem { throw Failure(problem) }
        return Outcome(seconds: Double(monotonicNanoseconds() - started) / 1e9, statuses: statuses.all)
    }

    final class StatusBox: @unchecked Sendable {  // every access holds `lock`
        private let lock = NSLock()
        private var values: [Int]
        private(set) var problem: String?
        init(count: Int) { values = Array(repeating: 0, count: count) }
        func set(_ index: Int, _ status: Int) { lock.withLock { values[index] = status } }
        func fail(_ text: String) { lock.withLock { problem = problem ?? text } }
        var all: [Int] { lock.withLock { values } }
    }

    static func countRecords(log: String) throws -> Int {
        var count = 0
        for partition in try LogDirectory(log).partitions(endpoint: nil) {
            let reader = try PartitionReader(partition: partition.path)
            while true {
                let events = try reader.read()
                if events.isEmpty { break }
                for case .records(let batch) in events { count += batch.records.count }
            }
        }
        return count
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

struct HTTPRequest: Sendable {
    var method: String
    var path: String
    var headers: [String]
    var body: [UInt8]
}

/// A blocking keep-alive HTTP/1.1 connection to 127.0.0.1 over a plain socket (the bench's load generator).
final class HTTPConnection {
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CollectBench.Failure("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw CollectBench.Failure("connect to 127.0.0.1:\(port): errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends one request and reads its answer; returns the status.
    func send(_ request: HTTPRequest) throws -> Int {
        var head = "\(request.method) \(request.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(request.body.count)\r\n"
        for header in request.headers { head += header + "\r\n" }
        head += "\r\n"
        try write(Array(head.utf8) + request.body)
        // Read the head, then Content-Length bytes of body.
        while true {
            if let end = headEnd() {
                let text = String(decoding: buffer[..<end], as: UTF8.self)
                let lines = text.split(separator: "\r\n")
                guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
                    throw CollectBench.Failure("bad status line \(text.prefix(80))")
                }
                var length = 0
                for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
                let total = end + 4 + length
                while buffer.count < total { try fill() }
                buffer.removeFirst(total)
                return status
            }
            try fill()
        }
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw CollectBench.Failure("send: errno \(errno)") }
            sent += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw CollectBench.Failure("the collector closed the connection (recv \(n), errno \(errno))") }
        buffer.append(contentsOf: chunk[..<n])
    }
}

/// The `driftline collect` binary, started on a free loopback port: `$DRIFTLINE_BIN` when set (tools/test's smoke
/// run points it at the debug build), otherwise the `driftline` beside this benchmark.
final class CollectServerProcess {
    let process = Process()
    let port: Int

    init(log: String, config: String) throws {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("driftline")
        let binary = ProcessInfo.processInfo.environment["DRIFTLINE_BIN"].map { URL(fileURLWithPath: $0) } ?? beside
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw CollectBench.Failure("\(binary.path) is missing: build it with `swift build -c release --product driftline` or set DRIFTLINE_BIN")
        }
        process.executableURL = binary
        process.arguments = ["collect", "--log", log, "--config", config, "--listen", "127.0.0.1:0", "--writer-id", "bench"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #":(\d+),"#, options: .regularExpression), let port = Int(text[range].dropFirst().dropLast()) else {
            throw CollectBench.Failure("collect did not start: \(text)")
        }
        self.port = port
    }

    /// User + system CPU seconds of the collector process so far (/proc/<pid>/stat).
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
