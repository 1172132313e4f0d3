/// What a model takes and returns: its ordered, named features and its task.
///
/// ```swift
/// let schema = try ModelSchema(
///     features: [.numeric("sepal_length"), .numeric("petal_width"), .categorical("region")],
///     task: .classification(classes: ["setosa", "versicolor", "virginica"]))
/// ```
/// The schema is validated on creation (unique, non-empty feature names; at least two distinct,
/// non-empty class names; a threshold in (0, 1)). Its ``fingerprint`` is stable across runs and machines.
public struct ModelSchema: Sendable, Hashable {
    /// The kind of a feature's values.
    public enum FeatureKind: UInt8, Sendable, Hashable {
        /// Real numbers; NaN is missing.
        case numeric = 0
        /// Strings from an open set of categories.
        case categorical = 1
    }

    /// One named input of the model.
    public struct Feature: Sendable, Hashable {
        /// The feature's name (unique within the schema).
        public var name: String
        /// Whether it holds numbers or categories.
        public var kind: FeatureKind

        public init(name: String, kind: FeatureKind) {
            self.name = name
            self.kind = kind
        }

        /// A numeric feature.
        public static func numeric(_ name: String) -> Feature { Feature(name: name, kind: .numeric) }
        /// A categorical feature.
        public static func categorical(_ name: String) -> Feature { Feature(name: name, kind: .categorical) }
    }

    /// What the model predicts.
    public enum Task: Sendable, Hashable {
        /// Two classes `[negative, positive]`; the prediction is positive when P(positive) ≥ `threshold`.
        case binaryClassification(classes: [String], threshold: Double)
        /// Several classes; the prediction is the arg-max (first on ties).
        case multiclassClassification(classes: [String])
        /// A real-valued prediction; labels are numbers.
        case regression

        /// Binary classification (threshold `threshold`) when there are two classes, multiclass otherwise.
        public static func classification(classes: [String], threshold: Double = 0.5) -> Task {
            classes.count == 2
                ? .binaryClassification(classes: classes, threshold: threshold)
                : .multiclassClassification(classes: classes)
        }

        /// The class names, empty for regression.
        public var classes: [String] {
            switch self {
            case .binaryClassification(let classes, _), .multiclassClassification(let classes): return classes
            case .regression: return []
            }
        }

        /// Whether the model outputs class probabilities.
        public var isClassification: Bool {
            if case .regression = self { return false }
            return true
        }
    }

    /// The features, in the order records carry them.
    public let features: [Feature]
    /// The task.
    public let task: Task
    /// Class name → index into `task.classes`.
    let classIndex: [String: Int]

    /// Creates and validates a schema.
    /// - Throws: ``ValidationError`` naming the offending feature or class.
    public init(features: [Feature], task: Task) throws(ValidationError) {
        var seen = Set<String>()
        for (i, feature) in features.enumerated() {
            let field = "features[\(i)]"
            if feature.name.isEmpty { throw ValidationError(.invalidName, field: field, value: "", detail: "a feature name must not be empty") }
            if feature.name.utf8.count > ModelSchema.maxNameBytes {
                throw ValidationError(.tooLong, field: field, value: feature.name, detail: "a feature name is at most \(ModelSchema.maxNameBytes) bytes")
            }
            if !seen.insert(feature.name).inserted {
                throw ValidationError(.duplicateName, field: field, value: feature.name, detail: "feature names must be unique")
            }
        }
        var index: [String: Int] = [:]
        switch task {
        case .binaryClassification(let classes, let threshold):
            if classes.count != 2 {
                throw ValidationError(.wrongArity, field: "task.classes", value: "\(classes.count)", detail: "binary classification needs exactly 2 classes [negative, positive]")
            }
            if !(threshold > 0 && threshold < 1) {
                throw ValidationError(.outOfRange, field: "task.threshold", value: "\(threshold)", detail: "the threshold must lie in (0, 1)")
            }
        case .multiclassClassification(let classes):
            if classes.count < 2 {
                throw ValidationError(.wrongArity, field: "task.classes", value: "\(classes.count)", detail: "classification needs at least 2 classes")
            }
        case .regression:
            break
        }
        for (i, name) in task.classes.enumerated() {
            let field = "task.classes[\(i)]"
            if name.isEmpty { throw ValidationError(.invalidName, field: field, value: "", detail: "a class name must not be empty") }
            if name.utf8.count > ModelSchema.maxNameBytes {
                throw ValidationError(.tooLong, field: field, value: name, detail: "a class name is at most \(ModelSchema.maxNameBytes) bytes")
            }
            if index.updateValue(i, forKey: name) != nil {
                throw ValidationError(.duplicateName, field: field, value: name, detail: "class names must be unique")
            }
        }
        self.features = features
        self.task = task
        self.classIndex = index
    }

    /// The longest feature or class name, in UTF-8 bytes.
    public static let maxNameBytes = 1024

    /// The index of `className` in `task.classes`, or nil when the model has no such class.
    public func classIndex(of className: String) -> Int? { classIndex[className] }

    public static func == (lhs: ModelSchema, rhs: ModelSchema) -> Bool {
        lhs.features == rhs.features && lhs.task == rhs.task
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(features)
        hasher.combine(task)
    }
}
