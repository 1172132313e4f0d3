import Driftline
import DriftlineLog
import Foundation
import Testing

/// The logger applies the partition's retention on its own: old segments that the tail has read go,
/// unread ones stay (no consumer, no deletion), and nothing the tail has not read is lost.
@Suite struct LoggerRetentionTests {
    static let monthAgo = Timestamp.now().advanced(by: .seconds(-30 * 86_400))

    static func options() -> InferenceLogger.Options {
        var options = InferenceLogger.Options(writerID: "w", bufferPolicy: .block(timeout: .seconds(10)))
        options.partition.segmentBytes = 4096
        options.partition.retention = RetentionPolicy(maxAge: .seconds(86_400))
        options.retentionInterval = .milliseconds(50)
        return options
    }

    static func segmentCount(_ partition: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: partition)) ?? []).filter { $0.hasSuffix(".log") }.count
    }

    static func logOldRecords(_ logger: InferenceLogger, count: Int, from start: Int) throws {
        for i in start..<(start + count) {
            try logger.log(features: [.number(Double(i)), 0.5, "eu"], probabilities: [0.5, 0.3, 0.2],
                           requestID: try RequestID("req-\(i)"), timestamp: monthAgo.advanced(by: .milliseconds(i)))
        }
    }

    @Test func consumedOldSegmentsAreDeletedAndUnreadOnesKept() async throws {
        let folder = TemporaryFolder()
        defer { folder.remove() }
        let logger = try InferenceLogger(directory: folder.path, endpoint: "iris", modelVersion: "1", schema: Schemas.iris,
                                         options: Self.options())
        let partition = logger.partitionFolder
        try Self.logOldRecords(logger, count: 3000, from: 0)
        try await logger.flush()
        let segmentsBefore = Self.segmentCount(partition)
        #expect(segmentsBefore > 3)
        // No consumer has read anything: a month-old log stays.
        try await Task.sleep(for: .milliseconds(300))
        try Self.logOldRecords(logger, count: 10, from: 3000)
        try await logger.flush()
        #expect(logger.statistics.segmentsDeleted == 0)
        #expect(Self.segmentCount(partition) >= segmentsBefore)

        // A tail reads the first 2,000 records. The files were written just now (a backfill of old records):
        // they stay until they are old themselves.
        try ConsumerOffset.write(2000, consumer: "tail", in: partition)
        try await Task.sleep(for: .milliseconds(300))
        try Self.logOldRecords(logger, count: 5, from: 3010)
        try await logger.flush()
        #expect(logger.statistics.segmentsDeleted == 0)
        // Once the files are a month old too, the segments wholly before offset 2,000 go, the rest stay.
        let monthAgoDate = Date(timeIntervalSinceNow: -30 * 86_400)
        for name in try FileManager.default.contentsOfDirectory(atPath: partition) where name.hasSuffix(".log") {
            try FileManager.default.setAttributes([.modificationDate: monthAgoDate], ofItemAtPath: partition + "/" + name)
        }
        try await Task.sleep(for: .milliseconds(300))
        try Self.logOldRecords(logger, count: 5, from: 3015)
        try await logger.flush()
        let statistics = logger.statistics
        #expect(statistics.segmentsDeleted > 0)
        #expect(statistics.unconsumedRecordsDeleted == 0)
        #expect(statistics.retentionFailures == 0)
        #expect(Self.segmentCount(partition) < segmentsBefore)
        #expect(statistics.bytesDeleted > 0 && statistics.bytesWritten > statistics.bytesDeleted)
        await logger.close()

        // Read from the start: a gap for what retention deleted (only offsets below 2,000), then every record
        // from there on, in order, none lost.
        let reader = try PartitionReader(partition: partition)
        var lost: Int64 = 0
        var ids: [String] = []
        while true {
            let events = try reader.read()
            if events.isEmpty { break }
            for event in events {
                switch event {
                case .gap(let gap): lost += gap.to - gap.from
                case .corruption(let region): Issue.record("unexpected corruption \(region)")
                case .records(let batch):
                    for record in batch.records { if case .inference(let inference) = record { ids.append(inference.requestID.description) } }
                }
            }
        }
        #expect(lost > 0)
        #expect(lost <= 2000)
        #expect(Int(lost) + ids.count == 3020)
        #expect(ids.last == "req-3019")
        #expect(ids == (Int(lost)..<3020).map { "req-\($0)" })
    }
}
