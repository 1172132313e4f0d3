import Driftline
import DriftlineCore
import DriftlineLog
import Testing
@testable import TailStage

/// A restarted tail rebuilds its label join from the log; labels it joined before the restart must not be
/// counted again, neither as unmatched when they wait out the horizon a second time nor as joined.
@Suite struct JoinRestartTests {
    static func label(_ id: String, _ logger: InferenceLogger, at seconds: Int64) throws {
        try logger.logLabel(requestID: try RequestID(id), label: .className("c"),
                            timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + seconds * 1_000_000))
    }

    @Test func labelsJoinedBeforeARestartAreNotCountedUnmatchedAfterIt() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        var options = fixture.options()
        options.joinHorizon = .seconds(60)
        // Predictions r0…r9 at 0–9 s; their labels at 50 s join them. r999's label never finds a prediction;
        // r95's label arrives before its prediction (at 95 s, after the restart).
        try fixture.logRecords(0..<10, to: logger)
        for i in 0..<10 { try Self.label("r\(i)", logger, at: 50) }
        try Self.label("r999", logger, at: 50)
        try Self.label("r95", logger, at: 50)
        // Predictions at 80–89 s move the watermark to 89 s: the join keeps labels from 29 s on.
        try fixture.logRecords(80..<90, to: logger)
        try await logger.flush()
        do {
            let tail = try fixture.tail(options)
            try tail.runOnce()
            #expect(tail.joinState().waitingLabels == 2)   // r999 and r95
            tail.close()
        }
        // Restart: the rebuild re-reads the labels at 50 s, whose predictions (0–9 s) lie before its cutoff.
        try fixture.logRecords(95..<96, to: logger)      // r95 joins its waiting label
        try fixture.logRecords(200..<201, to: logger)    // watermark 200 s: every label at 50 s expires
        try await logger.flush()
        do {
            let tail = try fixture.tail(options)
            try tail.runOnce()
            #expect(tail.joinState().waitingLabels == 0)
            tail.close()
        }
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.labelsJoined).reduce(0, +) == 11)
        #expect(progress.map(\.counts.unmatchedLabels).reduce(0, +) == 1)
        #expect(progress.map(\.counts.duplicateLabels).reduce(0, +) == 0)
        await logger.close()
    }

    @Test func waitingLabelsAreCarriedThroughSeveralRestarts() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        var options = fixture.options()
        options.joinHorizon = .seconds(60)
        try fixture.logRecords(0..<10, to: logger)
        for i in 0..<10 { try Self.label("r\(i)", logger, at: 50) }
        try Self.label("r999", logger, at: 50)
        try Self.label("r95", logger, at: 50)
        try fixture.logRecords(80..<90, to: logger)
        try await logger.flush()
        // Three runs, each a restart: r95 joins in the second, the labels expire in the third.
        for records in [80..<90, 95..<96, 200..<201] {
            if records.lowerBound != 80 {
                try fixture.logRecords(records, to: logger)
                try await logger.flush()
            }
            let tail = try fixture.tail(options)
            try tail.runOnce()
            tail.close()
        }
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.labelsJoined).reduce(0, +) == 11)
        #expect(progress.map(\.counts.unmatchedLabels).reduce(0, +) == 1)
        #expect(progress.last?.waitingLabels.isEmpty == true)
        await logger.close()
    }
}
