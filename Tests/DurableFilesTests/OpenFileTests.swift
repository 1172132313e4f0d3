import DurableFiles
import Foundation
import Testing

@Suite struct OpenFileTests {
    @Test func positionalWritesReadsAndTruncation() throws {
        try withScratchFolder { root throws in
            let path = root + "/00000000000000000000.log"
            let (file, created) = try OpenFile.open(path, creating: .ifAbsent)
            defer { file.close() }
            #expect(created)
            try file.write(Array("hello".utf8), at: 0)
            try file.write(Array("world".utf8), at: 10)
            #expect(try file.size() == 15)
            #expect(try file.read(count: 5, at: 10) == Array("world".utf8))
            #expect(try file.read(count: 100, at: 3) == Array("lo".utf8) + [UInt8](repeating: 0, count: 5) + Array("world".utf8))
            #expect(try file.read(count: 10, at: 99) == [])
            try file.truncate(to: 5)
            try file.sync()
            #expect(contents(path) == Array("hello".utf8))
            // Opening again: not created, same bytes; exclusive creation refuses; truncating empties it.
            let (again, createdAgain) = try OpenFile.open(path, creating: .ifAbsent)
            #expect(try !createdAgain && again.size() == 5)
            again.close()
            #expect(throws: FileError(.open, path: path, errno: .fileExists)) { _ = try OpenFile.open(path, creating: .exclusive) }
            let (emptied, _) = try OpenFile.open(path, creating: .truncating)
            #expect(try emptied.size() == 0)
            emptied.close()
            #expect(try OpenFile.openForReading(root + "/none") == nil)
            #expect(throws: FileError(.open, path: root + "/none", errno: .noSuchFileOrDirectory)) {
                _ = try OpenFile.open(root + "/none", creating: .never)
            }
        }
    }

    @Test func aReadOnlyFileReportsTheFailedWrite() throws {
        try withScratchFolder { root throws in
            let path = root + "/r"
            try DurableFile.replace(path, with: [1, 2, 3])
            let file = try #require(try OpenFile.openForReading(path))
            defer { file.close() }
            let (written, error) = [UInt8](repeating: 9, count: 4).withUnsafeBytes { file.writeReportingProgress($0, at: 0) }
            #expect(written == 0 && error?.operation == .write && error?.errno == .badFileDescriptor)
        }
    }
}
