import Profiles

/// What the analysis needs from a model's reference (the training set's profile): each column's
/// profile, the numeric bin edges, and the model's classes.
public struct ReferenceBaseline: Sendable {
    /// Fingerprint of the reference (the `reference_id` of histograms counted over its bins).
    public var referenceID: String
    /// Column name → the training set's profile.
    public var columns: [String: ColumnProfile]
    /// Numeric column name → bins for drift.
    public var bins: [String: ReferenceBins]
    /// The model's classes in order (empty for regression or when unknown).
    public var classes: [String]
    /// Calibration maps by column (`:proba:<class>`, `:pred1`), when the reference was profiled with labels.
    public var calibrations: [String: CalibrationMap]
    /// A binary model's decision threshold on its positive class.
    public var threshold: Double?
    /// Whether the reference says the model is a regression.
    public var isRegression: Bool

    public init(referenceID: String, columns: [String: ColumnProfile], bins: [String: ReferenceBins], classes: [String],
                calibrations: [String: CalibrationMap] = [:], threshold: Double? = nil, isRegression: Bool = false) {
        self.referenceID = referenceID
        self.columns = columns
        self.bins = bins
        self.classes = classes
        self.calibrations = calibrations
        self.threshold = threshold
        self.isRegression = isRegression
    }

    /// The categories of a categorical reference column, in the row order (count descending),
    /// without `__other__`: the drift bins before `__unseen__`.
    public func categories(of column: String) -> [String]? {
        columns[column]?.categorical.map { $0.sortedCounts().map(\.value) }
    }
}
