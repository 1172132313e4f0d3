import Profiles

extension ReferenceBaseline {
    /// Accuracy of the model on the labelled rows of its reference (the training set's `:confusion`
    /// counts, scikit-learn's `accuracy_score`); nil for regression or a reference profiled without labels.
    public var accuracy: Double? {
        guard !classes.isEmpty, let confusion = columns[DerivedColumns.confusion]?.categorical,
              let matrix = try? ConfusionMatrix(classes: classes, confusion: confusion),
              matrix.total > 0, let metrics = ClassificationMetrics(matrix) else { return nil }
        return metrics.accuracy
    }
}
