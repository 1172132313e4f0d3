import DriftlineCore
import DriftlineLog
import Foundation
import Testing

@Suite struct PartitionReaderTests {
    @Test(arguments: [PartitionReader.Decoding.records, .deferred])
    func readsEveryRecordAcrossSegmentsWithItsOffset(decoding: PartitionReader.Decoding) throws {
        try withTemporaryFolder { log in
            var options = PartitionWriter.Options()
            options.segmentBytes = 2048
            options.indexIntervalBytes = 300
            let writer = try Sample.openWriter(log, options: options)
            for i in 0..<60 { try writer.append(Sample.records(i * 5..<(i + 1) * 5)) }
            try writer.sync()
            #expect(SegmentWalk.segments(writer.folder).count > 3)
            let all = try readToEnd(writer.folder, decoding: decoding)
            #expect(all.records == Sample.records(0..<300))
            #expect(all.offsets == (0..<300).map(Int64.init))
            #expect(all.corruption.isEmpty && all.gaps.isEmpty)
            // Starting inside a batch, inside a later segment (through the offset index).
            for start in [1, 7, 123, 299, 300] {
                let part = try readToEnd(writer.folder, from: Int64(start), decoding: decoding)
                #expect(part.records == Sample.records(start..<300), "from \(start)")
                #expect(part.offsets.first == (start < 300 ? Int64(start) : nil))
            }
        }
    }

    /// A batch whose CRC holds but whose records do not decode: the decoding reader reports it as corrupt
    /// with a gap; the deferred reader hands it out and `decode(into:)` throws. The batches around it read.
    @Test func aBatchThatPassesItsCRCButDoesNotDecode() throws {
        try withTemporaryFolder { log in
            let writer = try Sample.openWriter(log)
            try writer.append(Sample.records(0..<3))
            let garbage: [UInt8] = [1, 0xFF, 0xFF, 0xFF, 0xFF, 7, 7, 7]
            _ = try writer.append(encodedRecords: garbage, count: 2, firstTimestamp: .now(), maxTimestamp: .now())
            try writer.append(Sample.records(5..<8))
            try writer.sync()
            let decoded = try readToEnd(writer.folder)
            #expect(decoded.records == Sample.records(0..<3) + Sample.records(5..<8))
            #expect(decoded.corruption.count == 1 && decoded.gaps.map(\.lostRecords) == [2])
            let reader = try PartitionReader(partition: writer.folder, decoding: .deferred)
            var storage: [DecodedRecord] = []
            var outcomes: [Bool] = []
            for case .records(let batch) in try reader.read() {
                outcomes.append((try? batch.decode(into: &storage)) != nil)
            }
            #expect(outcomes == [true, false, true])
            #expect(reader.position == 8)
        }
    }

    @Test func batchesCarryTheirManifestAcrossModelVersions() throws {
        try withTemporaryFolder { log in
            do {
                let v3 = try Sample.openWriter(log)
                try v3.append(Sample.records(0..<4))
                try v3.close()
            }
            let regression = try ModelSchema(features: [.numeric("a")], task: .regression)
            let v4 = try PartitionWriter(logDirectory: log, endpoint: "iris", writerID: "w1", modelVersion: "4", schema: regression)
            try v4.append([.inference(InferenceRecord(timestamp: .now(), features: [2.5], outcome: .prediction(9)))])
            try v4.sync()
            let reader = try PartitionReader(partition: v4.folder)
            let batches = try reader.read().compactMap { event -> RecordBatch? in
                if case .records(let batch) = event { return batch }
                return nil
            }
            #expect(batches.map(\.manifest.modelVersion) == ["3", "4"])
            #expect(batches[1].records.count == 1 && batches[1].firstOffset == 4)
        }
    }

    @Test func readerDoesNotTakeTheWriterLock() throws {
        try withTemporaryFolder { log in
            let writer = try Sample.openWriter(log)
            try writer.append(Sample.records(0..<3))
            try writer.sync()
            let reader = try PartitionReader(partition: writer.folder)
            #expect(try reader.read().count == 1)
            // Writer still owns the partition and keeps appending while the reader exists.
            try writer.append(Sample.records(3..<5))
            try writer.sync()
            #expect(try reader.read().count == 1)
            #expect(reader.position == 5)
        }
    }

    @Test func garbageFilesNeverCrashTheReader() throws {
        try withTemporaryFolder { log in
            let folder = log + "/e/w"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var generator = SplitMix(seed: 7)
            for round in 0..<20 {
                var bytes = (0..<(round * 97 + 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                if round % 2 == 0 { bytes.insert(contentsOf: [0x44, 0x4C, 0x42, 0x01, 1, 0, 0, 0], at: 0) }
                _ = FileManager.default.createFile(atPath: folder + "/00000000000000000000.log", contents: Data(bytes))
                let outcome = try readToEnd(folder)
                #expect(outcome.records.isEmpty)
            }
        }
    }
}
