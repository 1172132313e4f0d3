import Profiles

/// Conversion between `ColumnProfile` and the `profiles` row shape.
extension ColumnProfile {
    /// The ranks of the row's p05…p95 columns (read with DataSketches' default, exclusive ranks).
    public static let rowQuantileRanks = [0.05, 0.25, 0.5, 0.75, 0.95]

    /// This profile as a `profiles` row of the given endpoint, model version and window.
    public func row(endpoint: String, modelVersion: String,
                    windowStartMicroseconds: Int64, windowEndMicroseconds: Int64) -> ProfileRow {
        var row = ProfileRow(endpoint: endpoint, modelVersion: modelVersion,
                             windowStartMicroseconds: windowStartMicroseconds, windowEndMicroseconds: windowEndMicroseconds,
                             columnName: columnName, columnKind: kind.rawValue, count: count, missingCount: missingCount)
        switch statistics {
        case let .numeric(profile):
            let moments = profile.moments
            row.min = moments.min
            row.max = moments.max
            row.mean = moments.count > 0 ? moments.mean : nil
            row.m2 = moments.count > 0 ? moments.m2 : nil
            let quantiles = profile.sketch.quantiles(Self.rowQuantileRanks)
            row.p05 = quantiles[0]
            row.p25 = quantiles[1]
            row.p50 = quantiles[2]
            row.p75 = quantiles[3]
            row.p95 = quantiles[4]
            row.sketch = profile.sketch.serialized()
            row.histogram = profile.histogram
            row.referenceID = profile.bins?.referenceID
            row.belowReferenceMin = profile.outsideTrainingRange?.below
            row.aboveReferenceMax = profile.outsideTrainingRange?.above
        case let .categorical(counts):
            let fields = counts.rowFields
            row.categories = fields.categories
            row.categoryCounts = fields.counts
            row.otherCategories = counts.otherRowFields?.categories
            row.otherCategoryCounts = counts.otherRowFields?.counts
        }
        return row
    }

    /// A profile back from a row. A row with a histogram needs the `bins` of its `reference_id`
    /// (from the reference file); without them, or with other bins, this throws `mismatchedBins`.
    public init(row: ProfileRow, bins: ReferenceBins? = nil) throws(ProfileError) {
        func bad(_ field: String, _ detail: String) -> ProfileError {
            .malformedRow(column: row.columnName, field: field, detail: detail)
        }
        guard row.count >= 0, row.missingCount >= 0 else { throw bad("count", "counts must be ≥ 0") }
        switch Kind(rawValue: row.columnKind) {
        case .numeric:
            guard let bytes = row.sketch else { throw bad("sketch", "a numeric row needs its sketch") }
            let sketch: KLLSketch
            do { sketch = try KLLSketch(serialized: bytes) } catch { throw bad("sketch", error.description) }
            let moments: NumericMoments
            do {
                moments = try NumericMoments(count: row.count, missingCount: row.missingCount, min: row.min, max: row.max,
                                             mean: row.mean ?? 0, m2: row.m2 ?? 0)
            } catch { throw bad("moments", error.description) }
            var usedBins: ReferenceBins? = nil
            if let histogram = row.histogram {
                guard let bins, bins.referenceID == row.referenceID else {
                    throw .mismatchedBins(detail: "row of '\(row.columnName)' counts over reference \(row.referenceID ?? "?"), bins given: \(bins?.referenceID ?? "none")")
                }
                guard bins.binCount == histogram.count else {
                    throw .mismatchedBins(detail: "row of '\(row.columnName)' has \(histogram.count) counts, reference \(bins.referenceID) has \(bins.binCount) bins")
                }
                usedBins = bins
            }
            let profile: NumericProfile
            var outside: (below: Int64, above: Int64)? = nil
            if let below = row.belowReferenceMin, let above = row.aboveReferenceMax, usedBins?.trainingRange != nil { outside = (below, above) }
            do {
                profile = try NumericProfile(moments: moments, sketch: sketch, bins: usedBins, histogram: row.histogram, outsideRange: outside)
            } catch { throw bad("histogram", error.description) }
            self.init(columnName: row.columnName, statistics: .numeric(profile))
        case .categorical:
            let counts: CategoryCounts
            do {
                counts = try CategoryCounts(categories: row.categories ?? [], counts: row.categoryCounts ?? [], missingCount: row.missingCount,
                                           capacity: DerivedColumns.categoryCapacity(of: row.columnName),
                                           otherCategories: row.otherCategories, otherCounts: row.otherCategoryCounts)
            } catch { throw bad("categories", error.description) }
            guard counts.count == row.count else {
                throw bad("count", "category counts sum to \(counts.count), count is \(row.count)")
            }
            self.init(columnName: row.columnName, statistics: .categorical(counts))
        case nil:
            throw .differentKinds(column: row.columnName, row.columnKind, "numeric or categorical")
        }
    }
}
