import Driftline
import PipelineFile

/// An endpoint of the pipeline file made ready to decode payloads: its ``ModelSchema`` (validated by
/// DriftlineCore, the one place that judges names), its features by name and what its answers hold.
struct EndpointMapping: Sendable {
    let config: CollectEndpoint
    let schema: ModelSchema
    let featureIndex: [String: Int]
    let isCategorical: [Bool]
    let output: CollectEndpoint.Output

    var name: String { config.name }
    var featureCount: Int { config.features.count }
    var classes: [String] { config.classes }

    /// Builds the schema and checks that the settings fit each other.
    init(_ config: CollectEndpoint, path: String) throws(CollectError) {
        let scope = "collect.endpoints.\(config.name)"
        func fail(_ detail: String) -> CollectError { CollectError.config(path: path, "\(scope).\(detail)") }
        let categorical = Set(config.categorical)
        for name in config.categorical where !config.features.contains(name) {
            throw fail("categorical lists \(name), which is not among its features; list it in features too, or remove it")
        }
        let output = config.effectiveOutput
        let task: ModelSchema.Task
        if config.classes.isEmpty {
            guard output == .value else {
                throw fail("output = \(output.rawValue) needs classes: list the model's classes, or use output: value for a regression")
            }
            guard config.threshold == nil else { throw fail("threshold applies to a binary classifier: list its two classes") }
            task = .regression
        } else {
            guard output != .value else { throw fail("output = value is for a regression: remove classes, or say what the output holds") }
            if let threshold = config.threshold {
                guard config.classes.count == 2 else { throw fail("threshold applies to a binary classifier, and \(config.classes.count) classes are listed") }
                task = .binaryClassification(classes: config.classes, threshold: threshold)
            } else {
                task = .classification(classes: config.classes)
            }
        }
        let features = config.features.map { categorical.contains($0) ? ModelSchema.Feature.categorical($0) : .numeric($0) }
        do throws(ValidationError) {
            schema = try ModelSchema(features: features, task: task)
            _ = try PartitionManifest(endpoint: config.name, modelVersion: config.modelVersion ?? "unset", schema: schema)
        } catch {
            throw CollectError.config(path: path, "\(scope): \(error)")
        }
        self.config = config
        self.output = output
        isCategorical = config.features.map { categorical.contains($0) }
        featureIndex = Dictionary(config.features.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether a KServe event from `service` in `namespace` belongs to this endpoint.
    func matches(service: String, namespace: String?) -> Bool {
        guard service == (config.inferenceService ?? config.name) else { return false }
        if let wanted = config.namespace { return namespace == wanted }
        return true
    }

    /// The outcome a classifier's predicted class stands for: probability 1 for it, 0 for the others.
    func oneHot(_ index: Int) -> InferenceRecord.Outcome {
        var probabilities = [Double](repeating: 0, count: classes.count)
        probabilities[index] = 1
        return .probabilities(probabilities)
    }

    /// A predicted class given by index (a whole number in 0..<classes).
    func classIndexOutcome(_ value: Double, field: String) throws(RequestRejection) -> InferenceRecord.Outcome {
        guard value == value.rounded(), value >= 0, value < Double(classes.count) else {
            throw RequestRejection(
                status: 400, code: "invalid_record", field: field,
                message: "\(field) = \(value): a class index must be a whole number in 0...\(classes.count - 1) (\(classes.joined(separator: ", ")))")
        }
        return oneHot(Int(value))
    }

    /// A predicted class given by name.
    func classNameOutcome(_ name: String, field: String) throws(RequestRejection) -> InferenceRecord.Outcome {
        guard let index = schema.classIndex(of: name) else {
            throw RequestRejection(
                status: 400, code: "invalid_record", field: field,
                message: "\(field) = \(name.debugDescription): not one of the model's classes (\(classes.joined(separator: ", ")))")
        }
        return oneHot(index)
    }
}
