import DriftlineStore
import Profiles

/// The analysis of one endpoint, model version and hour: its `drift` rows against each baseline and
/// its `performance` row.
///
/// ```swift
/// let analysis = try HourAnalysis(hour: merged, previous: mergedHourBefore, reference: baseline,
///                                 settings: AnalysisSettings())
/// analysis.performance.status
/// ```
public struct HourAnalysis: Sendable {
    /// Reserved columns that get drift rows besides the features.
    public static let reservedDriftColumns = [DerivedColumns.prediction, DerivedColumns.pred1, DerivedColumns.label]

    public var endpoint: String
    public var modelVersion: String
    public var hour: AnalysisHour
    /// The reference's id when the hour was compared with one.
    public var referenceID: String?
    /// Features first (sorted), then the reserved columns; `reference` rows before `previous` ones.
    public var drift: [ColumnDrift]
    /// The hour's `performance` row, as the table stores it.
    public var performance: PerformanceRow
    /// Why the row has no label-free estimate, or why it is not reliable, in words for the report (not stored).
    public var estimateNote: String?
    /// The model's classes used for the classification metrics (empty for regression).
    public var classes: [String]
    /// The data-quality checks of the features against the reference (none without one): features sorted,
    /// checks in ``QualityCheck`` order.
    public var quality: [ColumnQuality] = []
    /// What the quality checks make of the model's status: `alert` or `warn` (per ``QualityThresholds/modelStatus``)
    /// when any check alerts, `ok` otherwise.
    public var qualityStatus: String = "ok"
    /// The hour's own figures of its features, `:prediction`, `:pred1` and `:spread12` (for the MLWatcher export).
    public var summaries: [String: ColumnSummary] = [:]

    public init(hour: HourProfiles, previous: HourProfiles?, reference: ReferenceBaseline?,
                settings: AnalysisSettings = AnalysisSettings()) throws(ProfileError) {
        endpoint = hour.endpoint
        modelVersion = hour.modelVersion
        self.hour = hour.hour
        referenceID = reference?.referenceID
        classes = Self.classes(hour: hour, reference: reference)
        summaries = ColumnSummary.of(hour.columns)
        let columns = Self.driftColumns(hour: hour, previous: previous, reference: reference)
        var drift: [ColumnDrift] = []
        if let reference {
            for column in columns where hour.columns[column] != nil || reference.columns[column] != nil {
                drift.append(try ColumnDrift(column: column, actual: hour.columns[column], baseline: reference.columns[column],
                                             baselineKind: .reference,
                                             binning: Self.binning(column, hour: hour, reference: reference, settings: settings),
                                             thresholds: settings.thresholds))
            }
        }
        if let previous {
            for column in columns where hour.columns[column] != nil || previous.columns[column] != nil {
                drift.append(try ColumnDrift(column: column, actual: hour.columns[column], baseline: previous.columns[column],
                                             baselineKind: .previous,
                                             binning: Self.binning(column, hour: hour, reference: reference, settings: settings),
                                             thresholds: settings.thresholds))
            }
        }
        self.drift = drift
        if let reference {
            for column in hour.featureNames {
                guard let actual = hour.columns[column], let trained = reference.columns[column] else { continue }
                quality += ColumnQuality.checks(column: column, actual: actual, reference: trained, thresholds: settings.quality)
            }
            if quality.contains(where: { $0.status == .alert }) { qualityStatus = settings.quality.modelStatus.rawValue }
        }
        (performance, estimateNote) = Self.performance(hour: hour, classes: classes, drift: drift,
                                                       modelBaseline: reference == nil ? .previous : .reference, reference: reference)
    }

    /// The drift rows against one baseline.
    public func drift(against baseline: DriftBaseline) -> [ColumnDrift] { drift.filter { $0.baseline == baseline } }

    /// Features of any side (sorted), then the reserved drift columns that exist on any side.
    static func driftColumns(hour: HourProfiles, previous: HourProfiles?, reference: ReferenceBaseline?) -> [String] {
        var names = Set(hour.columns.keys)
        names.formUnion(previous?.columns.keys ?? [:].keys)
        names.formUnion(reference?.columns.keys ?? [:].keys)
        let features = names.filter { !$0.hasPrefix(":") }.sorted()
        return features + reservedDriftColumns.filter { names.contains($0) }
    }

    /// Reference bins when the reference has the column; otherwise the no-reference rules.
    static func binning(_ column: String, hour: HourProfiles, reference: ReferenceBaseline?,
                        settings: AnalysisSettings) -> DriftComparison.Binning {
        if let reference {
            if let bins = reference.bins[column] { return .numeric(bins) }
            if let categories = reference.categories(of: column) { return .categories(categories) }
        }
        return .fromBaseline(binCount: settings.binCount)
    }

    /// The reference's classes, else those named by the hour's `:proba:<class>` columns (sorted).
    static func classes(hour: HourProfiles, reference: ReferenceBaseline?) -> [String] {
        if let classes = reference?.classes, !classes.isEmpty { return classes }
        let prefix = DerivedColumns.probabilityColumn("")
        return hour.columns.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
    }
}
