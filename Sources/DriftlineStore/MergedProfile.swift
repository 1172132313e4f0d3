import DeltaTable
import DriftlineCore
import Profiles

/// What identifies one profile of the `profiles` table; partial rows with equal keys are parts of it.
public struct ProfileKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var endpoint: String
    public var modelVersion: String
    public var windowStartMicroseconds: Int64
    public var windowEndMicroseconds: Int64
    public var columnName: String

    public init(endpoint: String, modelVersion: String, windowStartMicroseconds: Int64, windowEndMicroseconds: Int64, columnName: String) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.windowStartMicroseconds = windowStartMicroseconds
        self.windowEndMicroseconds = windowEndMicroseconds
        self.columnName = columnName
    }

    /// The key of a row.
    public init(_ row: ProfileRow) {
        self.init(endpoint: row.endpoint, modelVersion: row.modelVersion, windowStartMicroseconds: row.windowStartMicroseconds,
                  windowEndMicroseconds: row.windowEndMicroseconds, columnName: row.columnName)
    }

    /// Ordered by endpoint, model version, window start, window end, column name.
    public static func < (a: ProfileKey, b: ProfileKey) -> Bool {
        if a.endpoint != b.endpoint { return a.endpoint < b.endpoint }
        if a.modelVersion != b.modelVersion { return a.modelVersion < b.modelVersion }
        if a.windowStartMicroseconds != b.windowStartMicroseconds { return a.windowStartMicroseconds < b.windowStartMicroseconds }
        if a.windowEndMicroseconds != b.windowEndMicroseconds { return a.windowEndMicroseconds < b.windowEndMicroseconds }
        return a.columnName < b.columnName
    }

    public var description: String {
        let start = Timestamp(microsecondsSinceEpoch: windowStartMicroseconds).iso8601Milliseconds
        let end = Timestamp(microsecondsSinceEpoch: windowEndMicroseconds).iso8601Milliseconds
        return "\(endpoint)/\(modelVersion)/[\(start), \(end))/\(columnName)"
    }
}

/// One profile merged from all its partial rows.
///
/// **Histograms and references.** A histogram counts over the bins of one reference (`reference_id`);
/// counts over different bins cannot be added. The rule: partial rows holding no value (`count == 0`)
/// never matter. If every other partial row has a histogram and they all name the same `reference_id`
/// (with the same bin count), the histograms are added and `histogram`/`referenceID` are set. Otherwise
/// (a reference appeared or changed within the window, so some parts count over other bins or none)
/// the merged profile has **no** histogram (`histogramConflict` is true); everything else still
/// merges, and a reader that needs bin counts reads them from the merged sketch
/// (`ReferenceBins.counts(of: sketch)`), as for a window without a reference.
/// Compaction never loses those parts: it keeps one row per (key, `reference_id`).
public struct MergedProfile: Sendable {
    public let key: ProfileKey
    /// The merged statistics (moments, sketch, categories). Its numeric part carries no bins: the bins
    /// live in the reference; the merged counts over them are `histogram`.
    public let profile: ColumnProfile
    /// The summed histogram, when the rule above allows one.
    public let histogram: [Int64]?
    /// The reference whose bins `histogram` counts over.
    public let referenceID: String?
    /// The summed values below / above the reference's training range, with `histogram` when every part with
    /// values has them (rows written before these counts existed do not: then nil).
    public let outsideReferenceRange: (below: Int64, above: Int64)?
    /// True when parts counted over different references (or some had none): `histogram` is nil.
    public let histogramConflict: Bool
    /// How many partial rows were merged.
    public let partialRows: Int

    /// Merges the partial rows of one key (all rows must have the key of the first), in the canonical
    /// order of `PartialRows.groups`: the result depends on the set of rows only, never on their order,
    /// their files or whether some were compacted already.
    public init(rows: [ProfileRow]) throws(StoreError) {
        guard let first = rows.first else {
            throw .unmergeable(key: "(no rows)", detail: "there is nothing to merge")
        }
        let key = ProfileKey(first)
        for row in rows where ProfileKey(row) != key {
            throw .unmergeable(key: key.description, detail: "a row of \(ProfileKey(row)) was given with it")
        }
        let groups = PartialRows.groups(rows)
        var merged: ColumnProfile?
        for group in groups {
            var folded = try Self.fold(group, key: key)
            if group.count > 1 && groups.count > 1 {
                // A group is what compaction stores as one row: fold it through that row, so the rest
                // merges the same before and after compaction (a row keeps the mean, not its running form).
                folded = try Self.part(folded.row(endpoint: key.endpoint, modelVersion: key.modelVersion,
                                                  windowStartMicroseconds: key.windowStartMicroseconds,
                                                  windowEndMicroseconds: key.windowEndMicroseconds), key: key)
            }
            if merged == nil {
                merged = folded
            } else {
                do { try merged?.merge(folded) } catch { throw .unmergeable(key: key.description, detail: error.description) }
            }
        }
        guard let merged else { throw .unmergeable(key: key.description, detail: "there is nothing to merge") }
        var sum: [Int64]?
        var reference: String?
        var conflict = false
        var sawValues = false
        var outside: (below: Int64, above: Int64)? = (0, 0)
        for row in groups.joined() where row.columnKind == ColumnProfile.Kind.numeric.rawValue {
            if row.count > 0 {
                if let sum = outside, let below = row.belowReferenceMin, let above = row.aboveReferenceMax {
                    outside = (sum.below &+ below, sum.above &+ above)
                } else {
                    outside = nil
                }
            }
            if row.count == 0 {
                // An all-missing part: its (zero) histogram says nothing; take its reference only if none is known.
                if !sawValues, !conflict, let histogram = row.histogram, sum == nil {
                    sum = histogram
                    reference = row.referenceID
                }
                continue
            }
            defer { sawValues = true }
            guard !conflict, let histogram = row.histogram, let id = row.referenceID else {
                conflict = true
                continue
            }
            if !sawValues {
                sum = histogram
                reference = id
            } else if reference == id, let current = sum, current.count == histogram.count {
                sum = zip(current, histogram).map { $0 &+ $1 }
            } else {
                conflict = true
            }
        }
        if conflict {
            sum = nil
            reference = nil
        }
        if sum == nil { outside = nil }
        self.key = key
        self.profile = merged
        self.histogram = sum
        self.referenceID = reference
        self.histogramConflict = conflict
        self.outsideReferenceRange = first.columnKind == ColumnProfile.Kind.numeric.rawValue ? outside : nil
        self.partialRows = rows.count
    }

    /// One row's statistics (its histogram is summed apart).
    static func part(_ row: ProfileRow, key: ProfileKey) throws(StoreError) -> ColumnProfile {
        var bare = row
        bare.histogram = nil
        bare.referenceID = nil
        bare.belowReferenceMin = nil
        bare.aboveReferenceMax = nil
        do { return try ColumnProfile(row: bare) } catch { throw .unmergeable(key: key.description, detail: error.description) }
    }

    /// The rows of one group merged left to right.
    static func fold(_ rows: [ProfileRow], key: ProfileKey) throws(StoreError) -> ColumnProfile {
        var merged: ColumnProfile?
        for row in rows {
            let part = try part(row, key: key)
            if merged == nil {
                merged = part
            } else {
                do { try merged?.merge(part) } catch { throw .unmergeable(key: key.description, detail: error.description) }
            }
        }
        guard let merged else { throw .unmergeable(key: key.description, detail: "there is nothing to merge") }
        return merged
    }

    /// The merged profile as one `profiles` row (what `query` prints and compaction writes).
    public var row: ProfileRow {
        var row = profile.row(endpoint: key.endpoint, modelVersion: key.modelVersion,
                              windowStartMicroseconds: key.windowStartMicroseconds, windowEndMicroseconds: key.windowEndMicroseconds)
        row.histogram = histogram
        row.referenceID = referenceID
        row.belowReferenceMin = outsideReferenceRange?.below
        row.aboveReferenceMax = outsideReferenceRange?.above
        return row
    }

    /// Merges any rows: groups them by key and merges each group; sorted by key.
    public static func merge(_ rows: [ProfileRow]) throws(StoreError) -> [MergedProfile] {
        var groups: [ProfileKey: [ProfileRow]] = [:]
        for row in rows { groups[ProfileKey(row), default: []].append(row) }
        var out: [MergedProfile] = []
        out.reserveCapacity(groups.count)
        for key in groups.keys.sorted() {
            out.append(try MergedProfile(rows: groups[key] ?? []))
        }
        return out
    }
}

extension ProfilesTable {
    /// The merged profiles of `endpoint` (all when nil) with `window_start` in `from ..< to`, one per
    /// (endpoint, model_version, window_start, window_end, column_name), sorted by key.
    /// See `MergedProfile` for how histograms over different references are treated.
    /// `columns` limits the result to those profile columns (nil: all).
    public func merged(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                       columns: Set<String>? = nil) throws(StoreError) -> [MergedProfile] {
        var damaged: [DamagedDataFile]? = nil
        return try MergedProfile.merge(try unsortedRows(endpoint: endpoint, from: from, to: to, columns: columns, damaged: &damaged))
    }

    /// As ``merged(endpoint:from:to:columns:)``, but a data file that cannot be read (damaged) is left out
    /// and appended to `damaged`: the other endpoints' profiles are complete, the damaged file's keys lack its rows.
    public func merged(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                       columns: Set<String>? = nil, damaged: inout [DamagedDataFile]) throws(StoreError) -> [MergedProfile] {
        var collected: [DamagedDataFile]? = []
        defer { damaged += collected ?? [] }
        return try MergedProfile.merge(try unsortedRows(endpoint: endpoint, from: from, to: to, columns: columns, damaged: &collected))
    }
}
