import DriftlineCore
import DriftlineLog
import Foundation
import Testing

/// Whether this process may mount a tmpfs (root in CI).
let canMountTmpfs: Bool = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")

func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite struct DiskFullTests {
    @Test(.enabled(if: canMountTmpfs)) func aFullDiskKeepsWholeBatchesAndWritingResumesOnceSpaceIsFreed() throws {
        try withTemporaryFolder { root in
            let mountPoint = root + "/small"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            try #require(try run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k,mode=0750", "tmpfs", mountPoint]) == 0)
            defer { _ = try? run("/bin/umount", ["-l", mountPoint]) }
            let filler = mountPoint + "/filler"
            #expect(FileManager.default.createFile(atPath: filler, contents: Data(repeating: 7, count: 400 << 10)))

            var options = PartitionWriter.Options()
            options.writeBufferBytes = 1 << 30  // write only on flushToOS, several batches at once
            let writer = try Sample.openWriter(mountPoint + "/log", options: options)
            var written: [LogRecord] = []
            var next = 0
            var failure: LogError?
            while failure == nil && next < 200_000 {
                var batch: [LogRecord] = []
                for _ in 0..<5 {
                    let records = Sample.records(next..<next + 40)
                    try writer.append(records)
                    batch += records
                    next += 40
                }
                let before = writer.writtenOffset
                do throws(LogError) {
                    try writer.flushToOS()
                    written += batch
                } catch {
                    failure = error
                    // Whole batches that reached the file stay; the rest are counted as lost.
                    let kept = Int(writer.writtenOffset - before)
                    written += batch.prefix(kept)
                    #expect(error.lostRecords == batch.count - kept)
                    #expect(error.kind == .writeFailed)
                    #expect(error.errno == ENOSPC)
                }
            }
            let error = try #require(failure)
            #expect(error.lostRecords > 0)
            #expect(writer.nextOffset == writer.writtenOffset)
            let afterFailure = try readToEnd(writer.folder)
            #expect(afterFailure.corruption.isEmpty)
            #expect(afterFailure.records == written)

            // Space comes back: the same writer goes on, offsets stay contiguous.
            try FileManager.default.removeItem(atPath: filler)
            let resumed = Sample.records(500_000..<500_010)
            #expect(try writer.append(resumed) == Int64(written.count))
            try writer.sync()
            let all = try readToEnd(writer.folder)
            #expect(all.records == written + resumed)
            #expect(all.offsets == (0..<Int64(written.count + resumed.count)).map { $0 })
            try writer.close()
        }
    }
}
