import Synchronization
import DurableFiles
import Foundation
import SystemPackage
import Testing

@Suite struct DurableFileTests {
    @Test func replaceCreatesThenReplacesAndLeavesNoTemporary() throws {
        try withScratchFolder { folder throws in
            let path = folder + "/offset"
            try DurableFile.replace(path, with: Array("12\n".utf8))
            #expect(contents(path) == Array("12\n".utf8))
            try DurableFile.replace(path, with: Array("1234\n".utf8))
            #expect(contents(path) == Array("1234\n".utf8))
            try DurableFile.replace(path, with: [])
            #expect(contents(path) == [])
            #expect(try Folder.list(folder) == ["offset"])
        }
    }

    /// Readers racing a writer that replaces a large file over and over only ever see one whole version.
    @Test func replaceNeverShowsAMixOfOldAndNew() throws {
        try withScratchFolder { folder throws in
            let path = folder + "/report.json"
            let size = 256 << 10
            try DurableFile.replace(path, with: [UInt8](repeating: 0, count: size))
            let stop = Flag()
            let writer = Thread {
                var version: UInt8 = 1
                while !stop.isSet {
                    try? DurableFile.replace(path, with: [UInt8](repeating: version, count: size + Int(version)))
                    version &+= 1
                }
            }
            writer.start()
            var reads = 0, versions = Set<UInt8>()
            // Until the readers saw enough versions (bounded: a stalled writer fails the test, it never hangs).
            let deadline = Date().addingTimeInterval(60)
            while (reads < 200 || versions.count < 5) && Date() < deadline {
                let bytes = try DurableFile.read(path)
                let first = bytes.first ?? 0
                #expect(bytes.count == size + (first == 0 ? 0 : Int(first)), "a torn file of \(bytes.count) bytes")
                #expect(bytes.allSatisfy { $0 == first }, "bytes of two versions in one file")
                versions.insert(first)
                reads += 1
            }
            stop.set()
            while !writer.isFinished { Thread.sleep(forTimeInterval: 0.01) }
            #expect(reads >= 200 && versions.count >= 5, "\(reads) reads saw \(versions.count) versions")
            #expect(try Folder.list(folder) == ["report.json"], "temporaries left behind")
        }
    }

    @Test func putIfAbsentCreatesOnceAndNeverReplaces() throws {
        try withScratchFolder { folder throws in
            let path = folder + "/00000000000000000001.json"
            #expect(try DurableFile.putIfAbsent(path, contents: Array("first".utf8)) == .created)
            #expect(try DurableFile.putIfAbsent(path, contents: Array("second".utf8)) == .alreadyExists)
            #expect(contents(path) == Array("first".utf8))
            #expect(try Folder.list(folder) == ["00000000000000000001.json"], "the temporary was not removed")
        }
    }

    /// `move` moves the examined file only: never onto an existing name, never a file that took the name since.
    @Test func moveMovesOnlyTheExaminedFileAndNeverReplaces() throws {
        try withScratchFolder { folder throws in
            let path = folder + "/00000000000000000002.json"
            let aside = folder + "/damaged/00000000000000000002.json.1"
            try Folder.create(folder + "/damaged")
            try DurableFile.create(path, contents: [])
            let examined = try #require(try DurableFile.status(path)).inode
            // Another file took the name since it was examined (made while the first still exists, so
            // it cannot reuse its inode): left alone.
            try DurableFile.create(folder + "/good", contents: Array("good".utf8))
            try FileManager.default.moveItem(atPath: path, toPath: folder + "/examined")
            try FileManager.default.linkItem(atPath: folder + "/good", toPath: path)
            _ = try DurableFile.remove(folder + "/good")
            #expect(try DurableFile.move(path, to: aside, ifInode: examined) == false)
            #expect(contents(path) == Array("good".utf8) && !DurableFile.exists(aside))
            // The examined file: moved, with its content.
            let current = try #require(try DurableFile.status(path)).inode
            #expect(try DurableFile.move(path, to: aside, ifInode: current))
            #expect(!DurableFile.exists(path) && contents(aside) == Array("good".utf8))
            // Gone already: false. Onto an existing name: EEXIST, nothing changed.
            #expect(try DurableFile.move(path, to: aside + "x", ifInode: current) == false)
            try DurableFile.create(path, contents: Array("new".utf8))
            let newer = try #require(try DurableFile.status(path)).inode
            #expect(throws: FileError.self) { try DurableFile.move(path, to: aside, ifInode: newer) }
            #expect(contents(path) == Array("new".utf8) && contents(aside) == Array("good".utf8))
        }
    }

    /// Of many threads putting the same name at once, exactly one wins, and the file is the winner's.
    @Test func concurrentPutsHaveExactlyOneWinner() throws {
        try withScratchFolder { folder throws in
            let path = folder + "/version"
            let outcomes = Outcomes()
            DispatchQueue.concurrentPerform(iterations: 8) { writer in
                let outcome = try? DurableFile.putIfAbsent(path, contents: Array("writer \(writer)".utf8))
                outcomes.add(writer, outcome)
            }
            let winners = outcomes.all.filter { $0.1 == .created }
            #expect(winners.count == 1)
            #expect(outcomes.all.count == 8 && outcomes.all.allSatisfy { $0.1 != nil })
            #expect(contents(path) == winners.first.map { Array("writer \($0.0)".utf8) })
        }
    }

    @Test func createIsExclusive() throws {
        try withScratchFolder { folder throws in
            let path = folder + "/data"
            try DurableFile.create(path, contents: [1, 2, 3])
            #expect(throws: FileError(.open, path: path, errno: .fileExists)) {
                try DurableFile.create(path, contents: [4])
            }
            #expect(contents(path) == [1, 2, 3])
        }
    }

    @Test func readsRemovesAndStats() throws {
        try withScratchFolder { folder throws in
            let path = folder + "/a"
            #expect(try DurableFile.readIfPresent(path) == nil)
            #expect(try DurableFile.status(path) == nil)
            #expect(!DurableFile.exists(path))
            #expect(throws: FileError(.open, path: path, errno: .noSuchFileOrDirectory)) { try DurableFile.read(path) }
            let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try DurableFile.replace(path, with: big)
            #expect(try DurableFile.read(path) == big)
            let status = try #require(try DurableFile.status(path))
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(status.size == Int64(big.count) && status.inode == UInt64(info.st_ino) && status.isRegularFile && !status.isFolder)
            #expect(abs(status.modificationMicroseconds - Int64(Date().timeIntervalSince1970 * 1e6)) < 60_000_000)
            // An atomic replace gives the name a new inode: a cheap "did it change" check.
            try DurableFile.replace(path, with: big)
            #expect(try DurableFile.status(path)?.inode != status.inode)
            #expect(try DurableFile.remove(path))
            #expect(try !DurableFile.remove(path))
            #expect(try DurableFile.status(folder)?.isFolder == true)
        }
    }

    @Test func failuresNameTheCallAndThePath() throws {
        try withScratchFolder { folder throws in
            try DurableFile.replace(folder + "/file", with: [1])
            // A file where a folder should be.
            #expect(throws: FileError(.open, path: folder + "/file/x/.y", errno: .notDirectory)) {
                _ = try OpenFile.open(folder + "/file/x/.y", creating: .ifAbsent)
            }
            do throws(FileError) {
                try DurableFile.replace(folder + "/missing/file", with: [1])
                Issue.record("replace into a missing folder succeeded")
            } catch {
                #expect(error.operation == .open && error.isMissing)
                #expect(error.description.contains("missing parent folder"))
            }
        }
    }
}

/// A flag set by one thread and read by another.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

final class Outcomes: Sendable {
    private let values = Mutex<[(Int, DurableFile.PutOutcome?)]>([])
    var all: [(Int, DurableFile.PutOutcome?)] { values.withLock { $0 } }
    func add(_ writer: Int, _ outcome: DurableFile.PutOutcome?) { values.withLock { $0.append((writer, outcome)) } }
}
