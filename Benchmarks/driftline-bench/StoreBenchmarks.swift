import DeltaTable
import DriftlineCore
import DriftlineStore
import Foundation
import Parquet
import Profiles

/// The store as the stages use it: the tail's appends (one commit per window, 3 endpoints × 100
/// numeric columns), the batch stage's hourly merged reads, and compaction. Baseline in the same run:
/// decoding the same live data files column by column with the Parquet reader alone (no row
/// assembly, no merge), so the ratio is the store's overhead over the raw read.
///
///     driftline-bench store [--hours 24] [--columns 100] [--endpoints 3] [--values 500] [--dir DIR]
func runStoreBenchmarks(arguments: [String]) throws {
    var hours = 24, columns = 100, endpoints = 3, valuesPerRow = 500
    var dir = NSTemporaryDirectory() + "driftline-store-bench"
    var i = 0
    while i < arguments.count {
        let next = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch arguments[i] {
        case "--hours": hours = Int(next) ?? hours; i += 1
        case "--columns": columns = Int(next) ?? columns; i += 1
        case "--endpoints": endpoints = Int(next) ?? endpoints; i += 1
        case "--values": valuesPerRow = Int(next) ?? valuesPerRow; i += 1
        case "--dir": dir = next; i += 1
        default: break
        }
        i += 1
    }
    try? FileManager.default.removeItem(atPath: dir)
    let hour: Int64 = 3_600_000_000, window: Int64 = 300_000_000
    let t0: Int64 = 1_767_225_600_000_000
    let windows = hours * 12
    print("store: \(endpoints) endpoints × \(hours) h × 12 windows × \(columns) columns = \(endpoints * windows * columns) rows, \(valuesPerRow) values each")

    // Rows of one window for every endpoint (what one tail commit holds).
    var state: UInt64 = 42
    func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    var commits: [[ProfileRow]] = []
    for w in 0..<windows {
        var rows: [ProfileRow] = []
        for e in 0..<endpoints {
            for c in 0..<columns {
                var profile = ColumnProfile.numeric("f\(c)")
                for _ in 0..<valuesPerRow { try profile.add(uniform() * Double(c + 1)) }
                rows.append(profile.row(endpoint: "e\(e)", modelVersion: "1", windowStartMicroseconds: t0 + Int64(w) * window,
                                        windowEndMicroseconds: t0 + Int64(w + 1) * window))
            }
        }
        commits.append(rows)
    }

    let clock = ContinuousClock()
    let store = Store(root: dir)
    let profiles = try store.profiles()
    let appendTime = try clock.measure {
        for (index, rows) in commits.enumerated() {
            try profiles.append(rows, transaction: AppTransaction(appId: "bench", version: Int64(index + 1)))
        }
    }
    let totalRows = commits.reduce(0) { $0 + $1.count }
    print(String(format: "  append:  %4d commits of %d rows in %.2f s  (%.0f rows/s, %.1f ms/commit)",
                 commits.count, commits.first?.count ?? 0, appendTime.seconds, Double(totalRows) / appendTime.seconds,
                 appendTime.seconds * 1000 / Double(commits.count)))

    func hourlyReads() throws -> Int {
        var merged = 0
        for e in 0..<endpoints {
            for h in 0..<hours {
                let start = Timestamp(microsecondsSinceEpoch: t0 + Int64(h) * hour)
                merged += try profiles.merged(endpoint: "e\(e)", from: start, to: Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + hour)).count
            }
        }
        return merged
    }
    func hourlyRowsOnly() throws -> [[ProfileRow]] {
        var out: [[ProfileRow]] = []
        for e in 0..<endpoints {
            for h in 0..<hours {
                let start = Timestamp(microsecondsSinceEpoch: t0 + Int64(h) * hour)
                out.append(try profiles.rows(endpoint: "e\(e)", from: start, to: Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + hour)))
            }
        }
        return out
    }
    func rawDecode() throws -> Int {
        var values = 0
        for file in try profiles.table.snapshot().files {
            let reader = try ParquetReader(path: profiles.path + "/" + file.relativePath)
            for g in 0..<reader.rowGroupCount {
                values += try reader.readRowGroup(g).columns.reduce(0) { $0 + $1.values.count }
            }
        }
        return values
    }
    func report(_ label: String) throws -> Int {
        _ = try hourlyReads()
        var merged = 0
        let readTime = try clock.measure { merged = try hourlyReads() }
        _ = try rawDecode()
        let rawTime = try clock.measure { _ = try rawDecode() }
        var hourly: [[ProfileRow]] = []
        let rowsTime = try clock.measure { hourly = try hourlyRowsOnly() }
        let mergeTime = try clock.measure { for rows in hourly { _ = try MergedProfile.merge(rows) } }
        print(String(format: "  %@ %d hourly merged reads → %d profiles in %.3f s (%.0f rows/s); raw Parquet decode %.3f s; ratio %.2f×",
                     label, endpoints * hours, merged, readTime.seconds, Double(totalRows) / readTime.seconds,
                     rawTime.seconds, readTime.seconds / rawTime.seconds))
        print(String(format: "      of which reading rows %.3f s, merging (sketch decode + merge) %.3f s", rowsTime.seconds, mergeTime.seconds))
        return merged
    }
    let mergedBefore = try report("before compaction:")
    var compaction: CompactionResult?
    let compactTime = try clock.measure {
        compaction = try profiles.compact(olderThan: Timestamp(microsecondsSinceEpoch: t0 + Int64(hours) * hour))
    }
    guard let result = compaction else { return }
    print(String(format: "  compact: %d files → %d, %d rows → %d in %.2f s",
                 result.filesRemoved, result.filesAdded, result.rowsBefore, result.rowsAfter, compactTime.seconds))
    // Self-check: compaction keeps every row, and the hourly reads merge to as many profiles as before it.
    guard result.rowsAfter == result.rowsBefore else {
        throw BenchCheckFailed("store: compaction left \(result.rowsAfter) rows of \(result.rowsBefore)")
    }
    let mergedAfter = try report("after compaction: ")
    guard mergedAfter == mergedBefore else {
        throw BenchCheckFailed("store: the hourly reads merged \(mergedAfter) profiles after compaction, \(mergedBefore) before")
    }
    try? FileManager.default.removeItem(atPath: dir)
}
