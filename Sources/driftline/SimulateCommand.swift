import ArgumentParser
import Driftline
import Foundation
import Simulation

/// `driftline simulate`: the demo's and load tests' serving traffic, with drift injected at a chosen hour.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Log simulated serving traffic of iris models through InferenceLogger, with injected drift.",
        discussion: """
            Endpoints (--endpoint, repeatable; default all four): iris-good, iris-fair,
            iris-poor (logistic regressions on all four measurements, on the sepals only,
            on the sepal width only) and iris-petal-width (a regression predicting petal
            width); any other name serves the iris-good model. Requests are flowers drawn
            from Fisher's iris data, at 1.5-4 requests/s per endpoint (Poisson arrivals),
            with log-normal latencies, 0.5 % errors and, for --label-share of them, the
            true label logged later (5 s to 30 min).

            Time is simulated: event timestamps run from --start for --hours, as fast as
            the disk allows (or --speed times real time). From --drift-hour on,
            --drift-features shift by --drift-shift standard deviations and the species
            mix becomes --drift-class-mix, on --drift-endpoints (default: all but
            iris-poor). The same --seed and --start give the same records.

            --records N logs N requests per endpoint at a fixed --rate instead (--start
            then defaults to so that the traffic ends 5 minutes ago). --training-csv
            writes the models' training data instead of logging.

            Examples:
              driftline simulate --log ./log --endpoint iris --records 10000 --seed 42
              driftline simulate --log ./log --hours 3 --drift-hour 2 --seed 7
              driftline simulate --training-csv train.csv --training-rows 1000 --seed 1
            """
    )

    @Option(name: .customLong("log"), help: ArgumentHelp("The log folder (created when missing).", valueName: "dir"))
    var logDirectory: String?

    @Option(name: .customLong("endpoint"), help: "An endpoint to simulate (repeatable; default: iris-good, iris-fair, iris-poor, iris-petal-width).")
    var endpoints: [String] = []

    @Option(help: "The model version recorded with every record.")
    var modelVersion = "1"

    @Option(help: "Requests per endpoint at a fixed --rate (instead of --hours).")
    var records: Int?

    @Option(help: "Hours of simulated traffic.")
    var hours = 3.0

    @Option(help: "Random seed: the same seed gives the same traffic.")
    var seed: UInt64 = 42

    @Option(help: "Requests per second of event time for every endpoint (default: each endpoint's own rate; 50 with --records).")
    var rate: Double?

    @Option(help: "Multiplies every endpoint's request rate (load tests).")
    var rateScale = 1.0

    @Option(help: "Share of successful requests whose true label is logged later, in [0, 1].")
    var labelShare = 0.3

    @Option(help: "Share of requests that fail (logged with an error outcome), in [0, 1].")
    var errorRate = 0.005

    @Option(help: "Event time of the first request: ISO-8601, epoch seconds or 'now' (default: the top of the hour, --hours before the current hour).")
    var start: String?

    @Option(help: "Simulated seconds per real second (default: as fast as possible).")
    var speed: Double?

    @Option(help: "Hours after --start at which the drift begins (default: no drift).")
    var driftHour: Double?

    @Option(help: "Comma-separated measurements the drift shifts.")
    var driftFeatures = "petal_length,petal_width"

    @Option(help: "The drift's shift, in standard deviations of each measurement over the iris data.")
    var driftShift = 0.6

    @Option(help: "Comma-separated species mix after the drift (setosa,versicolor,virginica).")
    var driftClassMix = "0.15,0.25,0.6"

    @Option(help: "Comma-separated endpoints the drift affects (default: every simulated endpoint but iris-poor).")
    var driftEndpoints: String?

    @Option(help: "The partitions' writer id.")
    var writerID = "simulate"

    @Option(name: .customLong("labels-log"), help: ArgumentHelp(
        "Log --labels-log-share of the delayed labels to this shared labels log (writer id <writer-id>-labels) instead, as when labels reach another host than the prediction (read it with `tail --labels-log`).",
        valueName: "dir"))
    var labelsLog: String?

    @Option(help: "With --labels-log: the share of delayed labels logged there, in [0, 1].")
    var labelsLogShare = 1.0 / 3.0

    @Option(help: ArgumentHelp("Write the models' training data (features, probabilities, predictions, labels) as CSV to this file, and log nothing.", valueName: "file"))
    var trainingCSV: String?

    @Option(help: "Rows of --training-csv.")
    var trainingRows = 1000

    var selectedEndpoints: [String] { endpoints.isEmpty ? TrafficEndpoint.standardNames : endpoints }

    func validate() throws {
        guard logDirectory != nil || trainingCSV != nil else { throw ValidationError("give --log DIR (where to log) or --training-csv FILE") }
        if let records, records < 0 { throw ValidationError("--records \(records): must be 0 or more") }
        guard hours > 0, hours <= 24 * 31 else { throw ValidationError("--hours \(hours): must lie in (0, 744]") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate \(rate): must be a positive number") }
        guard rateScale > 0, rateScale.isFinite else { throw ValidationError("--rate-scale \(rateScale): must be a positive number") }
        guard (0...1).contains(labelShare) else { throw ValidationError("--label-share \(labelShare): must lie in [0, 1]") }
        guard (0...1).contains(labelsLogShare) else { throw ValidationError("--labels-log-share \(labelsLogShare): must lie in [0, 1]") }
        guard (0...1).contains(errorRate) else { throw ValidationError("--error-rate \(errorRate): must lie in [0, 1]") }
        if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed \(speed): must be a positive number (60: one simulated minute per second)") }
        if let start, start != "now", Timestamp(parsing: start.trimmingSpaces) == nil {
            throw ValidationError("--start \(start): not a time; give ISO-8601 (2026-11-23T16:00:00Z), epoch seconds or 'now'")
        }
        if let driftHour, !(driftHour >= 0 && driftHour.isFinite) { throw ValidationError("--drift-hour \(driftHour): must be 0 or more") }
        for name in Self.list(driftFeatures) where !IrisData.featureNames.contains(name) {
            throw ValidationError("--drift-features: \(name) is not one of \(IrisData.featureNames.joined(separator: ", "))")
        }
        let mix = Self.list(driftClassMix).map { Double($0) }
        guard mix.count == 3, mix.allSatisfy({ ($0 ?? -1) >= 0 }), abs(mix.reduce(0) { $0 + ($1 ?? 0) } - 1) < 1e-6 else {
            throw ValidationError("--drift-class-mix \(driftClassMix): three shares (setosa,versicolor,virginica) that sum to 1")
        }
        guard trainingRows > 0 else { throw ValidationError("--training-rows \(trainingRows): must be positive") }
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        if let trainingCSV {
            try CommandFailure.write(Data(TrainingTable.csv(rows: trainingRows, seed: seed).utf8), to: trainingCSV, flag: "--training-csv")
            print("wrote \(trainingRows) training rows to \(trainingCSV)")
            return
        }
        guard let logDirectory else { return }
        try CommandFailure.makeFolder(logDirectory, flag: "--log")
        let hourMicros: Int64 = 3_600_000_000
        let length: TrafficSimulation.Length
        let first: Timestamp
        if let records {
            let spacing = Duration.microseconds(Int64(1_000_000 / (rate ?? 50) / rateScale))
            length = .records(records, spacing: spacing)
            first = parsedStart ?? Timestamp.now().advanced(by: .seconds(-300) - spacing * records)
        } else {
            let now = Timestamp.now().microsecondsSinceEpoch
            first = parsedStart ?? Timestamp(microsecondsSinceEpoch: now - now % hourMicros - Int64((hours.rounded(.up)) * Double(hourMicros)))
            length = .until(first.advanced(by: .microseconds(Int64(hours * Double(hourMicros)))))
        }
        let simulated = selectedEndpoints.map { name in
            var endpoint = TrafficEndpoint.named(name)
            endpoint.rate = (rate ?? endpoint.rate) * rateScale
            return endpoint
        }
        let drift = driftHour.map { hour in
            DriftPlan(
                start: first.advanced(by: .microseconds(Int64(hour * Double(hourMicros)))),
                features: Self.list(driftFeatures).compactMap { IrisData.featureNames.firstIndex(of: $0) },
                shift: driftShift, classMix: Self.list(driftClassMix).compactMap { Double($0) },
                endpoints: Set(driftEndpoints.map(Self.list) ?? selectedEndpoints.filter { $0 != "iris-poor" }))
        }
        var simulation = TrafficSimulation(
            endpoints: simulated, seed: seed, start: first, length: length, labelShare: labelShare, errorRate: errorRate,
            drift: drift, speed: speed)
        if let labelsLog {
            try CommandFailure.makeFolder(labelsLog, flag: "--labels-log")
            simulation.labelsElsewhere = .init(directory: labelsLog, writerID: writerID + "-labels", share: labelsLogShare)
        }
        let summaries = try await simulation.run(logDirectory: logDirectory, writerID: writerID, modelVersion: modelVersion)
        if let drift {
            print("drift from \(drift.start.iso8601) on \(drift.endpoints.sorted().joined(separator: ", ")): "
                + "\(driftFeatures) +\(driftShift) sd, species mix \(driftClassMix)")
        }
        for s in summaries {
            let elsewhere = labelsLog.map { " (\(s.labelsElsewhere) of them to \($0))" } ?? ""
            print("logged \(s.inferences) inferences (\(s.errors) errors) and \(s.labels) labels\(elsewhere) to \(s.partition): "
                + "\(s.statistics.batches) batches, \(s.statistics.bytesWritten) bytes, \(s.statistics.dropped) dropped")
        }
        if summaries.contains(where: { $0.statistics.dropped > 0 }) { throw ExitCode(1) }
    }

    var parsedStart: Timestamp? {
        guard let start else { return nil }
        return start == "now" ? Timestamp.now() : Timestamp(parsing: start.trimmingSpaces)
    }
}
