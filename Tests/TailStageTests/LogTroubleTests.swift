import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import Testing
@testable import TailStage

/// Corrupt batches, gaps left by retention and references appearing mid-run: reported, counted, survived.
@Suite struct LogTroubleTests {
    /// Every batch file of a partition, oldest first.
    static func segments(_ partition: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: partition).filter { $0.hasSuffix(".log") }.sorted().map { partition + "/" + $0 }
    }

    @Test func aCorruptBatchIsSkippedCountedAndSurvived() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        // Three flushes: three batches at least; corrupt a byte inside the second one's payload.
        try fixture.logRecords(0..<100, to: logger)
        try await logger.flush()
        let firstEnd = try #require(FileManager.default.attributesOfItem(atPath: try Self.segments(fixture.logPath + "/iris/w1")[0])[.size] as? Int)
        try fixture.logRecords(100..<200, to: logger)
        try await logger.flush()
        try fixture.logRecords(200..<300, to: logger)
        try await logger.flush()
        let segment = try Self.segments(fixture.logPath + "/iris/w1")[0]
        let handle = try #require(FileHandle(forUpdatingAtPath: segment))
        try handle.seek(toOffset: UInt64(firstEnd + 100))
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: UInt64(firstEnd + 100))
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()

        let tail = try fixture.tail()
        try tail.runOnce()
        try fixture.logRecords(300..<350, to: logger)   // keeps running after it
        try await logger.flush()
        try tail.runOnce()
        tail.close()
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.corruptBatches).reduce(0, +) == 1)
        #expect(progress.map(\.counts.lostRecords).reduce(0, +) == 100)
        #expect(try fixture.total(":prediction") == 250)
        await logger.close()
    }

    /// A batch that passes its CRC but whose records do not decode (a writer bug, not bit rot): the tail
    /// decodes batches itself, so it must count it as corrupt and its records as lost, and go on.
    @Test func aBatchThatPassesItsCRCButDoesNotDecodeIsCountedAndSurvived() throws {
        let fixture = try TailFixture()
        let writer = try PartitionWriter(logDirectory: fixture.logPath, endpoint: "iris", writerID: "w2", modelVersion: "1",
                                         schema: TailFixture.schema)
        func records(_ range: Range<Int>) -> [LogRecord] {
            range.map { i in
                .inference(InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + Int64(i) * 1_000_000),
                                           features: [.number(Double(i)), "eu"], outcome: .probabilities([0.6, 0.3, 0.1])))
            }
        }
        try writer.append(records(0..<40))
        _ = try writer.append(encodedRecords: [1, 0xFF, 0xFF, 0xFF, 0xFF, 7, 7, 7], count: 5,
                              firstTimestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0),
                              maxTimestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0))
        try writer.append(records(45..<100))
        try writer.sync()
        let tail = try fixture.tail()
        try tail.runOnce()
        tail.close()
        try writer.close()
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.corruptBatches).reduce(0, +) == 1)
        #expect(progress.map(\.counts.lostRecords).reduce(0, +) == 5)
        #expect(try fixture.total(":prediction") == 95)
        #expect(progress.last?.positions["iris/w2"] == 100)
    }

    @Test func aGapLeftByRetentionIsReportedAsLostRecords() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger(segmentBytes: 4096)
        for chunk in 0..<20 {
            try fixture.logRecords(chunk * 50..<(chunk + 1) * 50, to: logger)
            try await logger.flush()
        }
        let segments = try Self.segments(fixture.logPath + "/iris/w1")
        try #require(segments.count >= 3)
        // As retention would: delete the oldest two segments (and their indexes) before the tail read them.
        for path in segments.prefix(2) {
            let base = String(path.dropLast(".log".count))
            for suffix in [".log", ".index", ".timeindex"] { try? FileManager.default.removeItem(atPath: base + suffix) }
        }
        let firstKept = try #require(Int64(URL(fileURLWithPath: segments[2]).deletingPathExtension().lastPathComponent))
        let tail = try fixture.tail()
        try tail.runOnce()
        tail.close()
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.lostRecords).reduce(0, +) == firstKept)
        #expect(try fixture.total(":prediction") == 1000 - firstKept)
        #expect(progress.last?.positions["iris/w1"] == 1000)
        await logger.close()
    }

    @Test func aReferenceAddedMidRunCountsFromTheNextWindow() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<200, to: logger)          // window 0 (one record per second, 5-minute windows)
        try await logger.flush()
        let tail = try fixture.tail()
        try tail.runOnce()
        let reference = Reference(endpoint: "iris", modelVersion: "1", binCount: 4, columns: [
            try .numeric(name: "x", values: (0..<100).map { Double($0 % 10) }, binCount: 4)
        ])
        _ = try reference.save(in: fixture.store)
        try fixture.logRecords(200..<400, to: logger)        // the rest of window 0, and window 1
        try await logger.flush()
        try tail.runOnce()
        tail.close()
        let rows = try fixture.store.profiles().rows().filter { $0.columnName == "x" }
        let window1 = TailFixture.t0 + 300_000_000
        for row in rows {
            if row.windowStartMicroseconds >= window1 {
                #expect(row.referenceID == reference.referenceID)
                #expect(row.histogram?.reduce(0, +) == row.count)
                #expect(row.histogram?.count == reference.bins(column: "x")?.binCount)
            } else {
                #expect(row.histogram == nil && row.referenceID == nil)
            }
        }
        #expect(rows.contains { $0.windowStartMicroseconds >= window1 })
        await logger.close()
    }

    @Test func labelsWaitForTheirPredictionAndUnmatchedOnesAreCountedAfterTheHorizon() async throws {
        let fixture = try TailFixture()
        let labels = try fixture.logger(writer: "a-labels")
        let predictions = try fixture.logger(writer: "b-predictions")
        // Labels first (their partition is read first), for r0…r9 and for r999, which never comes.
        for i in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 999] {
            try labels.logLabel(requestID: try RequestID("r\(i)"), label: .className("c"),
                                timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0))
        }
        try labels.logLabel(requestID: try RequestID("r0"), label: .className("a"),
                            timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0))   // a duplicate
        try await labels.flush()
        try fixture.logRecords(0..<10, to: predictions)
        try await predictions.flush()
        var options = fixture.options()
        options.joinHorizon = .seconds(60)
        let tail = try fixture.tail(options)
        try tail.runOnce()
        #expect(tail.joinState().waitingLabels == 1)
        // Predictions 2 minutes later move the watermark past the horizon: r999 counts as unmatched.
        try fixture.logRecords(120..<130, to: predictions)
        try await predictions.flush()
        try tail.runOnce()
        tail.close()
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.labelsJoined).reduce(0, +) == 10)
        #expect(progress.map(\.counts.duplicateLabels).reduce(0, +) == 1)
        #expect(progress.map(\.counts.unmatchedLabels).reduce(0, +) == 1)
        let confusion = try #require(try fixture.merged()["iris|\(TailFixture.t0)|:confusion"]?.profile.categorical)
        // Even records predicted "a" ([0.6, 0.3, 0.1]), odd ones "c": labels are all "c".
        #expect(confusion.counts == ["c|a": 5, "c|c": 5])
        await labels.close()
        await predictions.close()
    }
}
