import Profiles

/// The one order in which the partial rows of a profile are merged, by every reader (`query`, `batch`)
/// and by compaction: merged sketches and moments depend on merge order, so a fixed order makes the
/// same rows give the same bytes, whatever their files, their commit order or earlier compactions.
///
/// - Rows are grouped by what their histogram counts over: no histogram first, then by `reference_id`
///   (compaction keeps one row per group, so counts over different bins are never added).
///   A row without values and without a histogram (all missing) joins the first group.
/// - Within a group, rows are ordered by their content (counts, extremes, moments, sketch bytes,
///   histogram, categories), which no file layout changes.
public enum PartialRows {
    /// What a row's histogram counts over: nil without a histogram, else its reference id ("" when unnamed).
    public static func group(of row: ProfileRow) -> String? {
        row.histogram == nil ? nil : (row.referenceID ?? "")
    }

    /// The rows of one key in merge order, grouped (groups in order, each non-empty).
    public static func groups(_ rows: [ProfileRow]) -> [[ProfileRow]] {
        var byGroup: [String?: [ProfileRow]] = [:]
        var idle: [ProfileRow] = []
        for row in rows {
            if row.count == 0, row.histogram == nil {
                idle.append(row)
            } else {
                byGroup[group(of: row), default: []].append(row)
            }
        }
        var keys = Array(byGroup.keys).sorted { a, b in
            switch (a, b) {
            case (nil, _?): true
            case let (a?, b?): a < b
            default: false
            }
        }
        if keys.isEmpty {
            keys = [nil]
        }
        byGroup[keys[0], default: []] += idle
        return keys.map { (byGroup[$0] ?? []).sorted(by: precedes) }
    }

    /// The content order of two rows of one key (a total order on what merging reads).
    public static func precedes(_ a: ProfileRow, _ b: ProfileRow) -> Bool {
        if a.count != b.count { return a.count < b.count }
        if a.missingCount != b.missingCount { return a.missingCount < b.missingCount }
        for (x, y) in [(a.min, b.min), (a.max, b.max), (a.mean, b.mean), (a.m2, b.m2)] where x?.bitPattern != y?.bitPattern {
            guard let x else { return true }
            guard let y else { return false }
            return x.bitPattern < y.bitPattern
        }
        if a.sketch != b.sketch { return lexicographic(a.sketch ?? [], b.sketch ?? []) }
        if a.histogram != b.histogram { return lexicographic(a.histogram ?? [], b.histogram ?? []) }
        if a.categories != b.categories { return lexicographic(a.categories ?? [], b.categories ?? []) }
        if a.categoryCounts != b.categoryCounts { return lexicographic(a.categoryCounts ?? [], b.categoryCounts ?? []) }
        if a.otherCategories != b.otherCategories { return lexicographic(a.otherCategories ?? [], b.otherCategories ?? []) }
        if a.otherCategoryCounts != b.otherCategoryCounts { return lexicographic(a.otherCategoryCounts ?? [], b.otherCategoryCounts ?? []) }
        if a.belowReferenceMin != b.belowReferenceMin { return (a.belowReferenceMin ?? -1) < (b.belowReferenceMin ?? -1) }
        if a.aboveReferenceMax != b.aboveReferenceMax { return (a.aboveReferenceMax ?? -1) < (b.aboveReferenceMax ?? -1) }
        return (a.referenceID ?? "") < (b.referenceID ?? "")
    }

    static func lexicographic<T: Comparable>(_ a: [T], _ b: [T]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
