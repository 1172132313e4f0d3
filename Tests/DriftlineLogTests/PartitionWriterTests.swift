import DriftlineCore
@testable import DriftlineLog
import Foundation
import Testing

@Suite(.serialized) struct PartitionWriterTests {
    @Test func appendedBatchesAreWrittenWithContiguousOffsets() throws {
        try withTemporaryFolder { log in
            let writer = try Sample.openWriter(log)
            #expect(try writer.append(Sample.records(0..<10)) == 0)
            #expect(try writer.append(Sample.records(10..<11)) == 10)
            #expect(try writer.append(Sample.records(11..<40)) == 11)
            #expect(writer.nextOffset == 40)
            try writer.sync()
            #expect(writer.writtenOffset == 40)
            let found = SegmentWalk.read(writer.folder)
            #expect(found.problems.isEmpty)
            #expect(found.baseOffsets == [0, 10, 11])
            #expect(found.records == Sample.records(0..<40))
            try writer.close()
            #expect(throws: LogError.self) { try writer.append(Sample.records(0..<1)) }
        }
    }

    @Test func manifestFileDescribesThePartition() throws {
        try withTemporaryFolder { log in
            let writer = try Sample.openWriter(log)
            let manifests = try ManifestFile.readAll(in: writer.folder)
            #expect(manifests.count == 1)
            #expect(manifests[writer.fingerprint] == writer.manifest)
            #expect(writer.manifest.modelVersion == "3" && writer.manifest.endpoint == "iris")
            #expect(FileManager.default.fileExists(atPath: "\(log)/iris/w1/\(writer.fingerprint.hex).manifest"))
        }
    }

    @Test func filesAre0640AndFoldersAre0750EvenWithAPermissiveUmask() throws {
        let previous = umask(0)
        defer { umask(previous) }
        try withTemporaryFolder { root in
            let log = root + "/deep/log"
            let writer = try Sample.openWriter(log, options: { var o = PartitionWriter.Options(); o.segmentBytes = 4096; return o }())
            for i in 0..<20 { try writer.append(Sample.records(i * 10..<(i + 1) * 10)) }
            try writer.sync()
            try ConsumerOffset.write(5, consumer: "tail", in: writer.folder)
            for folder in [root + "/deep", log, log + "/iris", writer.folder] {
                #expect(fileMode(folder) == 0o750, "\(folder)")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: writer.folder)
            #expect(names.filter { $0.hasSuffix(".log") }.count > 1)
            for name in names {
                #expect(fileMode("\(writer.folder)/\(name)") == 0o640, "\(name)")
            }
        }
    }

    @Test func secondWriterInTheSameProcessGetsALockedError() throws {
        try withTemporaryFolder { log in
            let first = try Sample.openWriter(log)
            do throws(LogError) {
                _ = try Sample.openWriter(log)
                Issue.record("second writer opened a locked partition")
            } catch {
                #expect(error.kind == .partitionLocked)
                #expect(error.path == "\(first.folder)/writer.lock")
                #expect(error.description.contains("locked by another writer"))
                #expect(error.description.contains("process \(getpid())"))
            }
            // Another writer id is another partition: no conflict.
            _ = try Sample.openWriter(log, writer: "w2")
            try first.close()
        }
    }

    @Test func writerLockedByAnotherProcessGetsALockedError() throws {
        try withTemporaryFolder { log in
            let folder = "\(log)/iris/w1"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let holder = Process()
            // One process holds the lock (the shell execs into sleep), so terminating it releases the lock.
            holder.executableURL = URL(fileURLWithPath: "/bin/sh")
            holder.arguments = ["-c", "exec 9>>'\(folder)/writer.lock'; /usr/bin/flock -x 9; echo locked; exec sleep 30"]
            let out = Pipe()
            holder.standardOutput = out
            try holder.run()
            defer { holder.terminate(); holder.waitUntilExit() }
            let line = out.fileHandleForReading.availableData
            #expect(String(decoding: line, as: UTF8.self).hasPrefix("locked"))
            #expect(throws: LogError.self) { try Sample.openWriter(log) }
            do throws(LogError) { _ = try Sample.openWriter(log) } catch { #expect(error.kind == .partitionLocked) }
            holder.terminate()
            holder.waitUntilExit()
            let writer = try Sample.openWriter(log)
            #expect(writer.nextOffset == 0)
        }
    }

    @Test func reopeningContinuesAfterTheLastRecord() throws {
        try withTemporaryFolder { log in
            do {
                let writer = try Sample.openWriter(log)
                try writer.append(Sample.records(0..<25))
                try writer.close()
            }
            let again = try Sample.openWriter(log)
            #expect(again.recovery.droppedBytes == 0)
            #expect(again.nextOffset == 25)
            #expect(try again.append(Sample.records(25..<30)) == 25)
            try again.sync()
            #expect(SegmentWalk.read(again.folder).records == Sample.records(0..<30))
        }
    }

    @Test func segmentsRollBySizeAndAreNamedByBaseOffset() throws {
        try withTemporaryFolder { log in
            var options = PartitionWriter.Options()
            options.segmentBytes = 2048
            options.indexIntervalBytes = 256
            let writer = try Sample.openWriter(log, options: options)
            for i in 0..<50 { try writer.append(Sample.records(i * 4..<(i + 1) * 4)) }
            try writer.sync()
            let segments = SegmentWalk.segments(writer.folder)
            #expect(segments.count > 3)
            #expect(segments.first?.hasSuffix("/00000000000000000000.log") == true)
            for path in segments.dropLast() { #expect(fileSize(path) <= 2048 + 1024) }
            // Every segment's name is the base offset of its first batch.
            for path in segments {
                let name = URL(fileURLWithPath: path).lastPathComponent
                let base = SegmentFiles.baseOffset(ofLogFile: name)
                let first = SegmentWalk.read(writer.folder).baseOffsets.first { $0 == base }
                #expect(first != nil, "\(name)")
                #expect(FileManager.default.fileExists(atPath: path.replacingOccurrences(of: ".log", with: ".index")))
                #expect(FileManager.default.fileExists(atPath: path.replacingOccurrences(of: ".log", with: ".timeindex")))
            }
            #expect(SegmentWalk.read(writer.folder).records == Sample.records(0..<200))
        }
    }

    @Test func segmentsRollByAge() throws {
        try withTemporaryFolder { log in
            var options = PartitionWriter.Options()
            options.segmentAge = .milliseconds(50)
            let writer = try Sample.openWriter(log, options: options)
            try writer.append(Sample.records(0..<3))
            Thread.sleep(forTimeInterval: 0.08)
            try writer.append(Sample.records(3..<6))
            try writer.sync()
            #expect(SegmentWalk.segments(writer.folder).map { URL(fileURLWithPath: $0).lastPathComponent }
                    == ["00000000000000000000.log", "00000000000000000003.log"])
        }
    }

    @Test func offsetIndexPointsAtBatches() throws {
        try withTemporaryFolder { log in
            var options = PartitionWriter.Options()
            options.indexIntervalBytes = 200
            let writer = try Sample.openWriter(log, options: options)
            for i in 0..<30 { try writer.append(Sample.records(i * 3..<(i + 1) * 3)) }
            try writer.sync()
            let index = SegmentIndex.offsetEntries([UInt8](FileManager.default.contents(atPath: "\(writer.folder)/00000000000000000000.index") ?? Data()))
            #expect(index.count > 5)
            let segment = [UInt8](FileManager.default.contents(atPath: "\(writer.folder)/00000000000000000000.log") ?? Data())
            for entry in index {
                let header = segment.withUnsafeBytes { try? Batch.check(UnsafeRawBufferPointer(rebasing: $0[Int(entry.position)...])).get() }
                #expect(header?.baseOffset == Int64(entry.relativeOffset))
            }
            let times = SegmentIndex.timeEntries([UInt8](FileManager.default.contents(atPath: "\(writer.folder)/00000000000000000000.timeindex") ?? Data()))
            #expect(times.count > 5)
            #expect(zip(times, times.dropFirst()).allSatisfy { $0.maxTimestamp < $1.maxTimestamp })
        }
    }

    @Test func invalidNamesAndRecordsAreTypedErrors() throws {
        try withTemporaryFolder { log in
            for (endpoint, writer) in [("../x", "w"), ("iris", "a/b"), ("iris", ".."), ("", "w"), ("ok", "tab\t")] {
                do throws(LogError) {
                    _ = try PartitionWriter(logDirectory: log, endpoint: endpoint, writerID: writer, modelVersion: "1", schema: Sample.schema)
                    Issue.record("accepted \(endpoint)/\(writer)")
                } catch {
                    #expect(error.kind == .invalid)
                    #expect(error.validation?.field == (endpoint == "iris" || endpoint == "ok" ? "writerID" : "endpoint"))
                }
            }
            let writer = try Sample.openWriter(log)
            let bad = LogRecord.inference(InferenceRecord(timestamp: .now(), features: [1, 2], outcome: .probabilities([1, 0, 0])))
            do throws(LogError) {
                try writer.append([bad])
                Issue.record("accepted a bad record")
            } catch {
                #expect(error.validation?.kind == .wrongArity)
            }
            #expect(try writer.append(Sample.records(0..<1)) == 0)
        }
    }
}
