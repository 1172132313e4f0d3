import Foundation

/// Fisher's iris data (1936, public domain; `pipelines/demo/iris.csv` holds the same 150 rows) and the
/// per-class and overall spreads the traffic generator draws around.
public enum IrisData {
    public static let classes = ["setosa", "versicolor", "virginica"]
    public static let featureNames = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

    /// Row indices of each species.
    public static let rowsByClass: [[Int]] = (0..<classes.count).map { c in rows.indices.filter { rows[$0].species == c } }

    /// Per class and feature: the sample standard deviation.
    public static let classSD: [[Double]] = rowsByClass.map { members in
        featureNames.indices.map { j in sampleSD(members.map { rows[$0].measurements[j] }) }
    }

    /// Per feature: the sample standard deviation over all 150 rows (the unit of `--drift-shift`).
    public static let overallSD: [Double] = featureNames.indices.map { j in sampleSD(rows.map { $0.measurements[j] }) }

    public static func sampleSD(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
    }
}

/// The models the simulated endpoints serve (fitted once with scikit-learn: `IrisModels+Fitted.swift`).
public enum IrisModel: Sendable {
    /// Multinomial logistic regression over the four measurements: p = softmax(W·x + b).
    case classifier(coefficients: [[Double]], intercepts: [Double])
    /// Linear regression of petal width on sepal length, sepal width and petal length.
    case regression(coefficients: [Double], intercept: Double)

    /// Class probabilities for the four measurements (classifiers).
    public static func softmax(coefficients: [[Double]], intercepts: [Double], x: [Double]) -> [Double] {
        let scores = zip(coefficients, intercepts).map { row, b in zip(row, x).reduce(b) { $0 + $1.0 * $1.1 } }
        let top = scores.max() ?? 0
        let weights = scores.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}
