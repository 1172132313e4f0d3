import Profiles

/// Which distribution a window is compared with (the `baseline` column of `drift`).
public enum DriftBaseline: String, Sendable, Codable, CaseIterable {
    /// The training set's profile (`references/<endpoint>/<version>.json`).
    case reference
    /// The hour before the analysed one.
    case previous
}

/// A column of an analysed hour compared with a baseline: the comparison (bins, distances, tests, status) that
/// `HourAnalysis.driftRows` turns into `drift` rows and the report draws its bin charts from.
public struct ColumnDrift: Sendable {
    public var baseline: DriftBaseline
    public var columnName: String
    public var columnKind: ColumnProfile.Kind
    /// Mean and sample standard deviation of each side (numeric columns with values).
    public var mean: Double?
    public var baselineMean: Double?
    public var stddev: Double?
    public var baselineStddev: Double?
    /// Counts, bins, distances, tests and status (DESIGN.md's metric definitions).
    public var comparison: DriftComparison

    public var status: DriftStatus { comparison.status }

    /// Compares `actual` with `baseline` over `binning`. A side without a profile is compared as an
    /// empty profile of the other's kind (`insufficient_data`).
    public init(column: String, actual: ColumnProfile?, baseline: ColumnProfile?, baselineKind: DriftBaseline,
                binning: DriftComparison.Binning, thresholds: DriftThresholds) throws(ProfileError) {
        guard let kind = actual?.kind ?? baseline?.kind else {
            throw .invalidArgument(name: "column", detail: "column '\(column)' has a profile on neither side")
        }
        func empty() -> ColumnProfile { kind == .numeric ? .numeric(column) : .categorical(column) }
        let a = actual ?? empty(), b = baseline ?? empty()
        self.baseline = baselineKind
        columnName = column
        columnKind = kind
        mean = a.numeric.flatMap { $0.moments.count > 0 ? $0.moments.mean : nil }
        baselineMean = b.numeric.flatMap { $0.moments.count > 0 ? $0.moments.mean : nil }
        stddev = a.numeric?.moments.standardDeviation
        baselineStddev = b.numeric?.moments.standardDeviation
        comparison = try DriftComparison(actual: a, baseline: b, binning: binning, thresholds: thresholds)
    }
}
