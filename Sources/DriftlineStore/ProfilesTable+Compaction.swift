import DeltaTable
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
}

extension ProfilesTable {
    /// Rewrites the partial rows of closed windows (`window_end` ≤ `cutoff`) as one row per key (one per
    /// key and `reference_id` when parts counted over different references: nothing is lost), in one
    /// replace commit per endpoint.
    ///
    /// Which files: those holding a closed row, plus any file whose `window_start` range overlaps theirs
    /// (a replace removes whole files, selected by a `window_start` range); rows of open windows in
    /// those files are copied unchanged. Safe while a tail appends: a concurrent append of rows of the
    /// selected range makes the replace conflict, and the compaction starts over from a new snapshot
    /// (up to `maxAttempts` times, then `compactionConflict`); appends outside the range, and their
    /// `txn`s, are untouched. Two compactions racing: one wins, the other conflicts and re-reads.
    @discardableResult
    public func compact(olderThan cutoff: DeltaTimestamp, endpoint: String? = nil, maxAttempts: Int = 5) throws(StoreError) -> CompactionResult {
        try compact(olderThan: cutoff, endpoint: endpoint, maxAttempts: maxAttempts, beforeReplace: nil)
    }

    /// `beforeReplace` runs after the rows are read and rewritten, before the commit: tests let a rival
    /// writer commit there.
    func compact(olderThan cutoff: DeltaTimestamp, endpoint: String?, maxAttempts: Int,
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
                    throw error
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

    /// One try for one endpoint; throws `DeltaError.conflict` when a concurrent writer got in the way.
    private func compactOnce(endpoint: String, cutoff: DeltaTimestamp, result: inout CompactionResult,
                             beforeReplace: (() throws -> Void)?) throws {
        let snapshot = try storage.table.snapshot()
        let files = storage.files(in: snapshot, endpoint: endpoint, windowStarts: nil)
        var bounds: [(file: AddFile, starts: ClosedRange<DeltaTimestamp>)] = []
        var candidates: [Int] = []
        for file in files {
            guard let statistics = file.statistics, let starts = statistics.timestampBounds("window_start"),
                  let ends = statistics.timestampBounds("window_end") else {
                if file.statistics?.numRecords == 0 { continue }
                throw StoreError.malformedData(file: path + "/" + file.relativePath,
                                               detail: "no window_start/window_end statistics; compaction cannot select it")
            }
            if ends.lowerBound <= cutoff { candidates.append(bounds.count) }
            bounds.append((file, starts))
        }
        guard !candidates.isEmpty else { return }
        // Grow the selection until no file straddles its upper end.
        var included = Set(candidates)
        var upper = (candidates.map { bounds[$0].starts.upperBound.microseconds }.max() ?? 0) + 1
        var grew = true
        while grew {
            grew = false
            for (index, entry) in bounds.enumerated() where !included.contains(index) && entry.starts.lowerBound.microseconds < upper {
                included.insert(index)
                upper = max(upper, entry.starts.upperBound.microseconds + 1)
                grew = true
            }
        }
        var rows: [ProfileRow] = []
        for index in included.sorted(by: { (bounds[$0].file.modificationTime, bounds[$0].file.path) < (bounds[$1].file.modificationTime, bounds[$1].file.path) }) {
            rows += try readFile(bounds[index].file)
        }
        let rewritten = try Self.compacted(rows, cutoff: cutoff.microseconds)
        guard rewritten.count < rows.count || included.count > 1 else { return }   // nothing to gain
        let file = try storage.writeFile(endpoint: endpoint, rows: rewritten.map(Self.values(of:)), plainColumns: ["sketch"])
        let selection = FileSelection(partitionValues: [TableStorage.partitionColumn: endpoint], timeColumn: "window_start",
                                      timeRange: DeltaTimestamp(microseconds: Int64.min / 2)..<DeltaTimestamp(microseconds: upper))
        do {
            try beforeReplace?()
            // From the version read: a file appended since is a conflict, never removed unseen.
            let commit = try storage.table.replace(selection, with: [file], commitInfo: [
                "operation": .string("OPTIMIZE"),
                "operationParameters": .object(["driftline": .string("compact"), "cutoff": .string(cutoff.description)]),
            ], readVersion: snapshot.version)
            result.versions.append(commit.version)
            result.filesRemoved += commit.removedPaths.count
            result.filesAdded += 1
            result.rowsBefore += rows.count
            result.rowsAfter += rewritten.count
        } catch {
            unlink(path + "/" + file.relativePath)   // never committed: nobody can see it
            throw error
        }
    }

    /// Closed keys merged to one row per (key, reference group); open rows unchanged, in input order.
    static func compacted(_ rows: [ProfileRow], cutoff: Int64) throws(StoreError) -> [ProfileRow] {
        struct Group: Hashable {
            var key: ProfileKey
            var reference: String?
        }
        var open: [ProfileRow] = []
        var groups: [Group: [ProfileRow]] = [:]
        var order: [Group] = []
        var idle: [ProfileKey: [ProfileRow]] = [:]   // closed parts without values: join any group of their key
        for row in rows {
            guard row.windowEndMicroseconds <= cutoff else {
                open.append(row)
                continue
            }
            let key = ProfileKey(row)
            if row.count == 0, row.histogram == nil {
                idle[key, default: []].append(row)
                continue
            }
            let group = Group(key: key, reference: row.histogram == nil ? nil : row.referenceID ?? "")
            if groups[group] == nil { order.append(group) }
            groups[group, default: []].append(row)
        }
        for (key, parts) in idle {
            if let group = order.first(where: { $0.key == key }) {
                groups[group, default: []] += parts
            } else {
                let group = Group(key: key, reference: nil)
                order.append(group)
                groups[group] = parts
            }
        }
        var out: [ProfileRow] = []
        for group in order.sorted(by: { $0.key != $1.key ? $0.key < $1.key : ($0.reference ?? "") < ($1.reference ?? "") }) {
            out.append(try MergedProfile(rows: groups[group] ?? []).row)
        }
        return out + open
    }
}
