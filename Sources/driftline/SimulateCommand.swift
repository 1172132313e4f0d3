import ArgumentParser
import Driftline
import Foundation

/// `driftline simulate`: logs synthetic iris-like classification traffic through `InferenceLogger`.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Log synthetic iris-like classification traffic through InferenceLogger.",
        discussion: """
            Generates inferences of a 3-class model over 4 measurements (sepal/petal length/width), with
            calibrated probabilities, ~1 ms latencies and request ids; a share of them get a delayed label
            (logged with logLabel, seconds to minutes of event time later). Everything but the start time is
            the same for the same --seed; give --start too for a byte-identical log.

            Example:
              driftline simulate --log ./log --endpoint iris --records 10000 --seed 42
              driftline inspect --log ./log --endpoint iris
            """
    )

    @Option(name: .customLong("log"), help: ArgumentHelp("The log folder (created when missing).", valueName: "dir"))
    var logDirectory: String

    @Option(help: "The endpoint (the served model's name).")
    var endpoint = "iris"

    @Option(help: "The model version recorded with every record.")
    var modelVersion = "1"

    @Option(help: "Number of inferences to log.")
    var records = 10_000

    @Option(help: "Random seed: the same seed gives the same traffic.")
    var seed: UInt64 = 42

    @Option(help: "Inferences per second of event time.")
    var rate = 50.0

    @Option(help: "Share of inferences that get a delayed label, in [0, 1].")
    var labelShare = 0.3

    @Option(help: "Event time of the first inference, ISO-8601 or epoch seconds (default: so that traffic ends 5 minutes ago).")
    var start: String?

    @Option(help: "The partition's writer id.")
    var writerID = "simulate"

    func validate() throws {
        guard records >= 0 else { throw ArgumentParser.ValidationError("--records \(records): must be 0 or more") }
        guard rate > 0, rate.isFinite else { throw ArgumentParser.ValidationError("--rate \(rate): must be a positive number") }
        guard (0...1).contains(labelShare) else { throw ArgumentParser.ValidationError("--label-share \(labelShare): must lie in [0, 1]") }
        if let start, TimestampText.parse(start) == nil {
            throw ArgumentParser.ValidationError("--start \(start): not ISO-8601 (2026-11-23T16:00:00Z) or epoch seconds")
        }
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let step = Duration.microseconds(Int64(1_000_000 / rate))
        let span = Duration.microseconds(step.wholeMicroseconds * Int64(records))
        let first = start.flatMap(TimestampText.parse) ?? Timestamp.now().advanced(by: .seconds(-300) - span)
        let logger = try InferenceLogger(
            directory: logDirectory, endpoint: endpoint, modelVersion: modelVersion, schema: try IrisTraffic.schema,
            options: .init(writerID: writerID, bufferPolicy: .block(timeout: .seconds(10))))
        var traffic = IrisTraffic(seed: seed)
        var labelRandom = SeededRandom(seed: seed ^ 0x1AB3_15)
        // Labels wait here until simulated time passes theirs, so the log stays roughly in event-time order.
        var pendingLabels: [(time: Timestamp, id: RequestID, label: String)] = []
        var labels = 0
        for i in 0..<records {
            let time = first.advanced(by: .microseconds(step.wholeMicroseconds * Int64(i)))
            while let due = pendingLabels.first, due.time <= time {
                try logger.logLabel(requestID: due.id, label: due.label, timestamp: due.time)
                pendingLabels.removeFirst()
                labels += 1
            }
            let inference = traffic.next()
            let id = try RequestID("\(endpoint)-\(seed)-\(i)")
            try logger.log(features: inference.features, probabilities: inference.probabilities, requestID: id,
                           latency: inference.latency, timestamp: time)
            if labelRandom.uniform() < labelShare {
                let delay = Duration.milliseconds(Int64(5_000 + labelRandom.uniform() * 115_000))
                let entry = (time: time.advanced(by: delay), id: id, label: inference.trueClass)
                let at = pendingLabels.firstIndex { $0.time > entry.time } ?? pendingLabels.endIndex
                pendingLabels.insert(entry, at: at)
            }
        }
        for due in pendingLabels {
            try logger.logLabel(requestID: due.id, label: due.label, timestamp: due.time)
            labels += 1
        }
        try await logger.flush()
        await logger.close()
        let stats = logger.statistics
        print("logged \(records) inferences and \(labels) labels to \(logger.partitionFolder): "
            + "\(stats.batches) batches, \(stats.bytesWritten) bytes, \(stats.dropped) dropped")
        if stats.dropped > 0 { throw ExitCode(1) }
    }
}
