import Driftline
import DriftlineLog
import Foundation
import Testing

@Suite struct LoggerValidationTests {
    struct BadRecord: Sendable, CustomTestStringConvertible {
        let name: String
        let features: [FeatureValue]
        let probabilities: [Double]
        let label: Label?
        let kind: ValidationError.Kind
        let field: String
        var testDescription: String { name }
    }

    static let good: [FeatureValue] = [5.1, 0.2, "eu"]
    static let badRecords: [BadRecord] = [
        BadRecord(name: "too few features", features: [5.1, 0.2], probabilities: [0.9, 0.05, 0.05], label: nil, kind: .wrongArity, field: "features"),
        BadRecord(name: "too many features", features: [5.1, 0.2, "eu", 1], probabilities: [0.9, 0.05, 0.05], label: nil, kind: .wrongArity, field: "features"),
        BadRecord(name: "too few probabilities", features: good, probabilities: [0.9, 0.1], label: nil, kind: .wrongArity, field: "probabilities"),
        BadRecord(name: "unknown class", features: good, probabilities: [0.9, 0.05, 0.05], label: .className("rose"), kind: .unknownClass, field: "label"),
        BadRecord(name: "negative probability", features: good, probabilities: [0.6, -0.1, 0.5], label: nil, kind: .invalidProbability, field: "probabilities[1] (versicolor)"),
        BadRecord(name: "NaN probability", features: good, probabilities: [.nan, 0.5, 0.5], label: nil, kind: .invalidProbability, field: "probabilities[0] (setosa)"),
        BadRecord(name: "probabilities not summing to 1", features: good, probabilities: [0.5, 0.2, 0.2], label: nil, kind: .probabilitiesDoNotSumToOne, field: "probabilities"),
        BadRecord(name: "category where a number belongs", features: [5.1, "wide", "eu"], probabilities: [0.9, 0.05, 0.05], label: nil, kind: .stringWhereNumberBelongs, field: "features[1] (petal_width)"),
        BadRecord(name: "number where a category belongs", features: [5.1, 0.2, 3], probabilities: [0.9, 0.05, 0.05], label: nil, kind: .numberWhereCategoryBelongs, field: "features[2] (region)"),
    ]

    @Test(arguments: badRecords)
    func badRecordIsATypedErrorNamingTheFieldAndTheLoggerStaysUsable(_ bad: BadRecord) async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "w"))
        let error = try #require(throws: LoggerError.self) {
            try logger.log(features: bad.features, probabilities: bad.probabilities, requestID: try RequestID("bad"), label: bad.label)
        }
        #expect(error.kind == .invalid)
        #expect(error.validation?.kind == bad.kind)
        #expect(error.field == bad.field)
        #expect(error.description.contains(bad.field))
        // Still usable: a good record goes through, and only it reaches the log.
        try logger.log(features: Self.good, probabilities: [0.9, 0.05, 0.05], requestID: try RequestID("good"))
        await logger.close()
        #expect(logger.statistics.rejected == 1)
        let records = LogReadBack.read(partition: logger.partitionFolder, schema: Schemas.iris).records
        #expect(records.count == 1)
        if case .inference(let record)? = records.first { #expect(record.requestID == (try RequestID("good"))) }
    }

    @Test func wrongOutcomeKindsAndBadLabelsAreTypedErrors() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "price", modelVersion: "1", schema: Schemas.regression, options: .init(writerID: "w"))
        #expect(throws: LoggerError.self) { try logger.log(features: [1, 2, "x"], probabilities: [0.5, 0.5]) }
        let infinite = try #require(throws: LoggerError.self) { try logger.log(features: [1, 2, "x"], prediction: .infinity) }
        #expect(infinite.field == "prediction")
        let latency = try #require(throws: LoggerError.self) { try logger.log(features: [1, 2, "x"], prediction: 1, latency: .microseconds(-5)) }
        #expect(latency.field == "latency")
        let label = try #require(throws: LoggerError.self) { try logger.logLabel(requestID: try RequestID("r"), label: "setosa") }
        #expect(label.field == "label")
        let noID = try #require(throws: LoggerError.self) { try logger.logLabel(requestID: .none, label: .value(1)) }
        #expect(noID.field == "requestID")
        try logger.log(features: [1, .missing, "x"], prediction: 1)
        await logger.close()
        #expect(logger.statistics.rejected == 5)
        #expect(logger.statistics.written == 1)
    }

    /// EventTimeRange, as `tail` quarantines by: before 2000, more than 1 h ahead, or the ends of the 64-bit range.
    static let badTimes: [Int64] = [
        Int64.min, -1, 0, 946_684_799_999_999,                               // before 2000-01-01
        4_102_444_800_000_000, Int64.max,                                     // 2100, the end of the range
    ]

    @Test(arguments: badTimes)
    func anEventTimeOutsideTheRangeIsATypedErrorCountedAsRejected(_ micros: Int64) async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "w"))
        let time = Timestamp(microsecondsSinceEpoch: micros)
        let error = try #require(throws: LoggerError.self) {
            try logger.log(features: Self.good, probabilities: [0.9, 0.05, 0.05], requestID: try RequestID("bad"), timestamp: time)
        }
        #expect(error.kind == .invalid && error.validation?.kind == .outOfRange)
        #expect(error.field == "timestamp")
        #expect(error.description.contains(EventTimeRange.describe(time)))
        // The same rule for labels and staged records (what collect logs through).
        let label = try #require(throws: LoggerError.self) { try logger.logLabel(requestID: try RequestID("bad"), label: "setosa", timestamp: time) }
        #expect(label.field == "timestamp")
        var staged = logger.makeStagedRecords()
        let stagedError = try #require(throws: LoggerError.self) {
            try logger.stage(InferenceRecord(timestamp: time, features: Self.good, outcome: .probabilities([0.9, 0.05, 0.05])), into: &staged)
        }
        #expect(stagedError.field == "timestamp")
        // In range (an hour ago, and 30 minutes ahead: within the 1 h skew) is logged; only those reach the log.
        let now = Timestamp.now().microsecondsSinceEpoch
        try logger.log(features: Self.good, probabilities: [0.9, 0.05, 0.05], requestID: try RequestID("past"), timestamp: Timestamp(microsecondsSinceEpoch: now - 3_600_000_000))
        try logger.log(features: Self.good, probabilities: [0.9, 0.05, 0.05], requestID: try RequestID("ahead"), timestamp: Timestamp(microsecondsSinceEpoch: now + 1_800_000_000))
        await logger.close()
        #expect(logger.statistics.rejected == 3)
        #expect(LogReadBack.read(partition: logger.partitionFolder, schema: Schemas.iris).records.count == 2)
    }

    @Test(arguments: ["a/b", "..", "up/../x", "bell\u{7}", "line\nfeed", ""])
    func unsafeEndpointIsATypedErrorNamingEndpoint(_ endpoint: String) throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let error = try #require(throws: LoggerError.self) {
            _ = try InferenceLogger(directory: folder.path, endpoint: endpoint, modelVersion: "1", schema: Schemas.iris, options: .init(writerID: "w"))
        }
        #expect(error.kind == .invalid)
        #expect(error.field == "endpoint")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test(arguments: ["host/1", "..", "a..b", "esc\u{1B}", "del\u{7F}"])
    func unsafeWriterIDIsATypedErrorNamingWriterID(_ writerID: String) throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let error = try #require(throws: LoggerError.self) {
            _ = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "1", schema: Schemas.iris, options: .init(writerID: writerID))
        }
        #expect(error.kind == .invalid)
        #expect(error.field == "writerID")
    }

    @Test func defaultWriterIDIsHostnameDashPid() throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "1", schema: Schemas.iris)
        let writerID = URL(fileURLWithPath: logger.partitionFolder).lastPathComponent
        #expect(writerID.hasSuffix("-\(ProcessInfo.processInfo.processIdentifier)"))
        #expect(writerID.hasPrefix(ProcessInfo.processInfo.hostName.prefix(1)))
    }
}
