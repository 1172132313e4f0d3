import Foundation
import Testing
@testable import DeltaTable
import DurableFiles

@Suite struct MalformedLogTests {
    static let badLines: [(String, String)] = [
        ("not json at all", "text"),
        (#"{"add":{"path":"a.parquet","partitionValues":{},"size":"ten","modificationTime":1,"dataChange":true}}"#, "size"),
        (#"{"add":{"partitionValues":{},"size":1,"modificationTime":1,"dataChange":true}}"#, "path"),
        (#"{"remove":{"deletionTimestamp":1,"dataChange":true}}"#, "path"),
        (#"{"protocol":{"minReaderVersion":"one","minWriterVersion":2}}"#, "minReaderVersion"),
        (#"{"metaData":{"id":"x","format":{"provider":"parquet"},"partitionColumns":[]}}"#, "schemaString"),
        (#"{"txn":{"appId":"a","version":1.5}}"#, "version"),
        (#"{"txn":{"appId":"a","version":1}"#, "truncated"),
        (#"[1,2,3]"#, "array"),
        (#"{"commitInfo":"a string"}"#, "commitInfo"),
    ]

    @Test(arguments: badLines)
    func malformedLineIsATypedErrorNamingFileAndLine(line: String, label: String) throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        let file = folder.path + "/_delta_log/00000000000000000001.json"
        let text = #"{"commitInfo":{"operation":"WRITE"}}"# + "\n" + #"{"txn":{"appId":"ok","version":1}}"# + "\n" + line + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        #expect {
            try table.snapshot()
        } throws: { error in
            guard case let DeltaError.malformedLog(name, number, reason) = error else { return false }
            return name == file && number == 3 && !reason.isEmpty && "\(error)".contains(file + ":3")
        }
        _ = label
    }

    @Test func holeInTheLogIsReported() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([])
        try table.append([])
        try FileManager.default.removeItem(atPath: folder.path + "/_delta_log/00000000000000000001.json")
        #expect(throws: DeltaError.missingVersion(table: folder.path, version: 1)) {
            try DeltaTable(path: folder.path).snapshot()
        }
    }

    @Test func missingMetadataIsReported() throws {
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path + "/_delta_log", withIntermediateDirectories: true)
        try Data(#"{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}"#.utf8)
            .write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000000.json"))
        #expect(throws: DeltaError.self) { try DeltaTable(path: folder.path).snapshot() }
    }

    @Test func unsupportedReaderProtocolIsReported() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema)
        try Data(#"{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000001.json"))
        #expect {
            try table.snapshot()
        } throws: { error in
            guard case let DeltaError.unsupportedProtocol(_, detail) = error else { return false }
            return detail.contains("deletionVectors")
        }
    }

    /// No prefix of a commit this library wrote parses: a cut inside a line is `malformedLog`, a cut at a
    /// line end (or an empty file) `damagedCommit`, thanks to the action count in `commitInfo`.
    @Test func everyTruncationOfACommitIsATypedError() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema, partitionColumns: ["endpoint"])
        try table.append([try dataFile(table, "a", times: [hour(0)])], transactions: [AppTransaction(appId: "t", version: 1)])
        let bytes = try DurableFile.read(folder.path + "/_delta_log/00000000000000000001.json")
        var parsed = 0
        var rejected = 0
        for length in 0..<bytes.count {
            do {
                _ = try ActionCoding.decodeCommit(Array(bytes[0..<length]), file: "cut")
                parsed += 1
            } catch DeltaError.malformedLog(file: "cut", line: _, reason: _) {
                rejected += 1
            } catch DeltaError.damagedCommit(file: "cut", reason: _) {
                rejected += 1
            }
        }
        #expect(parsed == 0)
        #expect(rejected == bytes.count)
        // Random byte flips: never a crash, only actions or typed errors.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var copy = bytes
            copy[Int.random(in: 0..<copy.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            do { _ = try ActionCoding.decodeCommit(copy, file: "flip") } catch DeltaError.malformedLog {} catch DeltaError.damagedCommit {}
        }
    }
}

@Suite struct ProtocolTests {
    @Test(arguments: [
        #"{"protocol":{"minReaderVersion":2,"minWriterVersion":5}}"#,
        #"{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["columnMapping"],"writerFeatures":["columnMapping"]}}"#,
        #"{"protocol":{"minReaderVersion":4,"minWriterVersion":7}}"#,
    ])
    func tablesWeCannotReadByColumnNameAreRefused(line: String) throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema)
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000001.json"))
        #expect {
            try table.snapshot()
        } throws: { error in
            if case DeltaError.unsupportedProtocol = error { return true } else { return false }
        }
    }

    @Test func newerWritersAndInvariantsAreNotWrittenTo() throws {
        let folder = TemporaryFolder()
        let table = try DeltaTable.create(at: folder.path, schema: profilesSchema)
        try Data(#"{"protocol":{"minReaderVersion":1,"minWriterVersion":4}}"#.utf8)
            .write(to: URL(fileURLWithPath: folder.path + "/_delta_log/00000000000000000001.json"))
        #expect(try table.snapshot().version == 1)     // readable
        #expect(throws: DeltaError.self) { try table.append([]) }
        #expect(throws: DeltaError.self) { try table.vacuum() }

        let guarded = try DeltaTable.create(
            at: folder.path + "/g",
            schema: DeltaSchema([DeltaField("x", .long, metadata: ["delta.invariants": .string(#"{"expression":{"expression":"x > 0"}}"#)])]))
        #expect(throws: DeltaError.self) { try guarded.append([]) }
    }
}
