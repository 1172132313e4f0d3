import DeltaTable
import DriftlineCore
import Profiling
import Testing
@testable import TailStage

@Suite struct TailProgressTests {
    @Test(arguments: [
        (Int64(0), Int64(0)), (299_999_999, 0), (300_000_000, 300_000_000), (-1, -300_000_000),
        (-300_000_000, -300_000_000), (-300_000_001, -600_000_000), (1_795_392_123_456_789, 1_795_392_000_000_000),
    ])
    func windowsAreAlignedToTheEpoch(time: Int64, start: Int64) throws {
        let windows = try TumblingWindows(length: .seconds(300))
        #expect(windows.start(of: Timestamp(microsecondsSinceEpoch: time)).microsecondsSinceEpoch == start)
        #expect(windows.end(ofWindowStartingAt: Timestamp(microsecondsSinceEpoch: start)).microsecondsSinceEpoch == start + 300_000_000)
    }

    @Test func aNonPositiveWindowIsRejected() {
        #expect(throws: ValidationError.self) { try TumblingWindows(length: .zero) }
        #expect(throws: ValidationError.self) { try TumblingWindows(length: .microseconds(-5)) }
    }

    @Test func progressRoundTripsThroughCommitInfo() throws {
        var progress = TailProgress()
        progress.positions = ["iris/w1": 120_000, "wine/host-7": 3]
        progress.joinFrom = ["iris/w1": 80_000, "wine/host-7": 0]
        progress.watermarks = ["iris": Timestamp(microsecondsSinceEpoch: 1_795_000_000_000_000)]
        progress.counts.records = 5000
        progress.counts.lostRecords = 7
        progress.counts.corruptBatches = 1
        progress.counts.labelsJoined = 300
        progress.counts.rows = 120
        let info = progress.commitInfo
        #expect(info["operation"] == .string("DRIFTLINE TAIL"))
        #expect(TailProgress(commitInfo: info) == progress)
        // A commit of another writer (compaction, say) has no progress.
        #expect(TailProgress(commitInfo: ["operation": .string("REPLACE")]) == nil)
    }

    @Test func joinKeysSeparateNearbyIDs() throws {
        var seen = Set<JoinKey>()
        for i in 0..<100_000 { seen.insert(JoinKey(try RequestID("req-\(i)"))) }
        seen.insert(JoinKey(try RequestID(bytes: [])))
        seen.insert(JoinKey(try RequestID(bytes: [0])))
        seen.insert(JoinKey(try RequestID(bytes: [0, 0])))
        #expect(seen.count == 100_003)
        #expect(JoinKey(try RequestID("abc")) == JoinKey(try RequestID("abc")))
        #expect(MemoryLayout<LabelJoin.PendingPrediction>.stride == 32)
        #expect(MemoryLayout<JoinTable<LabelJoin.PendingPrediction>.Entry>.stride == 48)
    }
}
