import Profiles

/// The merged profiles of one endpoint and model version over one analysis hour: every window's
/// partial rows of a column folded into one `ColumnProfile`.
public struct HourProfiles: Sendable {
    public var endpoint: String
    public var modelVersion: String
    public var hour: AnalysisHour
    /// Column name → merged profile.
    public var columns: [String: ColumnProfile]

    public init(endpoint: String, modelVersion: String, hour: AnalysisHour, columns: [String: ColumnProfile] = [:]) {
        self.endpoint = endpoint
        self.modelVersion = modelVersion
        self.hour = hour
        self.columns = columns
    }

    /// Folds one more (partial) profile into its column.
    public mutating func merge(_ profile: ColumnProfile) throws(ProfileError) {
        if var existing = columns[profile.columnName] {
            try existing.merge(profile)
            columns[profile.columnName] = existing
        } else {
            columns[profile.columnName] = profile
        }
    }

    /// Feature columns (every name that is not a reserved `:` column), sorted.
    public var featureNames: [String] { columns.keys.filter { !$0.hasPrefix(":") }.sorted() }

    /// Records seen in the hour, read from the first reserved column every record has.
    public var recordCount: Int64 {
        for name in [DerivedColumns.error, DerivedColumns.prediction, DerivedColumns.pred1, DerivedColumns.latency] {
            if let column = columns[name] { return column.count + column.missingCount }
        }
        return columns.values.map { $0.count + $0.missingCount }.max() ?? 0
    }
}
