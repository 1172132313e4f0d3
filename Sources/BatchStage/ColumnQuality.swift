import Profiles

/// A data-quality check's verdict (the `status` column of the `quality` table).
public enum QualityStatus: String, Sendable, Codable {
    case insufficientData = "insufficient_data"
    case ok
    case alert

    /// 0 insufficient data, 1 ok, 2 alert (the textfile's value).
    public var severity: Int {
        switch self {
        case .insufficientData: 0
        case .ok: 1
        case .alert: 2
        }
    }
}

/// The data-quality checks (the `check` column of the `quality` table).
public enum QualityCheck: String, Sendable, Codable, CaseIterable {
    /// Share of the window's records without a value, against the reference's (two-proportion z-test).
    case missingShare = "missing_share"
    /// Share of the window's values below the reference's minimum (numeric).
    case belowTrainingMin = "below_training_min"
    /// Share of the window's values above the reference's maximum (numeric).
    case aboveTrainingMax = "above_training_max"
    /// Share of the window's values the reference never saw, with those values named (categorical).
    case unseenCategories = "unseen_categories"
}

/// One check of one feature in an analysed window against the reference: a row of the `quality` table.
public struct ColumnQuality: Sendable, Equatable {
    /// Most unseen categories named per check (by count descending, ties by value).
    public static let namedCategoryLimit = 20

    public var columnName: String
    public var check: QualityCheck
    /// The window's share, and the reference's.
    public var value: Double?
    public var baselineValue: Double?
    public var pValue: Double?
    public var status: QualityStatus
    /// What the share is taken over (records for `missing_share`, values otherwise) and how many were flagged.
    public var count: Int64
    public var flaggedCount: Int64
    /// `unseen_categories`: the values the reference never saw, with their counts.
    public var newCategories: [(value: String, count: Int64)]?

    public static func == (lhs: ColumnQuality, rhs: ColumnQuality) -> Bool {
        lhs.columnName == rhs.columnName && lhs.check == rhs.check && lhs.value == rhs.value && lhs.baselineValue == rhs.baselineValue
            && lhs.pValue == rhs.pValue && lhs.status == rhs.status && lhs.count == rhs.count && lhs.flaggedCount == rhs.flaggedCount
            && lhs.newCategories?.map(\.value) == rhs.newCategories?.map(\.value)
            && lhs.newCategories?.map(\.count) == rhs.newCategories?.map(\.count)
    }

    /// The checks of one feature: the missing share, and the training range (numeric) or the unseen
    /// categories (categorical). Empty when the reference has no profile of the column or the kinds differ.
    public static func checks(column: String, actual: ColumnProfile, reference: ColumnProfile,
                              thresholds: QualityThresholds) -> [ColumnQuality] {
        guard actual.kind == reference.kind else { return [] }
        var out = [missingShare(column: column, actual: actual, reference: reference, thresholds: thresholds)]
        if let window = actual.numeric, let trained = reference.numeric {
            out += outsideRange(column: column, window: window, reference: trained, thresholds: thresholds)
        } else if let window = actual.categorical, let trained = reference.categorical {
            out.append(unseen(column: column, window: window, reference: trained, thresholds: thresholds))
        }
        return out
    }

    static func status(effect: Double, threshold: Double, pValue: Double, count: Int64, baselineCount: Int64,
                       thresholds: QualityThresholds) -> QualityStatus {
        if count < thresholds.minimumCount || baselineCount < thresholds.minimumCount || count == 0 || baselineCount == 0 {
            return .insufficientData
        }
        return effect >= threshold && pValue < thresholds.pValue ? .alert : .ok
    }

    static func share(_ part: Int64, _ whole: Int64) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }

    static func missingShare(column: String, actual: ColumnProfile, reference: ColumnProfile, thresholds: QualityThresholds) -> ColumnQuality {
        let n = actual.count + actual.missingCount, k = actual.missingCount
        let n0 = reference.count + reference.missingCount, k0 = reference.missingCount
        let value = share(k, n), baseline = share(k0, n0)
        let p = ProportionTest.twoProportionPValue(count: k, of: n, baselineCount: k0, of: n0)
        return ColumnQuality(columnName: column, check: .missingShare, value: value, baselineValue: baseline, pValue: p,
                             status: status(effect: (value ?? 0) - (baseline ?? 0), threshold: thresholds.missingShareIncrease,
                                            pValue: p, count: n, baselineCount: n0, thresholds: thresholds),
                             count: n, flaggedCount: k)
    }

    /// The evidence is the chance of so many values beyond the training extreme when nothing changed
    /// (``ProportionTest/exceedancePValue(count:of:trainingCount:)``).
    static func outsideRange(column: String, window: NumericProfile, reference: NumericProfile,
                             thresholds: QualityThresholds) -> [ColumnQuality] {
        let moments = window.moments, trained = reference.moments
        guard let low = trained.min, let high = trained.max else { return [] }
        let n = moments.count, n0 = trained.count
        var below: Int64 = 0, above: Int64 = 0
        if let exact = window.outsideTrainingRange, window.bins?.trainingRange == low...high {
            // Counted value by value while profiling (rows with a histogram over the reference's bins).
            (below, above) = exact
        } else if let least = moments.min, let most = moments.max, least < low || most > high {
            // Exact when the window's extremes lie inside the range (the common case) or wholly outside it;
            // otherwise read from the window's sketch (DESIGN.md's rank error).
            let view = window.sketch.sortedView()
            if least < low { below = most < low ? n : Swift.min(n, Int64(clamping: view.weight(below: low, inclusive: false))) }
            if most > high { above = least > high ? n : Swift.max(0, n - Int64(clamping: view.weight(below: high, inclusive: true))) }
        }
        return [(QualityCheck.belowTrainingMin, below), (.aboveTrainingMax, above)].map { check, k in
            let value = share(k, n)
            let p = ProportionTest.exceedancePValue(count: k, of: n, trainingCount: n0)
            return ColumnQuality(columnName: column, check: check, value: value, baselineValue: 0, pValue: n > 0 ? p : nil,
                                 status: status(effect: value ?? 0, threshold: thresholds.outsideRangeShare, pValue: p,
                                                count: n, baselineCount: n0, thresholds: thresholds),
                                 count: n, flaggedCount: k)
        }
    }

    /// The reference's own share of values beyond its named categories (`__other__`) is the baseline. Under no
    /// change a new value is unseen with the reference's unseen mass: Good–Turing's estimate, the share of its
    /// values whose category it saw once (plus its `__other__` values), at least 1/(n₀ + 1); the evidence is
    /// the binomial tail of the unseen count at that rate.
    static func unseen(column: String, window: CategoryCounts, reference: CategoryCounts, thresholds: QualityThresholds) -> ColumnQuality {
        let n = window.count, n0 = reference.count
        let known = Set(reference.counts.keys)
        let named = window.sortedCounts().filter { !known.contains($0.value) }
        let seen = window.counts.reduce(0) { known.contains($1.key) ? $0 + $1.value : $0 }
            + window.namedOther.reduce(0) { known.contains($1.key) ? $0 + $1.value : $0 }
        let k = n - seen
        let k0 = reference.otherCount
        let value = share(k, n), baseline = share(k0, n0)
        let singletons = reference.counts.values.reduce(Int64(0)) { $1 == 1 ? $0 + 1 : $0 }
        let rate = Swift.max((Double(singletons) + Double(k0)) / Swift.max(1, Double(n0)), 1 / (Double(n0) + 1))
        let p = ProportionTest.binomialUpperTail(atLeast: k, of: n, probability: Swift.min(1, rate))
        // Values beyond the window's cap are named too when `__other__` kept their counts; the rest stays `__other__`.
        let namedOther = window.sortedNamedOther().filter { !known.contains($0.value) }
        var categories = Array((named + namedOther).sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
            .prefix(namedCategoryLimit))
        let unnamed = window.otherCount - namedOther.reduce(0) { $0 + $1.count }
        if unnamed > 0 { categories.append((value: CategoryCounts.otherCategory, count: unnamed)) }
        return ColumnQuality(columnName: column, check: .unseenCategories, value: value, baselineValue: baseline, pValue: n > 0 ? p : nil,
                             status: status(effect: (value ?? 0) - (baseline ?? 0), threshold: thresholds.unseenShare, pValue: p,
                                            count: n, baselineCount: n0, thresholds: thresholds),
                             count: n, flaggedCount: k, newCategories: categories)
    }
}
