/// One endpoint of the `collect:` section: its schema and where its values sit in KServe v1 and Open
/// Inference Protocol payloads.
///
/// ```yaml
/// iris:
///   inference_service: sklearn-iris     # KServe's ce-inferenceservicename (default: the endpoint's name)
///   namespace: models                   # only events from this namespace (default: any)
///   model_version: "1"
///   model_version_from: response        # the v2 response's model_version, when it has one
///   features: [sepal_length, sepal_width, petal_length, petal_width]
///   categorical: []
///   input_tensor: input-0               # the [n, features] input tensor (default: the only input, or one per feature)
///   classes: [setosa, versicolor, virginica]
///   output_tensor: output-0             # default: the only output
///   output: class_index                 # probabilities | class_index | class_name | value
/// ```
public struct CollectEndpoint: Sendable, Equatable {
    /// What the model's answer (a v1 prediction, or the output tensor's values for one row) holds.
    public enum Output: String, Sendable, Equatable, CaseIterable {
        /// One probability per class, in `classes` order.
        case probabilities
        /// The index of the predicted class in `classes`: logged as probability 1 for that class.
        case classIndex = "class_index"
        /// The predicted class's name: logged as probability 1 for that class.
        case className = "class_name"
        /// A regression's predicted value.
        case value
    }

    /// The endpoint: the log folder `<log>/<name>/` and the path `/v1/endpoints/<name>/…`.
    public var name: String
    /// The KServe InferenceService whose events map here (default: ``name``).
    public var inferenceService: String?
    /// Only events from this Kubernetes namespace (default: any namespace).
    public var namespace: String?
    /// The model version logged (and the default when a response names none).
    public var modelVersion: String?
    /// Whether a v2 response's `model_version` (or a native record's) overrides ``modelVersion``.
    public var modelVersionFromResponse = false
    /// Feature names in the model's input order.
    public var features: [String]
    /// The features among ``features`` that are categorical (the rest are numeric).
    public var categorical: [String] = []
    /// The v2 input tensor that holds the `[n, features]` matrix.
    public var inputTensor: String?
    /// Class names for classification, in the order of the model's probabilities; empty for regression.
    public var classes: [String] = []
    /// Decision threshold of a binary model (P(classes[1]) ≥ threshold).
    public var threshold: Double?
    /// The v2 output tensor that holds the answer.
    public var outputTensor: String?
    /// What the answer holds (default: probabilities for classification, value for regression).
    public var output: Output?

    /// An endpoint with its features and classes (none: a regression); the other settings keep their defaults.
    public init(name: String, modelVersion: String?, features: [String], classes: [String] = []) {
        self.name = name
        self.modelVersion = modelVersion
        self.features = features
        self.classes = classes
    }

    static let keys = [
        "inference_service", "namespace", "model_version", "model_version_from", "features", "categorical", "input_tensor",
        "classes", "threshold", "output_tensor", "output",
    ]

    init(name: String, section: YAMLSection) throws(PipelineFileError) {
        guard let features = try section.strings("features"), !features.isEmpty else {
            throw PipelineFileError(path: section.path, "\(section.scope).features is missing: list the model's input features in order")
        }
        self.init(name: name, modelVersion: try section.label("model_version"), features: features, classes: try section.strings("classes") ?? [])
        inferenceService = try section.string("inference_service")
        namespace = try section.string("namespace")
        switch try section.string("model_version_from") {
        case nil: break
        case "response": modelVersionFromResponse = true
        case let other?: throw section.problem("model_version_from", other, "response (or leave it out)")
        }
        categorical = try section.strings("categorical") ?? []
        inputTensor = try section.string("input_tensor")
        threshold = try section.number("threshold")
        outputTensor = try section.string("output_tensor")
        if let text = try section.string("output") {
            guard let kind = Output(rawValue: text) else {
                throw section.problem("output", text, Output.allCases.map(\.rawValue).joined(separator: " | "))
            }
            output = kind
        }
        if modelVersion == nil && !modelVersionFromResponse {
            throw PipelineFileError(path: section.path, "\(section.scope).model_version is missing: give the version logged (e.g. \"1\"), or model_version_from: response")
        }
    }

    /// What the answer holds, with the default filled in.
    public var effectiveOutput: Output { output ?? (classes.isEmpty ? .value : .probabilities) }
}
