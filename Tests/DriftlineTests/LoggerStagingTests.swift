import Driftline
import DriftlineLog
import Foundation
import Testing

@Suite struct LoggerStagingTests {
    static func record(_ id: String, _ seconds: Double) throws -> InferenceRecord {
        InferenceRecord(
            timestamp: Timestamp(secondsSinceEpoch: seconds), requestID: try RequestID(id), features: [5.1, 0.2, "eu"],
            outcome: .probabilities([0.8, 0.15, 0.05]), latencyMicroseconds: 120)
    }

    @Test func stagedRecordsGoInTogetherAndABadOneIsRejectedAlone() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "w"))
        var staged = logger.makeStagedRecords()
        try logger.stage(try Self.record("a", 1_768_464_000), into: &staged)
        let bad = InferenceRecord(timestamp: Timestamp(secondsSinceEpoch: 1_768_464_001), features: [5.1, "wide", "eu"], outcome: .probabilities([0.8, 0.15, 0.05]))
        let error = try #require(throws: LoggerError.self) { try logger.stage(bad, into: &staged) }
        #expect(error.field == "features[1] (petal_width)")
        try logger.stage(LabelRecord(timestamp: Timestamp(secondsSinceEpoch: 1_768_464_002), requestID: try RequestID("a"), label: .className("setosa")), into: &staged)
        #expect(staged.count == 2)
        #expect(try logger.tryLog(staged))
        try await logger.flush()
        let statistics = logger.statistics
        #expect(statistics.logged == 2 && statistics.rejected == 1 && statistics.dropped == 0)
        await logger.close()
        let records = LogReadBack.read(partition: logger.partitionFolder, schema: Schemas.iris).records
        #expect(records == [.inference(try Self.record("a", 1_768_464_000)),
                            .label(LabelRecord(timestamp: Timestamp(secondsSinceEpoch: 1_768_464_002), requestID: try RequestID("a"), label: .className("setosa")))])
    }

    @Test func recordsStagedByAnotherLoggerAreRefused() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let first = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "a"))
        let second = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris, options: .init(writerID: "b"))
        var staged = first.makeStagedRecords()
        try first.stage(try Self.record("a", 1_768_464_000), into: &staged)
        let error = try #require(throws: LoggerError.self) { _ = try second.tryLog(staged) }
        #expect(error.field == "staged")
        await first.close()
        await second.close()
        #expect(throws: LoggerError.self) { _ = try first.tryLog(staged) }
    }

    /// A tiny buffer and a caller faster than the writer: `tryLog` says no instead of dropping, and everything
    /// it said yes to reaches the log, in order.
    @Test func aFullBufferRefusesTheWholeSetAndDropsNothing() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "3", schema: Schemas.iris,
                                         options: .init(writerID: "w", bufferBytes: 1024))
        var accepted: [String] = []
        var refusals = 0
        let deadline = Date().addingTimeInterval(20)
        var attempt = 0
        while (refusals < 5 || accepted.count < 20) && attempt < 200_000 && Date() < deadline {
            var staged = logger.makeStagedRecords()
            let ids = (0..<8).map { "r\(attempt)-\($0)" }
            for id in ids { try logger.stage(try Self.record(id, 1_768_464_000 + Double(attempt)), into: &staged) }
            if try logger.tryLog(staged) { accepted += ids } else { refusals += 1 }
            attempt += 1
        }
        #expect(refusals >= 5, "a 1 KiB buffer never filled in \(attempt) attempts")
        try await logger.flush()
        let statistics = logger.statistics
        #expect(statistics.dropped == 0)
        #expect(statistics.logged == accepted.count)
        await logger.close()
        let records = LogReadBack.read(partition: logger.partitionFolder, schema: Schemas.iris).records
        let ids = records.compactMap { record -> String? in
            if case .inference(let inference) = record { return inference.requestID.string }
            return nil
        }
        #expect(ids == accepted)
    }
}
