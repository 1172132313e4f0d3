import DriftlineCore
import DriftlineStore
import Parquet
import Profiles

/// Folds the partial `profiles` rows of many windows into one `HourProfiles` per endpoint, model
/// version and UTC hour.
///
/// Histograms: a column's hour keeps exact bin counts only when every window part with values counted
/// over the bins of the model's current reference (same `reference_id`); otherwise the hour's counts are
/// read from its merged sketch (DESIGN.md's rule for windows without a matching reference).
struct HourlyProfiles {
    struct Key: Hashable, Comparable {
        var endpoint: String
        var modelVersion: String
        var hour: AnalysisHour

        static func < (a: Key, b: Key) -> Bool { (a.endpoint, a.modelVersion, a.hour) < (b.endpoint, b.modelVersion, b.hour) }
    }

    struct ColumnKey: Hashable {
        var hour: Key
        var column: String
    }

    /// A column of one hour being folded, merged in place (no copy of the sketch per row).
    struct Column {
        var numeric: NumericProfile?
        var categorical: CategoryCounts?
        var histogram: [Int64]?
        var usable: Bool
        /// Values below / above the training range, while every part has them (with a usable histogram).
        var outside: (below: Int64, above: Int64)? = nil
    }

    private(set) var columns: [ColumnKey: Column] = [:]

    /// Merges rows (in `ProfilesTable.rows` order: by key, then commit-file order, which is deterministic).
    ///
    /// Each column of each hour folds its own rows in row order, so the columns are folded on all cores
    /// and give the same sketches as one sequential pass; the error thrown is that of the earliest failing row.
    /// `window` gives the analysis window of an endpoint's instant (hour or day); hours by default.
    mutating func add(_ rows: [ProfileRow], window: (String, Int64) -> AnalysisHour = { AnalysisHour(containing: $1) },
                      bins: (String, String) -> [String: ReferenceBins]) throws(BatchError) {
        var order: [ColumnKey] = []
        var groups: [ColumnKey: (bins: ReferenceBins?, rows: [Int])] = [:]
        var binsByModel: [String: [String: ReferenceBins]] = [:]
        for (index, row) in rows.enumerated() {
            let hourKey = Key(endpoint: row.endpoint, modelVersion: row.modelVersion,
                              hour: window(row.endpoint, row.windowStartMicroseconds))
            let key = ColumnKey(hour: hourKey, column: row.columnName)
            if groups[key] == nil {
                let model = row.endpoint + "\u{0}" + row.modelVersion
                if binsByModel[model] == nil { binsByModel[model] = bins(row.endpoint, row.modelVersion) }
                groups[key] = (binsByModel[model]?[row.columnName], [])
                order.append(key)
            }
            groups[key]?.rows.append(index)
        }
        let existing = columns
        let folded = Parallel.map(order.count) { g -> Result<Column, FoldError> in
            let key = order[g]
            guard let group = groups[key] else { return .failure(FoldError(row: Int.max, error: .store(detail: "lost column"))) }
            return Result { () throws(FoldError) in
                var column = existing[key]
                // Window by window in time order; the parts of one window merged as `MergedProfile` merges
                // them (the canonical order, through the row compaction would store), so the hour's sketch
                // and moments are the same bytes before and after compaction and whatever the files.
                for window in Self.windows(group.rows, of: rows) {
                    let index = window[0]
                    let part: Column
                    if window.count == 1 {
                        part = try Self.part(rows[index], bins: group.bins, index: index)
                    } else {
                        let merged: ProfileRow
                        do { merged = try MergedProfile(rows: window.map { rows[$0] }).row } catch {
                            throw FoldError(row: index, error: .store(detail: "profile rows of \(ProfileKey(rows[index])) do not merge: \(error)"))
                        }
                        part = try Self.part(merged, bins: group.bins, index: index)
                    }
                    guard column != nil else { column = part; continue }
                    do { try column?.absorb(part) } catch {
                        let row = rows[index]
                        throw FoldError(row: index, error: .analysis(endpoint: row.endpoint, hour: key.hour.hour.label,
                                                                    detail: "column \(row.columnName): \(error)"))
                    }
                }
                guard let column else { throw FoldError(row: Int.max, error: .store(detail: "empty column")) }
                return column
            }
        }
        var firstError: FoldError?
        for case .failure(let error) in folded where error.row < (firstError?.row ?? .max) { firstError = error }
        if let firstError { throw firstError.error }
        for (key, result) in zip(order, folded) {
            if case .success(let column) = result { columns[key] = column }
        }
    }

    /// Row indices grouped by window (start, end), windows in time order, rows in input order.
    static func windows(_ indices: [Int], of rows: [ProfileRow]) -> [[Int]] {
        var byWindow: [WindowBounds: [Int]] = [:]
        for index in indices {
            byWindow[WindowBounds(start: rows[index].windowStartMicroseconds, end: rows[index].windowEndMicroseconds), default: []].append(index)
        }
        return byWindow.keys.sorted().map { byWindow[$0] ?? [] }
    }

    struct WindowBounds: Hashable, Comparable {
        var start: Int64
        var end: Int64
        static func < (a: WindowBounds, b: WindowBounds) -> Bool { (a.start, a.end) < (b.start, b.end) }
    }

    struct FoldError: Error {
        var row: Int
        var error: BatchError
    }

    /// One row as a part to fold: its statistics, and its histogram when counted over the current reference's bins.
    static func part(_ row: ProfileRow, bins columnBins: ReferenceBins?, index: Int) throws(FoldError) -> Column {
        var part: Column
        do { part = try Self.bareColumn(row) } catch {
            throw FoldError(row: index, error: .store(detail: "profile row \(ProfileKey(row)) is unreadable: \(error)"))
        }
        if part.numeric != nil, let columnBins {
            if row.count == 0 {
                part.histogram = [Int64](repeating: 0, count: columnBins.binCount)
                part.usable = true
                part.outside = (0, 0)
            } else if let counts = row.histogram, row.referenceID == columnBins.referenceID, counts.count == columnBins.binCount {
                part.histogram = counts
                part.usable = true
                if let below = row.belowReferenceMin, let above = row.aboveReferenceMax { part.outside = (below, above) }
            }
        }
        return part
    }

    /// A row's statistics without its histogram.
    static func bareColumn(_ row: ProfileRow) throws -> Column {
        switch ColumnProfile.Kind(rawValue: row.columnKind) {
        case .numeric:
            guard let bytes = row.sketch else {
                throw ProfileError.malformedRow(column: row.columnName, field: "sketch", detail: "a numeric row needs its sketch")
            }
            let sketch = try KLLSketch(serialized: bytes)
            let moments = try NumericMoments(count: row.count, missingCount: row.missingCount, min: row.min, max: row.max,
                                             mean: row.mean ?? 0, m2: row.m2 ?? 0)
            return Column(numeric: try NumericProfile(moments: moments, sketch: sketch, bins: nil, histogram: nil),
                          categorical: nil, histogram: nil, usable: false)
        case .categorical:
            let counts = try CategoryCounts(categories: row.categories ?? [], counts: row.categoryCounts ?? [], missingCount: row.missingCount,
                                           capacity: DerivedColumns.categoryCapacity(of: row.columnName),
                                           otherCategories: row.otherCategories, otherCounts: row.otherCategoryCounts)
            return Column(numeric: nil, categorical: counts, histogram: nil, usable: false)
        case nil:
            throw ProfileError.differentKinds(column: row.columnName, row.columnKind, "numeric or categorical")
        }
    }

    /// The hours found, each as `HourProfiles` with histograms attached where usable.
    func hourProfiles(bins: (String, String) -> [String: ReferenceBins]) -> [Key: HourProfiles] {
        var out: [Key: HourProfiles] = [:]
        for (key, column) in columns {
            let profile: ColumnProfile
            if let numeric = column.numeric {
                if column.usable, let histogram = column.histogram, let columnBins = bins(key.hour.endpoint, key.hour.modelVersion)[key.column],
                   let withBins = try? NumericProfile(moments: numeric.moments, sketch: numeric.sketch, bins: columnBins, histogram: histogram,
                                                      outsideRange: columnBins.trainingRange == nil ? nil : column.outside) {
                    profile = ColumnProfile(columnName: key.column, statistics: .numeric(withBins))
                } else {
                    profile = ColumnProfile(columnName: key.column, statistics: .numeric(numeric))
                }
            } else {
                profile = ColumnProfile(columnName: key.column, statistics: .categorical(column.categorical ?? CategoryCounts()))
            }
            out[key.hour, default: HourProfiles(endpoint: key.hour.endpoint, modelVersion: key.hour.modelVersion, hour: key.hour.hour)]
                .columns[key.column] = profile
        }
        return out
    }
}

extension HourlyProfiles.Column {
    /// Adds another part of the same column, in place.
    mutating func absorb(_ part: HourlyProfiles.Column) throws(ProfileError) {
        switch (numeric != nil, part.numeric) {
        case (true, let theirs?):
            try numeric?.merge(theirs)
        case (false, nil):
            if let theirs = part.categorical { categorical?.merge(theirs) }
        default:
            throw .differentKinds(column: "?", numeric != nil ? "numeric" : "categorical", part.numeric != nil ? "numeric" : "categorical")
        }
        if usable, part.usable, let theirs = part.histogram, let count = histogram?.count, count == theirs.count {
            for i in 0..<count { histogram?[i] += theirs[i] }
            if let mine = outside, let more = part.outside { outside = (mine.below + more.below, mine.above + more.above) } else { outside = nil }
        } else {
            usable = false
            histogram = nil
            outside = nil
        }
    }
}
