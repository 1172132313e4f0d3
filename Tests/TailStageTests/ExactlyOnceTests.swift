import DriftlineCore
import DriftlineLog
import DriftlineStore
import Testing
@testable import TailStage

@Suite struct ExactlyOnceTests {
    @Test func restartResumesAfterTheLastCommit() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<1000, to: logger)
        try await logger.flush()
        do {
            let tail = try fixture.tail()
            #expect(try tail.runOnce() != nil)
            tail.close()
        }
        try fixture.logRecords(1000..<1500, to: logger)
        try await logger.flush()
        let tail = try fixture.tail()
        try tail.runOnce()
        #expect(try tail.runOnce() == nil)          // nothing new: no empty commit
        tail.close()
        #expect(try fixture.total(":error") == 1500)
        #expect(try fixture.total("x") == 1500)
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.records) == [1000, 500])
        #expect(progress.last?.positions == ["iris/w1": 1500])
        // Windows of 300 records (one per second, 5-minute windows): 1500 records → 5 full windows.
        let windows = Set(try fixture.merged().values.map(\.key.windowStartMicroseconds))
        #expect(windows.count == 5)
        await logger.close()
    }

    @Test func labelsArrivingAfterARestartJoinPredictionsCommittedBeforeIt() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<600, to: logger)                       // two windows
        try logger.logLabel(requestID: try RequestID("r3"), label: .className("b"),
                            timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + 3_000_000))
        try await logger.flush()
        do {
            let tail = try fixture.tail()
            try tail.runOnce()
            tail.close()
        }
        // After the restart: labels for old predictions, a duplicate of r3, and one for an unknown request.
        for i in [1, 2, 3, 450] {
            try logger.logLabel(requestID: try RequestID("r\(i)"), label: .className("b"),
                                timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + 700_000_000))
        }
        try await logger.flush()
        let tail = try fixture.tail()
        #expect(tail.joinState().pendingPredictions == 600)                // rebuilt from the log
        try tail.runOnce()
        tail.close()
        let merged = try fixture.merged()
        // r1, r3 (odd: predicted c) and r2 (even: predicted a) in window 0; r450 (even) in window 1.
        #expect(merged["iris|\(TailFixture.t0)|:confusion"]?.profile.categorical?.counts == ["b|a": 1, "b|c": 2])
        #expect(merged["iris|\(TailFixture.t0 + 300_000_000)|:confusion"]?.profile.categorical?.counts == ["b|a": 1])
        #expect(try fixture.progress().map(\.counts.duplicateLabels).reduce(0, +) == 1)
        await logger.close()
    }

    @Test func consumerOffsetsFollowTheCommits() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<300, to: logger)
        try await logger.flush()
        let tail = try fixture.tail()
        try tail.runOnce()
        tail.close()
        #expect(try ConsumerOffsetReader.read(fixture.logPath + "/iris/w1") == 300)
        await logger.close()
    }

    @Test func aSecondTailOnAHeldEndpointSaysWhoHoldsIt() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<10, to: logger)
        try await logger.flush()
        let first = try fixture.tail(fixture.options(["iris"]))
        do {
            _ = try fixture.tail(fixture.options(["iris"]))
            Issue.record("the second tail should not start")
        } catch let error as TailError {
            #expect(error.kind == .endpointHeld)
            #expect(error.description.contains("pid"))
        }
        first.close()
        let again = try fixture.tail(fixture.options(["iris"]))
        again.close()
        await logger.close()
    }

    @Test func twoTailsWithDisjointEndpointsShareAStore() async throws {
        let fixture = try TailFixture()
        let iris = try fixture.logger(endpoint: "iris")
        let wine = try fixture.logger(endpoint: "wine")
        try fixture.logRecords(0..<400, to: iris)
        try fixture.logRecords(0..<250, to: wine)
        try await iris.flush()
        try await wine.flush()
        let a = try fixture.tail(fixture.options(["iris"]))
        let b = try fixture.tail(fixture.options(["wine"]))
        try a.runOnce()
        try b.runOnce()
        #expect(try fixture.total(":prediction", endpoint: "iris") == 400)
        #expect(try fixture.total(":prediction", endpoint: "wine") == 250)
        let transactions = try fixture.store.profiles().table.snapshot().transactions
        #expect(transactions == ["driftline-tail:iris": 1, "driftline-tail:wine": 1])
        a.close()
        b.close()
        await iris.close()
        await wine.close()
    }
}

/// Reads a consumer offset file through the log module.
enum ConsumerOffsetReader {
    static func read(_ partition: String) throws -> Int64? {
        try DriftlineLog.ConsumerOffset.read(consumer: "tail", in: partition)
    }
}
