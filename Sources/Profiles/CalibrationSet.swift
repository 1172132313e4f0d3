/// A classifier's labelled outputs on a reference set, gathered row by row, from which `driftline profile`
/// fits the calibration maps of the reference: one per class over `:proba:<class>` ("the label is the class",
/// one vs rest) and one over `:pred1` ("the prediction is right").
///
/// ```swift
/// var set = CalibrationSet(classes: ["no", "yes"], threshold: 0.5)
/// set.add(probabilities: [0.3, 0.7], label: "yes")
/// let map = try set.map(column: ":pred1", bins: pred1Bins)     // nil without labelled rows
/// ```
public struct CalibrationSet: Sendable {
    /// The model's classes, in order (`[negative, positive]` for a binary model).
    public let classes: [String]
    /// A binary model's decision threshold on the positive class.
    public let threshold: Double?
    /// Labelled rows added so far.
    public private(set) var count = 0
    private var values: [String: [Double]] = [:]
    private var events: [String: [Bool]] = [:]
    private let indexOfClass: [String: Int]

    public init(classes: [String], threshold: Double?) {
        self.classes = classes
        self.threshold = threshold
        var index: [String: Int] = [:]
        for (i, name) in classes.enumerated() where index[name] == nil { index[name] = i }
        indexOfClass = index
    }

    /// One labelled row: the model's probabilities in class order and the true class. The prediction is derived
    /// as the tail stage derives it (`DerivedColumns.classify`). A row without probabilities is ignored; a label
    /// that is not one of the classes makes every event false (the prediction is wrong, no class matches).
    public mutating func add(probabilities: [Double], label: String) {
        guard let classified = DerivedColumns.classify(probabilities: probabilities, threshold: threshold) else { return }
        let truth = indexOfClass[label]
        for (index, name) in classes.enumerated() where index < probabilities.count {
            let column = DerivedColumns.probabilityColumn(name)
            values[column, default: []].append(probabilities[index])
            events[column, default: []].append(truth == index)
        }
        values[DerivedColumns.pred1, default: []].append(classified.pred1)
        events[DerivedColumns.pred1, default: []].append(truth == classified.predictedIndex)
        count += 1
    }

    /// The calibration map of `column` (`:proba:<class>` or `:pred1`) over `bins`; nil when no labelled row has
    /// a finite value of it.
    public func map(column: String, bins: ReferenceBins) throws(ProfileError) -> CalibrationMap? {
        guard let values = values[column], let events = events[column], values.contains(where: \.isFinite) else { return nil }
        return try CalibrationMap(bins: bins, values: values, events: events)
    }
}
