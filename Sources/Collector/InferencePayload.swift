import Driftline

/// Which serving protocol a payload speaks.
enum ServingProtocol: String, Sendable {
    /// KServe's v1 (TensorFlow Serving-like): `{"instances": [...]}` → `{"predictions": [...]}`.
    case v1
    /// The Open Inference Protocol (KServe v2): `{"inputs": [tensors]}` → `{"outputs": [tensors]}`.
    case v2
}

/// The features of one inference request, one row per inference, in the endpoint's feature order.
struct RequestRows: Sendable {
    var rows: [[FeatureValue]]
    var servingProtocol: ServingProtocol
}

/// The model's answers of one inference response, one per row.
struct ResponseOutcomes: Sendable {
    var outcomes: [InferenceRecord.Outcome]
    var servingProtocol: ServingProtocol
    /// The v2 response's `model_version`, when it has one.
    var modelVersion: String?
}

/// Decodes KServe v1 and Open Inference Protocol bodies against an endpoint's mapping.
enum InferencePayload {
    /// The most rows one request may carry.
    static let maxRows = 100_000

    /// The rows of a v1 (`instances`) or v2 (`inputs`) request body.
    static func request(_ bytes: UnsafeRawBufferPointer, mapping: EndpointMapping) throws(RequestRejection) -> RequestRows {
        try decodeJSON(bytes, what: "the inference request") { reader in
            var rows: [[FeatureValue]]?
            var tensors: [Tensor]?
            guard try reader.peekKind() == .object else {
                throw RequestRejection.shape("request", "must be a JSON object with \"instances\" (v1) or \"inputs\" (v2)")
            }
            var key = try reader.beginObject()
            while let name = key {
                switch name {
                case "instances": rows = try KServeV1.instances(&reader, mapping: mapping)
                case "inputs": tensors = try OpenInferenceV2.tensors(&reader, field: "inputs")
                default: try reader.skipValue()
                }
                key = try reader.nextKey()
            }
            if let rows { return RequestRows(rows: rows, servingProtocol: .v1) }
            if let tensors { return RequestRows(rows: try OpenInferenceV2.rows(of: tensors, mapping: mapping), servingProtocol: .v2) }
            throw RequestRejection.shape("request", "has neither \"instances\" (KServe v1) nor \"inputs\" (Open Inference Protocol v2)")
        }
    }

    /// The answers of a v1 (`predictions`) or v2 (`outputs`) response body.
    static func response(_ bytes: UnsafeRawBufferPointer, mapping: EndpointMapping) throws(RequestRejection) -> ResponseOutcomes {
        try decodeJSON(bytes, what: "the inference response") { reader in
            var predictions: [InferenceRecord.Outcome]?
            var tensors: [Tensor]?
            var version: String?
            guard try reader.peekKind() == .object else {
                throw RequestRejection.shape("response", "must be a JSON object with \"predictions\" (v1) or \"outputs\" (v2)")
            }
            var key = try reader.beginObject()
            while let name = key {
                switch name {
                case "predictions": predictions = try KServeV1.predictions(&reader, mapping: mapping)
                case "outputs": tensors = try OpenInferenceV2.tensors(&reader, field: "outputs")
                case "model_version" where try reader.peekKind() == .string: version = try reader.readString()
                default: try reader.skipValue()
                }
                key = try reader.nextKey()
            }
            if let predictions { return ResponseOutcomes(outcomes: predictions, servingProtocol: .v1, modelVersion: version) }
            if let tensors {
                return ResponseOutcomes(
                    outcomes: try OpenInferenceV2.outcomes(of: tensors, mapping: mapping), servingProtocol: .v2,
                    modelVersion: version.flatMap { $0.isEmpty ? nil : $0 })
            }
            throw RequestRejection.shape("response", "has neither \"predictions\" (KServe v1) nor \"outputs\" (Open Inference Protocol v2)")
        }
    }
}
