import Driftline
import DriftlineLog
import Foundation
import Testing

@Suite struct LoggerRoundTripTests {
    static let base = Timestamp(microsecondsSinceEpoch: 1_763_900_000_000_000)

    @Test func multiclassRecordsWithCategoriesMissingValuesAndLabelsReadBackIdentical() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris,
                                         options: .init(writerID: "w1"))
        var expected: [LogRecord] = []
        for i in 0..<500 {
            let id = try RequestID("req-\(i)")
            let time = Self.base.advanced(by: .milliseconds(i))
            let features: [FeatureValue] = [.number(i % 7 == 0 ? .nan : 4.0 + Double(i % 30) / 10), 0.2,
                                            i % 5 == 0 ? .missing : .string(["eu", "us", "ap"][i % 3])]
            let p = [0.7, 0.2, 0.1]
            let label: Label? = i % 4 == 0 ? .className("setosa") : nil
            try logger.log(features: features, probabilities: p, requestID: id, latency: .microseconds(800 + i), timestamp: time, label: label)
            expected.append(.inference(InferenceRecord(timestamp: time, requestID: id, features: features, outcome: .probabilities(p),
                                                       latencyMicroseconds: Int64(800 + i), label: label)))
            if i % 10 == 3 {
                try logger.log(features: features, error: "timeout", requestID: id, latency: .milliseconds(30), timestamp: time)
                expected.append(.inference(InferenceRecord(timestamp: time, requestID: id, features: features, outcome: .error("timeout"),
                                                           latencyMicroseconds: 30_000)))
            }
            if i % 3 == 1 {
                try logger.logLabel(requestID: id, label: "virginica", timestamp: time.advanced(by: .seconds(3600)))
                expected.append(.label(LabelRecord(timestamp: time.advanced(by: .seconds(3600)), requestID: id, label: .className("virginica"))))
            }
        }
        try await logger.flush()
        let stats = logger.statistics
        #expect(stats.logged == expected.count)
        #expect(stats.written == expected.count)
        #expect(stats.synced == expected.count)
        #expect(stats.dropped == 0)
        #expect(stats.bytesWritten > 0)
        #expect(stats.batches >= 1)
        let found = LogReadBack.read(partition: logger.partitionFolder, schema: Schemas.iris)
        #expect(found.problems.isEmpty)
        #expect(found.records == expected)
        await logger.close()
    }

    @Test func binaryAndRegressionRecordsReadBackIdentical() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let binary = try InferenceLogger(directory: folder.path, endpoint: "fraud", modelVersion: "1", schema: Schemas.binary,
                                         options: .init(writerID: "w"))
        let regression = try InferenceLogger(directory: folder.path, endpoint: "price", modelVersion: "2026-11-23.1",
                                             schema: Schemas.regression, options: .init(writerID: "w"))
        var binaryExpected: [LogRecord] = []
        var regressionExpected: [LogRecord] = []
        for i in 0..<300 {
            let time = Self.base.advanced(by: .seconds(i))
            let id = try RequestID(bytes: [UInt8(i & 0xFF), UInt8(i >> 8), 0, 0xFF])
            let p1 = Double(i % 100) / 100
            let bf: [FeatureValue] = [.number(Double(i) * 1.5), i % 9 == 0 ? .missing : "fr"]
            try binary.log(features: bf, probabilities: [1 - p1, p1], requestID: id, timestamp: time, label: i % 2 == 0 ? .className("fraud") : nil)
            binaryExpected.append(.inference(InferenceRecord(timestamp: time, requestID: id, features: bf, outcome: .probabilities([1 - p1, p1]),
                                                             label: i % 2 == 0 ? .className("fraud") : nil)))
            let rf: [FeatureValue] = [3, i % 11 == 0 ? .missing : .number(Double(i)), "paris"]
            try regression.log(features: rf, prediction: 1000 + Double(i), requestID: id, latency: .microseconds(5), timestamp: time,
                               label: i % 3 == 0 ? 999.5 : nil)
            regressionExpected.append(.inference(InferenceRecord(timestamp: time, requestID: id, features: rf, outcome: .prediction(1000 + Double(i)),
                                                                 latencyMicroseconds: 5, label: i % 3 == 0 ? .value(999.5) : nil)))
        }
        try regression.logLabel(requestID: try RequestID("late"), label: .value(-2.25), timestamp: Self.base)
        regressionExpected.append(.label(LabelRecord(timestamp: Self.base, requestID: try RequestID("late"), label: .value(-2.25))))
        await binary.close()
        await regression.close()
        #expect(LogReadBack.read(partition: "\(folder.path)/fraud/w", schema: Schemas.binary).records == binaryExpected)
        #expect(LogReadBack.read(partition: "\(folder.path)/price/w", schema: Schemas.regression).records == regressionExpected)
    }

    @Test func matrixBatchReadsBackRowByRow() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let schema = try ModelSchema(features: [.numeric("a"), .numeric("b")], task: .classification(classes: ["x", "y", "z"]))
        let logger = try InferenceLogger(directory: folder.path, endpoint: "m", modelVersion: "1", schema: schema, options: .init(writerID: "w"))
        let rows = 1000
        let x = (0..<rows * 2).map { Double($0) / 7 }
        let p = (0..<rows).flatMap { _ in [0.5, 0.25, 0.25] }
        let ids = try (0..<rows).map { try RequestID("r\($0)") }
        let batch = try InferenceBatch(numericFeatures: x, columns: 2, probabilities: p, requestIDs: ids, timestamp: Self.base)
        #expect(try logger.log(batch: batch) == rows)
        // A batch with an invalid row is refused whole, naming the row.
        var bad = p
        bad[3 * 17] = 0.9
        let badBatch = try InferenceBatch(numericFeatures: x, columns: 2, probabilities: bad, timestamp: Self.base)
        let error = try #require(throws: LoggerError.self) { try logger.log(batch: badBatch) }
        #expect(error.field == "batch[17].probabilities")
        await logger.close()
        let records = LogReadBack.read(partition: logger.partitionFolder, schema: schema).records
        #expect(records.count == rows)
        for (i, record) in records.enumerated() {
            guard case .inference(let r) = record else { Issue.record("not an inference"); continue }
            #expect(r.features == [.number(x[2 * i]), .number(x[2 * i + 1])])
            #expect(r.requestID == ids[i])
            #expect(r.outcome == .probabilities([0.5, 0.25, 0.25]))
        }
    }

    @Test func loggingAfterCloseThrowsClosed() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "w"))
        await logger.close()
        let error = try #require(throws: LoggerError.self) { try logger.log(features: [1, 2, "eu"], probabilities: [1, 0, 0]) }
        #expect(error.kind == .closed)
    }

    @Test func secondLoggerOnTheSamePartitionGetsAClearError() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let first = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "w"))
        let error = try #require(throws: LoggerError.self) {
            _ = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "w"))
        }
        #expect(error.kind == .openFailed)
        #expect(error.logError?.kind == .partitionLocked)
        await first.close()
    }
}
