/// Counts of (true label, predicted class) pairs over a model's classes, built from the `:confusion`
/// column's category counts (`<label>|<prediction>`).
public struct ConfusionMatrix: Sendable, Equatable {
    /// The model's classes, in order: rows are true labels, columns predictions.
    public let classes: [String]
    /// `counts[t][p]`: records labelled `classes[t]` and predicted `classes[p]`.
    public private(set) var counts: [[Int64]]
    /// Labelled records whose label is none of the classes, per predicted class (always wrong).
    public private(set) var unknownLabelCounts: [Int64]

    /// An all-zero matrix. Throws for no classes or repeated class names.
    public init(classes: [String]) throws(ProfileError) {
        guard !classes.isEmpty, Set(classes).count == classes.count else {
            throw .invalidArgument(name: "classes", detail: "need distinct class names, got \(classes)")
        }
        self.classes = classes
        counts = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
        unknownLabelCounts = Array(repeating: 0, count: classes.count)
    }

    /// Adds `n` records with this label and prediction; a prediction outside the classes is ignored
    /// (returns false).
    @discardableResult
    public mutating func add(label: String, prediction: String, count n: Int64 = 1) -> Bool {
        guard let p = classes.firstIndex(of: prediction) else { return false }
        if let t = classes.firstIndex(of: label) { counts[t][p] += n } else { unknownLabelCounts[p] += n }
        return true
    }

    /// A matrix from `:confusion` category counts. The prediction is the longest class name that ends the
    /// value after a `|`, so labels may contain `|`. `__other__` counts and values that name no class are
    /// returned as `unparsed` (they cannot be placed).
    public init(classes: [String], confusion: CategoryCounts) throws(ProfileError) {
        try self.init(classes: classes)
        let byLength = classes.sorted { $0.count > $1.count }
        var unparsed: Int64 = confusion.otherCount
        for (value, count) in confusion.counts {
            if let prediction = byLength.first(where: { value.hasSuffix("|" + $0) }) {
                add(label: String(value.dropLast(prediction.count + 1)), prediction: prediction, count: count)
            } else {
                unparsed += count
            }
        }
        self.unparsedCount = unparsed
    }

    /// `:confusion` counts that could not be placed (see `init(classes:confusion:)`).
    public private(set) var unparsedCount: Int64 = 0

    /// Labelled records in the matrix.
    public var total: Int64 { counts.joined().reduce(0, +) + unknownLabelCounts.reduce(0, +) }
}
