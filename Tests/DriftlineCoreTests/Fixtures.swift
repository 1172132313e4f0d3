import DriftlineCore

/// Schemas shared by the Core tests, one per task kind.
enum Fixtures {
    static let binary = try! ModelSchema(
        features: [.numeric("x"), .categorical("c")],
        task: .binaryClassification(classes: ["no", "yes"], threshold: 0.5))

    static let multiclass = try! ModelSchema(
        features: [.numeric("sepal_length"), .numeric("petal_width"), .categorical("region")],
        task: .classification(classes: ["setosa", "versicolor", "virginica"]))

    static let regression = try! ModelSchema(
        features: [.numeric("rooms"), .categorical("city"), .numeric("age")],
        task: .regression)

    static func id(_ text: String) -> RequestID { try! RequestID(text) }
}
