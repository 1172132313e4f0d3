import DriftlineCore
import DriftlineLog
import Foundation
import Testing

@Suite struct RetentionTests {
    /// A writer with several closed segments of old records.
    func writeSegments(_ log: String, policy: RetentionPolicy) throws -> PartitionWriter {
        var options = PartitionWriter.Options()
        options.segmentBytes = 1024
        options.retention = policy
        let writer = try Sample.openWriter(log, options: options)
        for i in 0..<40 { try writer.append(Sample.records(i * 3..<(i + 1) * 3)) }
        try writer.sync()
        return writer
    }

    func bases(_ folder: String) -> [Int64] {
        SegmentWalk.segments(folder).compactMap { SegmentFiles.baseOffset(ofLogFile: URL(fileURLWithPath: $0).lastPathComponent) }
    }

    @Test func ageRetentionKeepsWhatTheConsumerHasNotRead() throws {
        try withTemporaryFolder { log in
            let writer = try writeSegments(log, policy: RetentionPolicy(maxAge: .seconds(60)))
            let all = bases(writer.folder)
            #expect(all.count > 4)
            let later = Timestamp.now()  // every sample record is older than a minute
            // No consumer file: nothing counts as read, nothing goes.
            #expect(try writer.applyRetention(now: later).deletedSegments.isEmpty)
            // The consumer has read up to the middle of the third segment: the first two go.
            try ConsumerOffset.write(all[2] + 1, consumer: "tail", in: writer.folder)
            #expect(try ConsumerOffset.read(consumer: "tail", in: writer.folder) == all[2] + 1)
            let report = try writer.applyRetention(now: later)
            #expect(report.deletedSegments == Array(all[0..<2]))
            #expect(report.unconsumedRecordsDeleted == 0)
            #expect(bases(writer.folder) == Array(all[2...]))
            // A second, slower consumer holds everything from its position.
            try ConsumerOffset.write(all[4] + 1, consumer: "tail", in: writer.folder)
            try ConsumerOffset.write(all[3], consumer: "audit", in: writer.folder)
            #expect(try writer.applyRetention(now: later).deletedSegments == [all[2]])
            // Young segments stay even when read.
            #expect(try writer.applyRetention(now: Timestamp(microsecondsSinceEpoch: 1_763_900_000_000_000)).deletedSegments.isEmpty)
            // A reader that started at 0 reports the deleted records as a gap.
            let outcome = try readToEnd(writer.folder)
            #expect(outcome.gaps == [Gap(from: 0, to: all[3], reason: .deleted)])
            #expect(outcome.records == Sample.records(Int(all[3])..<120))
        }
    }

    @Test func sizeCapForcesDeletionOfUnreadSegmentsAndCountsThem() throws {
        try withTemporaryFolder { log in
            let writer = try writeSegments(log, policy: RetentionPolicy(maxAge: nil, maxBytes: 3000))
            let all = bases(writer.folder)
            try ConsumerOffset.write(all[1], consumer: "tail", in: writer.folder)
            let report = try writer.applyRetention()
            #expect(!report.deletedSegments.isEmpty)
            #expect(report.deletedSegments == Array(all.prefix(report.deletedSegments.count)))
            let kept = SegmentWalk.segments(writer.folder).map(fileSize).reduce(0, +)
            #expect(kept <= 3000)
            let firstKept = all[report.deletedSegments.count]
            #expect(report.unconsumedRecordsDeleted == firstKept - all[1])
            // The active segment is never deleted.
            #expect(bases(writer.folder).last == all.last)
        }
    }

    @Test func consumerOffsetFileIsPlainText() throws {
        try withTemporaryFolder { log in
            let writer = try Sample.openWriter(log)
            try ConsumerOffset.write(1234, consumer: "tail", in: writer.folder)
            #expect(String(decoding: readFile("\(writer.folder)/consumer-tail.offset"), as: UTF8.self) == "1234\n")
            #expect(throws: LogError.self) { try ConsumerOffset.write(1, consumer: "../x", in: writer.folder) }
            #expect(try ConsumerOffset.readAll(in: writer.folder) == ["tail": 1234])
        }
    }
}
