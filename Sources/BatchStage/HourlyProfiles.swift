import DriftlineStore
import Profiles

/// Folds the partial `profiles` rows of many windows into one `HourProfiles` per endpoint, model
/// version and UTC hour.
///
/// Histograms: a column's hour keeps exact bin counts only when every window part with values counted
/// over the bins of `references[endpoint/version]` (same `reference_id`); otherwise the hour's counts are
/// read from its merged sketch (DESIGN.md's rule for windows without a matching reference).
struct HourlyProfiles {
    struct Key: Hashable, Comparable {
        var endpoint: String
        var modelVersion: String
        var hour: AnalysisHour

        static func < (a: Key, b: Key) -> Bool { (a.endpoint, a.modelVersion, a.hour) < (b.endpoint, b.modelVersion, b.hour) }
    }

    /// A column of one hour being folded: the bare merged profile and the summed histogram while it is usable.
    struct Column {
        var profile: ColumnProfile
        var histogram: [Int64]?
        var usable: Bool
    }

    private(set) var hours: [Key: [String: Column]] = [:]

    /// The compaction coin of every sketch read back: merging the same rows in the same order then gives
    /// the same sketch, so re-running an hour gives the same KS and Wasserstein values.
    static let sketchSeed: UInt64 = 0x6261_7463_685f_6b6c

    /// Merges rows (in `ProfilesTable.rows` order: by key, then commit-file order, which is deterministic).
    mutating func add(_ rows: [ProfileRow], bins: (String, String) -> [String: ReferenceBins]) throws(BatchError) {
        for row in rows {
            let hourKey = Key(endpoint: row.endpoint, modelVersion: row.modelVersion,
                              hour: AnalysisHour(containing: row.windowStartMicroseconds))
            let profile: ColumnProfile
            do { profile = try Self.bareProfile(row) } catch {
                throw .store(detail: "profile row \(ProfileKey(row)) is unreadable: \(error)")
            }
            let columnBins = bins(row.endpoint, row.modelVersion)[row.columnName]
            var histogram: [Int64]? = nil
            var usable = false
            if profile.kind == .numeric, let columnBins {
                if row.count == 0 {
                    histogram = [Int64](repeating: 0, count: columnBins.binCount)
                    usable = true
                } else if let counts = row.histogram, row.referenceID == columnBins.referenceID, counts.count == columnBins.binCount {
                    histogram = counts
                    usable = true
                }
            }
            var columns = hours[hourKey] ?? [:]
            if var column = columns[row.columnName] {
                do { try column.profile.merge(profile) } catch {
                    throw .analysis(endpoint: row.endpoint, hour: hourKey.hour.label, detail: "column \(row.columnName): \(error)")
                }
                if column.usable, usable, let mine = column.histogram, let theirs = histogram, mine.count == theirs.count {
                    column.histogram = zip(mine, theirs).map { $0 + $1 }
                } else {
                    column.usable = false
                    column.histogram = nil
                }
                columns[row.columnName] = column
            } else {
                columns[row.columnName] = Column(profile: profile, histogram: histogram, usable: usable)
            }
            hours[hourKey] = columns
        }
    }

    /// A row's statistics without its histogram, its sketch read with `sketchSeed`.
    static func bareProfile(_ row: ProfileRow) throws -> ColumnProfile {
        guard row.columnKind == ColumnProfile.Kind.numeric.rawValue else {
            var bare = row
            bare.histogram = nil
            bare.referenceID = nil
            return try ColumnProfile(row: bare)
        }
        guard let bytes = row.sketch else {
            throw ProfileError.malformedRow(column: row.columnName, field: "sketch", detail: "a numeric row needs its sketch")
        }
        let sketch = try KLLSketch(serialized: bytes, seed: sketchSeed)
        let moments = try NumericMoments(count: row.count, missingCount: row.missingCount, min: row.min, max: row.max,
                                         mean: row.mean ?? 0, m2: row.m2 ?? 0)
        return ColumnProfile(columnName: row.columnName,
                             statistics: .numeric(try NumericProfile(moments: moments, sketch: sketch, bins: nil, histogram: nil)))
    }

    /// The hours found, each as `HourProfiles` with histograms attached where usable.
    func hourProfiles(bins: (String, String) -> [String: ReferenceBins]) -> [Key: HourProfiles] {
        var out: [Key: HourProfiles] = [:]
        for (key, columns) in hours {
            let modelBins = bins(key.endpoint, key.modelVersion)
            var profiles: [String: ColumnProfile] = [:]
            for (name, column) in columns {
                if column.usable, let histogram = column.histogram, let columnBins = modelBins[name],
                   let numeric = column.profile.numeric,
                   let withBins = try? NumericProfile(moments: numeric.moments, sketch: numeric.sketch, bins: columnBins, histogram: histogram) {
                    profiles[name] = ColumnProfile(columnName: name, statistics: .numeric(withBins))
                } else {
                    profiles[name] = column.profile
                }
            }
            out[key] = HourProfiles(endpoint: key.endpoint, modelVersion: key.modelVersion, hour: key.hour, columns: profiles)
        }
        return out
    }
}
