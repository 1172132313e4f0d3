import Driftline
import Foundation

/// Runs the simulated endpoints side by side in event time, each through its own `InferenceLogger`.
public struct TrafficSimulation: Sendable {
    /// When the traffic stops: after a number of requests per endpoint at a fixed spacing, or at an end time
    /// with Poisson arrivals at each endpoint's rate (±20 % over the day).
    public enum Length: Sendable {
        case records(Int, spacing: Duration)
        case until(Timestamp)
    }

    public var endpoints: [TrafficEndpoint]
    public var seed: UInt64
    public var start: Timestamp
    public var length: Length
    public var labelShare: Double
    public var errorRate: Double
    public var drift: DriftPlan?
    /// Simulated seconds per wall-clock second; nil: as fast as possible.
    public var speed: Double?
    /// Where a share of the delayed labels is logged instead of the endpoint's own partition: a labels log
    /// shared by a fleet (`driftline tail --labels-log`), as when labels arrive at another host than the
    /// one that served the request. Nil: every label goes to the endpoint's partition.
    public var labelsElsewhere: LabelsElsewhere?

    /// A labels log folder, the writer id of its partitions, and the share of labels logged there.
    public struct LabelsElsewhere: Sendable {
        public var directory: String
        public var writerID: String
        public var share: Double

        public init(directory: String, writerID: String, share: Double) {
            self.directory = directory
            self.writerID = writerID
            self.share = share
        }
    }

    /// What one endpoint logged.
    public struct Summary: Sendable {
        public var endpoint: String
        public var inferences = 0
        public var errors = 0
        public var labels = 0
        /// Of `labels`, those logged to ``TrafficSimulation/labelsElsewhere``.
        public var labelsElsewhere = 0
        public var partition = ""
        public var statistics = LoggerStatistics()
    }

    public init(endpoints: [TrafficEndpoint], seed: UInt64, start: Timestamp, length: Length, labelShare: Double,
                errorRate: Double, drift: DriftPlan? = nil, speed: Double? = nil) {
        self.endpoints = endpoints
        self.seed = seed
        self.start = start
        self.length = length
        self.labelShare = labelShare
        self.errorRate = errorRate
        self.drift = drift
        self.speed = speed
    }

    struct EndpointState {
        var traffic: IrisTraffic
        var arrivals: SeededRandom
        var logger: InferenceLogger
        var next: Timestamp
        var pending = LabelQueue()
        /// The logger of ``TrafficSimulation/labelsElsewhere``, and the draws that pick its labels.
        var labelLogger: InferenceLogger?
        var labelDraws = SeededRandom(seed: 0)
        var summary: Summary
        var done = false
    }

    public func run(logDirectory: String, writerID: String, modelVersion: String) async throws -> [Summary] {
        var states: [EndpointState] = []
        for endpoint in endpoints {
            let logger = try InferenceLogger(
                directory: logDirectory, endpoint: endpoint.name, modelVersion: modelVersion, schema: try endpoint.schema,
                options: .init(writerID: writerID, bufferPolicy: .block(timeout: .seconds(10))))
            let traffic = IrisTraffic(endpoint: endpoint, seed: seed, errorRate: errorRate)
            var state = EndpointState(
                traffic: traffic, arrivals: SeededRandom(seed: traffic.random.state ^ 0x1AB3_15), logger: logger, next: start,
                summary: Summary(endpoint: endpoint.name, partition: logger.partitionFolder))
            if let elsewhere = labelsElsewhere {
                state.labelLogger = try InferenceLogger(
                    directory: elsewhere.directory, endpoint: endpoint.name, modelVersion: modelVersion, schema: try endpoint.schema,
                    options: .init(writerID: elsewhere.writerID, bufferPolicy: .block(timeout: .seconds(10))))
                state.labelDraws = SeededRandom(seed: traffic.random.state ^ 0x7AB_E15)
            }
            states.append(state)
        }
        for i in states.indices {
            switch length {
            case .records(let count, _): states[i].done = count <= 0
            case .until(let end): states[i].done = start >= end
            }
        }
        let clock = ContinuousClock()
        let wallStart = clock.now
        while let k = states.indices.filter({ !states[$0].done }).min(by: { states[$0].next < states[$1].next }) {
            let time = states[k].next
            if let speed {
                let due = wallStart.advanced(by: .microseconds(Int64(Double(time.duration(since: start).wholeMicroseconds) / speed)))
                if due > clock.now.advanced(by: .milliseconds(5)) { try await Task.sleep(until: due, clock: clock) }
            }
            try emit(&states[k], at: time)
        }
        var summaries: [Summary] = []
        for i in states.indices {
            while let due = states[i].pending.removeFirst() {
                try logLabel(due, &states[i])
            }
            try await states[i].logger.flush()
            await states[i].logger.close()
            if let labelLogger = states[i].labelLogger {
                try await labelLogger.flush()
                await labelLogger.close()
            }
            states[i].summary.statistics = states[i].logger.statistics
            summaries.append(states[i].summary)
        }
        return summaries
    }

    /// Logs one delayed label: to the labels log elsewhere for its share of labels, else to the endpoint's partition.
    func logLabel(_ due: LabelQueue.Entry, _ state: inout EndpointState) throws {
        if let labelLogger = state.labelLogger, let share = labelsElsewhere?.share, Double.random(in: 0..<1, using: &state.labelDraws) < share {
            try labelLogger.logLabel(requestID: due.requestID, label: due.label, timestamp: due.time)
            state.summary.labelsElsewhere += 1
        } else {
            try state.logger.logLabel(requestID: due.requestID, label: due.label, timestamp: due.time)
        }
        state.summary.labels += 1
    }

    /// Logs the labels due by `time`, then one request at `time`, and schedules the endpoint's next request.
    func emit(_ state: inout EndpointState, at time: Timestamp) throws {
        while let due = state.pending.first, due.time <= time {
            _ = state.pending.removeFirst()
            try logLabel(due, &state)
        }
        let endpoint = state.traffic.endpoint
        let active = drift.flatMap { $0.endpoints.contains(endpoint.name) && time >= $0.start ? $0 : nil }
        let inference = state.traffic.next(drift: active)
        let id = try RequestID("\(endpoint.name)-\(seed)-\(state.summary.inferences)")
        try state.logger.log(features: inference.features.map(FeatureValue.number), outcome: inference.outcome, requestID: id,
                             latency: inference.latency, timestamp: time)
        state.summary.inferences += 1
        if case .error = inference.outcome {
            state.summary.errors += 1
        } else if state.arrivals.uniform() < labelShare {
            // Ground truth arrives later: log-normal delay, median 90 s, between 5 s and 30 min.
            let seconds = min(1_800, max(5, 90 * exp(state.arrivals.normal())))
            state.pending.insert(time: time.advanced(by: .microseconds(Int64(seconds * 1e6))), requestID: id, label: inference.label)
        }
        switch length {
        case .records(let count, let spacing):
            state.next = time.advanced(by: spacing)
            state.done = state.summary.inferences >= count
        case .until(let end):
            let secondOfDay = Double(time.microsecondsSinceEpoch % 86_400_000_000) / 1e6
            let rate = endpoint.rate * (1 + 0.2 * sin(2 * .pi * secondOfDay / 86_400))
            state.next = time.advanced(by: .microseconds(Int64(state.arrivals.exponential() / rate * 1e6) + 1))
            state.done = state.next >= end
        }
    }
}
