/// The reserved column names of DESIGN.md and the pure functions that derive their values from a
/// record's prediction; the tail stage calls these and profiles the results like any other column.
public enum DerivedColumns {
    public static let prediction = ":prediction"
    public static let label = ":label"
    public static let pred1 = ":pred1"
    public static let spread12 = ":spread12"
    public static let latency = ":latency_ms"
    public static let error = ":error"
    public static let confusion = ":confusion"
    public static let residual = ":residual"
    public static let absoluteResidual = ":abs_residual"
    /// The category that counts values a reference never saw.
    public static let unseenCategory = "__unseen__"

    /// `:proba:<class>`: the column of one class's probability.
    public static func probabilityColumn(_ className: String) -> String { ":proba:" + className }

    /// What a classification record's probabilities imply.
    public struct Classification: Sendable, Equatable {
        /// Index of the predicted class.
        public var predictedIndex: Int
        /// The largest probability.
        public var pred1: Double
        /// The largest minus the second largest probability (the largest alone for one class).
        public var spread12: Double
    }

    /// Prediction, pred1 and spread12 from probabilities in class order. With two classes and a
    /// `threshold`, the prediction is the positive class (index 1) iff P(positive) ≥ threshold;
    /// otherwise it is the arg-max, first on ties. `nil` for no probabilities; NaNs are skipped.
    public static func classify(probabilities: [Double], threshold: Double? = nil) -> Classification? {
        probabilities.withUnsafeBufferPointer { classify(probabilities: $0, threshold: threshold) }
    }

    /// `classify` over probabilities that already sit in a buffer (the tail stage's decoded record).
    public static func classify(probabilities: UnsafeBufferPointer<Double>, threshold: Double? = nil) -> Classification? {
        var best = -1
        var first = -Double.infinity, second = -Double.infinity
        for (index, p) in probabilities.enumerated() where !p.isNaN {
            if best < 0 || p > first {
                second = first
                first = p
                best = index
            } else if p > second {
                second = p
            }
        }
        guard best >= 0 else { return nil }
        if let threshold, probabilities.count == 2, !probabilities[1].isNaN {
            best = probabilities[1] >= threshold ? 1 : 0
        }
        let spread = second == -.infinity ? first : first - second
        return Classification(predictedIndex: best, pred1: first, spread12: spread)
    }

    /// The `:confusion` value of a labelled prediction: `<label>|<prediction>`.
    public static func confusionValue(label: String, prediction: String) -> String { label + "|" + prediction }

    /// `:residual` (prediction − label) and `:abs_residual` of a regression record.
    public static func residuals(prediction: Double, label: Double) -> (residual: Double, absoluteResidual: Double) {
        let residual = prediction - label
        return (residual, abs(residual))
    }

    /// How many distinct values a categorical column keeps with their own count. The schema bounds the class
    /// columns (`:prediction`, `:label`: the model's classes, anything else counts as missing; `:confusion`:
    /// pairs of classes, 289 for 17 classes), so they have no cap and stay exact; every other column keeps
    /// ``CategoryCounts/defaultCapacity``.
    public static func categoryCapacity(of column: String) -> Int {
        switch column {
        case prediction, label, confusion: return Int.max
        default: return CategoryCounts.defaultCapacity
        }
    }
}
