import Hummingbird

/// `POST /v2/models/<name>/infer`, after the KServe v2 inference protocol: either one input of shape
/// `[n, 4]` with the four features of each row, or one input per feature (named after it) of shape `[n]`.
struct InferenceRequest: Decodable {
    struct Tensor: Decodable {
        var name: String
        var shape: [Int]
        var datatype: String?
        var data: [Double]
    }
    /// KServe v2's optional request parameters; the server reads `event_time` (see ``EventTime``).
    struct Parameters: Decodable {
        var event_time: EventTimeValue?
    }
    /// The request id; the server makes one when it is missing. Rows of a batch get `<id>-<row>`.
    var id: String?
    var inputs: [Tensor]
    var parameters: Parameters?
}

/// The answer: class probabilities (`[n, classes]`) and the predicted class of each row.
struct InferenceResponse: ResponseEncodable {
    struct Tensor: Encodable {
        var name: String
        var shape: [Int]
        var datatype: String
        var data: [TensorValue]
    }
    enum TensorValue: Encodable {
        case number(Double)
        case text(String)
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let x): try container.encode(x)
            case .text(let s): try container.encode(s)
            }
        }
    }
    var model_name: String
    var model_version: String
    var id: String
    /// The id under which each row was logged (what `/label` takes).
    var request_ids: [String]
    var outputs: [Tensor]
}

/// `POST /v2/models/<name>/label`: the true class of earlier requests, `{"id": "...", "label": "setosa"}`
/// or `{"labels": [{"id": ..., "label": ...}, ...]}`, each with an optional `event_time` (see ``EventTime``).
struct LabelRequest: Decodable {
    struct Entry: Decodable {
        var id: String
        var label: String
        var event_time: EventTimeValue?
    }
    var id: String?
    var label: String?
    var event_time: EventTimeValue?
    var labels: [Entry]?

    var entries: [Entry] {
        var all = labels ?? []
        if let id, let label { all.append(Entry(id: id, label: label, event_time: event_time)) }
        return all
    }
}

/// What `/label` answers.
struct LabelResponse: ResponseEncodable {
    var accepted: Int
}

/// What `POST /admin/log/flush` answers once everything logged before the request is durable.
struct FlushResponse: ResponseEncodable {
    /// Records logged (accepted into the buffer) since the server started, and of those dropped.
    var logged: Int
    var dropped: Int
}

/// `GET /v2/models/<name>`: the model's metadata.
struct ModelMetadata: ResponseEncodable {
    var name: String
    var versions: [String]
    var platform: String
    var inputs: [[String: String]]
    var outputs: [[String: String]]
}
