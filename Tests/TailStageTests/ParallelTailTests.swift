import Driftline
import DriftlineCore
import DriftlineLog
import DriftlineStore
import Foundation
import Testing
@testable import TailStage

/// The partitions are profiled on several threads, each into its own accumulators, merged at commit in one
/// canonical order: the committed table must not depend on the number of workers, and every record and
/// label (joined across partitions) must count once.
@Suite struct ParallelTailTests {
    /// Four writers of one endpoint (interleaved event times, so every window has parts from every
    /// partition), each logging the labels of another writer's predictions, some before them.
    func writeLog(_ fixture: TailFixture) async throws {
        var loggers: [InferenceLogger] = []
        for w in 0..<4 { loggers.append(try fixture.logger(writer: "w\(w)")) }
        for i in 0..<4000 {
            let logger = loggers[i % 4]
            try logger.log(features: [.number(Double(i % 97) * 0.37), i % 3 == 0 ? "eu" : "us"],
                           probabilities: i % 2 == 0 ? [0.6, 0.3, 0.1] : [0.1, 0.2, 0.7],
                           requestID: try RequestID("r\(i)"), latency: .microseconds(Int64(1000 + i % 700)),
                           timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + Int64(i) * 250_000))
            // The label of request i - 8 (predicted by another writer), and, from writer 3, labels that
            // arrive before their prediction (request i + 40).
            if i >= 8, i % 5 == 0 {
                try loggers[(i + 1) % 4].logLabel(requestID: try RequestID("r\(i - 8)"), label: .className(i % 2 == 0 ? "a" : "b"),
                                                  timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + Int64(i) * 250_000))
            }
            if i % 7 == 0, i + 40 < 4000 {
                try loggers[3].logLabel(requestID: try RequestID("r\(i + 40)"), label: .className("c"),
                                        timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + Int64(i) * 250_000))
            }
            if i % 500 == 499 { for logger in loggers { try await logger.flush() } }
        }
        for logger in loggers {
            try await logger.flush()
            await logger.close()
        }
    }

    /// The profiles table's rows and its data files' bytes (sorted, names aside) after one `runOnce`.
    func commit(_ fixture: TailFixture, workers: Int, into folder: String) throws -> (rows: [ProfileRow], files: [[UInt8]], summary: TailProgress.Counts) {
        var options = fixture.options()
        options.workers = workers
        let store = Store(root: fixture.root + "/" + folder)
        let tail = try LogTail(log: fixture.log, store: store, options: options)
        try tail.runOnce()
        let summary = tail.runSummary
        tail.close()
        let profiles = store.root + "/profiles"
        var files: [[UInt8]] = []
        for name in try FileManager.default.subpathsOfDirectory(atPath: profiles) where name.hasSuffix(".parquet") {
            files.append(Array(try Data(contentsOf: URL(fileURLWithPath: profiles + "/" + name))))
        }
        files.sort { $0.lexicographicallyPrecedes($1) }
        return (try store.profiles().rows(), files, summary)
    }

    @Test func oneWorkerAndManyCommitTheSameBytes() async throws {
        let fixture = try TailFixture()
        try await writeLog(fixture)
        let one = try commit(fixture, workers: 1, into: "one")
        let two = try commit(fixture, workers: 2, into: "two")
        let four = try commit(fixture, workers: 4, into: "four")
        // 4,000 records at 4 a second: 4 five-minute windows × 12 columns.
        #expect(one.rows.count == 48)
        #expect(!one.files.isEmpty)
        #expect(one.rows == two.rows)
        #expect(one.rows == four.rows)
        #expect(one.files == two.files)
        #expect(one.files == four.files)
        // Exactly once: every record in the feature columns, every joinable label joined once.
        #expect(one.summary.records == four.summary.records)
        #expect(one.summary.labelsJoined == four.summary.labelsJoined)
        #expect(one.summary.duplicateLabels == four.summary.duplicateLabels)
        var x: Int64 = 0, labels: Int64 = 0
        for row in four.rows {
            if row.columnName == "x" { x += row.count + row.missingCount }
            if row.columnName == ":label" { labels += row.count + row.missingCount }
        }
        #expect(x == 4000)
        #expect(labels == four.summary.labelsJoined)
        #expect(four.summary.labelsJoined > 1000)
    }

    @Test func theWorkersOptionIsChecked() throws {
        var options = TailOptions()
        options.workers = 0
        #expect(throws: TailError.self) { try options.validate() }
        options.workers = 2
        try options.validate()
    }
}
