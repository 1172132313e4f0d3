import DriftlineCore
import DriftlineLog
import Foundation
import Testing
@testable import CSVInput

@Suite struct CSVIngestionTests {
    static let schema = try! ModelSchema(features: [.numeric("x"), .categorical("c")], task: .classification(classes: ["a", "b"]))

    static func plan(timestamps: Bool) -> IngestPlan {
        IngestPlan(schema: schema, modelVersion: "1", mode: .inferences, featureColumns: ["x", "c"], probabilityColumns: ["pa", "pb"],
                   predictionColumn: nil, labelColumn: nil, timestampColumn: timestamps ? "ts" : nil, requestIDColumn: nil, latencyColumn: nil)
    }

    static func folder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-ingest-\(UUID())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func records(in folder: String) throws -> Int {
        let reader = try PartitionReader(partition: folder)
        var count = 0
        while true {
            let events = try reader.read()
            if events.isEmpty { return count }
            for case .records(let batch) in events { count += batch.records.count }
        }
    }

    @Test(arguments: [true, false])
    func repeatedIdenticalRowsAreKeptAndARerunWritesOnlyWhatIsMissing(timestamps: Bool) async throws {
        let root = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let csv = root + "/rows.csv"
        let row = timestamps ? "1.5,eu,0.25,0.75,2026-11-01T00:00:00Z" : "1.5,eu,0.25,0.75"
        let header = timestamps ? "x,c,pa,pb,ts" : "x,c,pa,pb"
        try ([header] + Array(repeating: row, count: 3)).joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let ingestion = CSVIngestion(path: csv, plan: Self.plan(timestamps: timestamps), logDirectory: root + "/log", endpoint: "e")
        let first = try await ingestion.run { _, _ in }
        #expect(first.written == 3 && first.skipped == 0)
        let again = try await ingestion.run { _, _ in }
        #expect(again.written == 0 && again.skipped == 3)
        // One more identical row: exactly that one is written.
        try ([header] + Array(repeating: row, count: 4)).joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let more = try await ingestion.run { _, _ in }
        #expect(more.written == 1 && more.skipped == 3)
        #expect(try Self.records(in: more.partitionFolder) == 4)
        #expect(more.writerID == CSVIngestion.defaultWriterID(for: csv) && more.writerID.hasPrefix("csv-rows-"))
    }

    @Test func theWriterIDFollowsTheFilesPathNotItsContent() {
        #expect(CSVIngestion.defaultWriterID(for: "/data/a.csv") == CSVIngestion.defaultWriterID(for: "/data/./a.csv"))
        #expect(CSVIngestion.defaultWriterID(for: "/data/a.csv") != CSVIngestion.defaultWriterID(for: "/other/a.csv"))
        #expect(CSVIngestion.defaultWriterID(for: "/data/my file..csv").allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }
}
