/// Input that Driftline refuses: a record, schema or name that does not fit its rules.
///
/// `field` names where the problem is (`features[2]`, `probabilities[1]`, `endpoint`, ...) and
/// `value` shows what was given, so the message says what to fix.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule that was broken.
    public enum Kind: Sendable, Equatable {
        /// Wrong number of features, probabilities or classes.
        case wrongArity
        /// A string (category) where the schema expects a number.
        case stringWhereNumberBelongs
        /// A number where the schema expects a category.
        case numberWhereCategoryBelongs
        /// A class name the model does not have.
        case unknownClass
        /// A probability that is NaN, infinite, negative or above 1.
        case invalidProbability
        /// Probabilities whose sum is not 1 within 1e-3.
        case probabilitiesDoNotSumToOne
        /// A number that must be finite is NaN or infinite.
        case notFinite
        /// A value outside its allowed range (threshold, latency, timestamp).
        case outOfRange
        /// An empty name, or one with `/`, `..`, or control characters.
        case invalidName
        /// The same feature or class name twice.
        case duplicateName
        /// A value longer than its cap (request id, error code, name).
        case tooLong
        /// An outcome or label of the wrong kind for the task (probabilities for regression, ...).
        case wrongOutcomeForTask
        /// A model version logged before with another schema (a version's schema is immutable).
        case schemaChanged
    }

    /// The rule that was broken.
    public let kind: Kind
    /// Where: the name of the field (`features[3]`, `probabilities`, `label`, `endpoint`, ...).
    public let field: String
    /// The offending value, as text.
    public let value: String
    /// The rule in words.
    public let detail: String

    public init(_ kind: Kind, field: String, value: String, detail: String) {
        self.kind = kind
        self.field = field
        self.value = value
        self.detail = detail
    }

    public var description: String {
        "invalid \(field) = \(value.debugDescription): \(detail)"
    }
}
