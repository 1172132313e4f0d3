import Driftline
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

    @Test func aSecondTailSkipsAHeldPartitionAndTakesItOverWhenItIsFree() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<10, to: logger)
        try await logger.flush()
        var a = fixture.options(["iris"])
        a.tailID = "a"
        var b = fixture.options(["iris"])
        b.tailID = "b"
        let first = try fixture.tail(a)
        let second = try fixture.tail(b)          // starts; the partition is skipped, not an error
        #expect(second.locks.isEmpty)
        #expect(second.heldElsewhere["iris/w1"]?.contains("pid") == true)
        try first.runOnce()
        #expect(try second.runOnce() == nil)      // holds nothing, commits nothing
        first.close()
        try fixture.logRecords(10..<25, to: logger)
        try await logger.flush()
        // The holder stopped: the next discovery takes the partition over from the position `a` committed.
        try second.runOnce()
        #expect(second.heldElsewhere.isEmpty)
        #expect(try fixture.total(":prediction") == 25)
        let transactions = try fixture.store.profiles().table.snapshot().transactions
        #expect(transactions == ["driftline-tail@a/iris": 1, "driftline-tail@b/iris": 1])
        second.close()
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
        var irisOptions = fixture.options(["iris"]), wineOptions = fixture.options(["wine"])
        irisOptions.tailID = "h"
        wineOptions.tailID = "h"
        let a = try fixture.tail(irisOptions)
        let b = try fixture.tail(wineOptions)
        try a.runOnce()
        try b.runOnce()
        #expect(try fixture.total(":prediction", endpoint: "iris") == 400)
        #expect(try fixture.total(":prediction", endpoint: "wine") == 250)
        let transactions = try fixture.store.profiles().table.snapshot().transactions
        #expect(transactions == ["driftline-tail@h/iris": 1, "driftline-tail@h/wine": 1])
        a.close()
        b.close()
        await iris.close()
        await wine.close()
    }

    /// Two hosts of one endpoint, each with its own log folder and tail id, commit to one store; a label
    /// logged on host B (to the shared labels log) for a prediction served by host A is joined once, by A.
    @Test func tailsOfTwoHostsShareAStoreAndJoinLabelsAcrossHosts() async throws {
        let fixture = try TailFixture()
        let hostA = try fixture.logger(writer: "a")
        var hostOptions = InferenceLogger.Options(writerID: "b")
        hostOptions.bufferPolicy = .block(timeout: .seconds(30))
        let hostB = try InferenceLogger(directory: fixture.root + "/logB", endpoint: "iris", modelVersion: "1",
                                        schema: TailFixture.schema, options: hostOptions)
        var labelOptions = InferenceLogger.Options(writerID: "labels-b")
        labelOptions.bufferPolicy = .block(timeout: .seconds(30))
        let labels = try InferenceLogger(directory: fixture.root + "/labels", endpoint: "iris", modelVersion: "1",
                                         schema: TailFixture.schema, options: labelOptions)
        try fixture.logRecords(0..<100, to: hostA)
        try fixture.logRecords(100..<160, to: hostB)
        for i in [3, 50, 120, 999] {   // two of host A, one of host B, one unknown request
            try labels.logLabel(requestID: try RequestID("r\(i)"), label: .className("b"),
                                timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + 200_000_000))
        }
        for logger in [hostA, hostB, labels] { try await logger.flush() }
        func tailOptions(_ id: String) -> TailOptions {
            var o = fixture.options()
            o.tailID = id
            o.labelsLog = fixture.root + "/labels"
            return o
        }
        let a = try LogTail(log: fixture.log, store: fixture.store, options: tailOptions("a"))
        let b = try LogTail(log: LogDirectory(fixture.root + "/logB"), store: fixture.store, options: tailOptions("b"))
        try a.runOnce()
        try b.runOnce()
        #expect(try fixture.total(":prediction") == 160)
        #expect(try fixture.merged().values.filter { $0.key.columnName == ":label" }.reduce(0) { $0 + $1.profile.count } == 3)
        let joined = try fixture.progress().map(\.counts.labelsJoined).reduce(0, +)
        #expect(joined == 3)
        // Restarted, neither joins a label again.
        a.close()
        b.close()
        let a2 = try LogTail(log: fixture.log, store: fixture.store, options: tailOptions("a"))
        let b2 = try LogTail(log: LogDirectory(fixture.root + "/logB"), store: fixture.store, options: tailOptions("b"))
        try a2.runOnce()
        try b2.runOnce()
        #expect(try fixture.merged().values.filter { $0.key.columnName == ":label" }.reduce(0) { $0 + $1.profile.count } == 3)
        a2.close()
        b2.close()
        for logger in [hostA, hostB, labels] { await logger.close() }
    }
}

/// Reads a consumer offset file through the log module.
enum ConsumerOffsetReader {
    static func read(_ partition: String) throws -> Int64? {
        try DriftlineLog.ConsumerOffset.read(consumer: "tail", in: partition)
    }
}
