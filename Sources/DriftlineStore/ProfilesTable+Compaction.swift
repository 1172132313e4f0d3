import DeltaTable
import DriftlineCore
import DurableFiles
import Foundation
import Profiles

/// What a compaction did.
public struct CompactionResult: Sendable, Equatable {
    /// Committed versions, one per endpoint that had something to compact.
    public var versions: [Int64] = []
    public var filesRemoved = 0
    public var filesAdded = 0
    /// Partial rows read from the removed files, and rows written in their place.
    public var rowsBefore = 0
    public var rowsAfter = 0
    /// Replace commits that lost against a concurrent writer and were retried.
    public var retries = 0
    /// Endpoints left uncompacted because a file compaction would have rewritten cannot be read (a page
    /// fails its checksum, …): each message names the file and the remedy. Compaction never rewrites a
    /// damaged file as good data; the other endpoints are compacted.
    public var damaged: [String] = []
    /// A damaged newest commit a replace commit moved to `_delta_log_damaged/` before taking its version (the
    /// writers' rule, once it is 30 s old); the tail writes the rows it held again.
    public var movedAside: [DamagedCommit] = []

    public init() {}
}

extension ProfilesTable {
    /// Rewrites the partial rows of closed windows (`window_end` ≤ `cutoff`) as one row per key (one per
    /// key and `reference_id` when parts counted over different references: nothing is lost), in one
    /// replace commit per endpoint.
    ///
    /// Which files: those holding a closed row that compaction did not write itself, plus any file whose
    /// `window_start` range overlaps theirs (a replace removes whole files, selected by a `window_start`
    /// range); rows of open windows in those files are copied unchanged. Closed rows are written one
    /// file per hour of `window_start`, tagged `driftline.compacted`, so a store with nothing new to
    /// compact costs nothing and a late part of an old window rewrites about one hour. Safe while a tail appends: a concurrent append of rows of the
    /// selected range makes the replace conflict, and the compaction starts over from a new snapshot
    /// (up to `maxAttempts` times, then `compactionConflict`); appends outside the range, and their
    /// `txn`s, are untouched. Two compactions racing: one wins, the other conflicts and re-reads.
    /// An endpoint whose files to rewrite include a damaged one is skipped and listed in
    /// ``CompactionResult/damaged``; the others are compacted.
    @discardableResult
    public func compact(olderThan cutoff: Timestamp, endpoint: String? = nil, maxAttempts: Int = 5) throws(StoreError) -> CompactionResult {
        try compact(olderThan: cutoff, endpoint: endpoint, maxAttempts: maxAttempts, beforeReplace: nil)
    }

    /// `beforeReplace` runs after the rows are read and rewritten, before the commit: tests let a rival
    /// writer commit there.
    func compact(olderThan cutoff: Timestamp, endpoint: String?, maxAttempts: Int,
                 beforeReplace: (() throws -> Void)?) throws(StoreError) -> CompactionResult {
        var result = CompactionResult()
        let endpoints: [String]
        if let endpoint {
            endpoints = [endpoint]
        } else {
            endpoints = Set(try storage.snapshot().files.map(TableStorage.endpoint(of:))).sorted()
        }
        for endpoint in endpoints {
            var attempt = 0
            while true {
                attempt += 1
                do {
                    try compactOnce(endpoint: endpoint, cutoff: cutoff, result: &result, beforeReplace: beforeReplace)
                    break
                } catch let error as StoreError {
                    guard case .malformedData = error else { throw error }
                    result.damaged.append("endpoint \(endpoint) is not compacted: \(error)")
                    break
                } catch let error as DeltaError where error.isDamagedCommit {
                    // The newest commit is damaged and too young to move aside (it may still be being written):
                    // no endpoint can commit now; the others are not tried.
                    result.damaged.append("endpoint \(endpoint) is not compacted, nor those after it: \(error)")
                    return result
                } catch let DeltaError.conflict(_, _, reason) {
                    guard attempt < maxAttempts else {
                        throw .compactionConflict(table: path, attempts: attempt, detail: reason)
                    }
                    result.retries += 1
                } catch {
                    throw storage.deltaError(error)
                }
            }
        }
        return result
    }

    /// The tag compaction puts on the files it writes of closed, merged rows (one file per hour of
    /// `window_start`); such files are not compacted again unless new parts of their keys arrive.
    public static let compactedTag = "driftline.compacted"

    /// One try for one endpoint; throws `DeltaError.conflict` when a concurrent writer got in the way.
    private func compactOnce(endpoint: String, cutoff: Timestamp, result: inout CompactionResult,
                             beforeReplace: (() throws -> Void)?) throws {
        // A reader's snapshot: a damaged newest commit is read around (its replace below moves it aside, or fails).
        let snapshot = try storage.snapshot()
        struct Entry {
            var file: AddFile
            var lower: Int64
            var upper: Int64
        }
        var entries: [Entry] = []
        var candidates: [Int] = []
        for file in storage.files(in: snapshot, endpoint: endpoint, windowStarts: nil) {
            guard let statistics = file.statistics, let starts = statistics.timestampBounds("window_start"),
                  let ends = statistics.timestampBounds("window_end") else {
                if file.statistics?.numRecords == 0 { continue }
                throw StoreError.malformedData(file: path + "/" + file.relativePath,
                                               detail: "no window_start/window_end statistics; compaction cannot select it")
            }
            let compacted = (file.tags?[Self.compactedTag] ?? nil) == "true"
            if !compacted && ends.lowerBound <= cutoff { candidates.append(entries.count) }
            entries.append(Entry(file: file, lower: starts.lowerBound.microsecondsSinceEpoch, upper: starts.upperBound.microsecondsSinceEpoch))
        }
        guard !candidates.isEmpty else { return }
        // The window_start range of the candidates, grown until no live file straddles either end
        // (a replace removes whole files).
        var included = Set(candidates)
        var lower = candidates.map { entries[$0].lower }.min() ?? 0
        var upper = (candidates.map { entries[$0].upper }.max() ?? 0) + 1
        var grew = true
        while grew {
            grew = false
            for (index, entry) in entries.enumerated() where !included.contains(index) && entry.upper >= lower && entry.lower < upper {
                included.insert(index)
                lower = min(lower, entry.lower)
                upper = max(upper, entry.upper + 1)
                grew = true
            }
        }
        var rows: [ProfileRow] = []
        let ordered = included.map { entries[$0].file }.sorted { ($0.modificationTime, $0.path) < ($1.modificationTime, $1.path) }
        for file in ordered { rows += try readFile(file) }
        let (closed, open) = try Self.compacted(rows, cutoff: cutoff.microsecondsSinceEpoch)

        var files: [AddFile] = []
        do {
            // Closed rows: one tagged file per hour of window_start, so a late part of one old window
            // only pulls that hour's file into the next compaction.
            var byHour: [Int64: [ProfileRow]] = [:]
            for row in closed { byHour[Self.hourFloor(row.windowStartMicroseconds), default: []].append(row) }
            for hour in byHour.keys.sorted() {
                var file = try writeFile(endpoint: endpoint, rows: byHour[hour] ?? [])
                file.tags = [Self.compactedTag: "true"]
                file.dataChange = false
                files.append(file)
            }
            if !open.isEmpty {
                var file = try writeFile(endpoint: endpoint, rows: open)
                file.dataChange = false
                files.append(file)
            }
            let selection = FileSelection(partitionValues: [TableStorage.partitionColumn: endpoint], timeColumn: "window_start",
                                          timeRange: Timestamp(microsecondsSinceEpoch: lower)..<Timestamp(microsecondsSinceEpoch: upper))
            try beforeReplace?()
            // From the version read: a file appended since is a conflict, never removed unseen.
            let commit = try storage.table.replace(selection, with: files, commitInfo: [
                "operation": .string("OPTIMIZE"),
                "operationParameters": .object(["driftline": .string("compact"), "cutoff": .string(cutoff.description)]),
            ], readVersion: snapshot.version, dataChange: false)
            result.versions.append(commit.version)
            if let moved = commit.movedAside { result.movedAside.append(moved) }
            result.filesRemoved += commit.removedPaths.count
            result.filesAdded += files.count
            result.rowsBefore += rows.count
            result.rowsAfter += closed.count + open.count
        } catch {
            for file in files { _ = try? DurableFile.remove(path + "/" + file.relativePath) }   // never committed: nobody can see them
            throw error
        }
    }

    static func hourFloor(_ microseconds: Int64) -> Int64 {
        let hour: Int64 = 3_600_000_000
        let remainder = microseconds % hour
        return remainder >= 0 ? microseconds - remainder : microseconds - remainder - hour
    }

    /// Closed keys merged to one row per (key, reference group) in the canonical order of `PartialRows`,
    /// sorted by key then group; open rows unchanged, in input order.
    static func compacted(_ rows: [ProfileRow], cutoff: Int64) throws(StoreError) -> (closed: [ProfileRow], open: [ProfileRow]) {
        var open: [ProfileRow] = []
        var byKey: [ProfileKey: [ProfileRow]] = [:]
        for row in rows {
            guard row.windowEndMicroseconds <= cutoff else {
                open.append(row)
                continue
            }
            byKey[ProfileKey(row), default: []].append(row)
        }
        var out: [ProfileRow] = []
        for key in byKey.keys.sorted() {
            for group in PartialRows.groups(byKey[key] ?? []) {
                out.append(try MergedProfile(rows: group).row)
            }
        }
        return (out, open)
    }
}
