import DriftlineCore
import DriftlineLog
import Foundation
import Testing
@testable import TailStage

/// A partition's manifest is its schema: without it no record decodes. One damaged file loses nothing (the copy
/// serves), and a partition whose manifest cannot be read at all is held, never committed as lost.
@Suite struct ManifestDamageTests {
    static func manifestFiles(_ fixture: TailFixture) throws -> [String] {
        let folder = fixture.logPath + "/iris/w1"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".manifest") }.sorted().map { folder + "/" + $0 }
    }

    @Test func aFlippedByteInTheManifestIsServedByItsCopyAndRepairedByTheWriter() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<500, to: logger)
        try await logger.flush()
        await logger.close()
        let files = try Self.manifestFiles(fixture)
        #expect(files.count == 2 && files[1].hasSuffix(".manifest.copy"))
        var bytes = try #require(FileManager.default.contents(atPath: files[0]))
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: files[0]))
        let tail = try fixture.tail()
        try tail.runOnce()
        tail.close()
        #expect(try fixture.total("x") == 500)
        #expect(try fixture.progress().map(\.counts.lostRecords).reduce(0, +) == 0)
        // The writer's next open rewrites the damaged file from the manifest it holds.
        let again = try fixture.logger()
        await again.close()
        let copy = try #require(FileManager.default.contents(atPath: files[1]))
        #expect(FileManager.default.contents(atPath: files[0]) == copy)
    }

    @Test func aPartitionWhoseManifestCannotBeReadIsHeldNotLostAndResumesWhenItIsRestored() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        try fixture.logRecords(0..<300, to: logger)
        try await logger.flush()
        await logger.close()
        let files = try Self.manifestFiles(fixture)
        let saved = try files.map { try #require(FileManager.default.contents(atPath: $0)) }
        // The file damaged, the copy deleted.
        var damaged = saved[0]
        damaged[damaged.count - 1] ^= 0xFF
        try damaged.write(to: URL(fileURLWithPath: files[0]))
        try FileManager.default.removeItem(atPath: files[1])
        do {
            let tail = try fixture.tail()
            try tail.runOnce()
            #expect(tail.heldPartitions.keys.sorted() == ["iris/w1"])
            #expect(tail.heldPartitions["iris/w1"]?.contains("CRC-32C mismatch") == true)
            #expect(tail.runSummaryText.contains("1 partitions held"))
            tail.close()
        }
        #expect(try fixture.progress().map(\.counts.lostRecords).reduce(0, +) == 0)
        #expect(try fixture.total("x") == 0)
        #expect(try fixture.progress().last?.positions["iris/w1"] ?? 0 == 0)
        // Restored: every record is read, none twice, none lost.
        try saved[0].write(to: URL(fileURLWithPath: files[0]))
        do {
            let tail = try fixture.tail()
            try tail.runOnce()
            #expect(tail.heldPartitions.isEmpty)
            tail.close()
        }
        #expect(try fixture.total("x") == 300)
        #expect(try fixture.progress().map(\.counts.lostRecords).reduce(0, +) == 0)
        #expect(try fixture.progress().map(\.counts.records).reduce(0, +) == 300)
    }

    @Test func aStrayFileNamedLikeASegmentIsPassedOverNotReadAsLostRecords() async throws {
        let fixture = try TailFixture()
        let folder = fixture.logPath + "/iris/w1"
        do {
            let logger = try fixture.logger()
            try fixture.logRecords(0..<300, to: logger)
            try await logger.flush()
            await logger.close()
        }
        // A copy of the partition's segment under a later name, and garbage under another.
        try FileManager.default.copyItem(atPath: folder + "/00000000000000000000.log", toPath: folder + "/00000000000000900000.log")
        try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: folder + "/00000000000000500000.log"))
        do {
            let tail = try fixture.tail()
            try tail.runOnce()
            tail.close()
        }
        // The writer goes on after offset 300, in its own segment, not after the strays' names.
        do {
            let logger = try fixture.logger()
            try fixture.logRecords(300..<400, to: logger)
            try await logger.flush()
            await logger.close()
        }
        do {
            let tail = try fixture.tail()
            try tail.runOnce()
            tail.close()
        }
        #expect(try fixture.total("x") == 400)
        let progress = try fixture.progress()
        #expect(progress.map(\.counts.lostRecords).reduce(0, +) == 0)
        #expect(progress.map(\.counts.records).reduce(0, +) == 400)
        #expect(progress.last?.positions["iris/w1"] == 400)
        #expect(FileManager.default.fileExists(atPath: folder + "/00000000000000900000.log"))
    }
}
