import DriftlineCore
import Foundation
@testable import DeltaTable

/// A temporary folder for one test, removed when the test ends.
final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "delta-tests-" + UUID().uuidString.lowercased()
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The schema most tests use: partitioned by endpoint, with a timestamp column for replaces.
let profilesSchema = DeltaSchema([
    DeltaField("endpoint", .string),
    DeltaField("window_start", .timestamp),
    DeltaField("count", .long),
    DeltaField("mean", .double),
    DeltaField("histogram", .array(element: .long, containsNull: true)),
])

func hour(_ h: Int64) -> Timestamp { Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000 + h * 3_600_000_000) }

/// Writes a fake data file (the log does not read data files) and returns its `add` action, with
/// statistics for `window_start` spanning `times`.
func dataFile(_ table: DeltaTable, _ name: String, endpoint: String = "iris", times: [Timestamp]) throws -> AddFile {
    var stats = FileStatistics(numRecords: Int64(times.count))
    stats.record("window_start", timestamps: times)
    stats.record("count", longs: times.map { _ in 1 })
    return try table.writeDataFile(relativePath: "endpoint=\(endpoint)/\(name).parquet", bytes: Array(name.utf8),
                                   partitionValues: ["endpoint": endpoint], statistics: stats)
}
