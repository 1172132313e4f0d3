/// The CloudEvents attributes of an event sent in binary mode (`ce-*` HTTP headers, the body being the data),
/// as KServe's inference logger sends them.
public struct CloudEventHeaders: Sendable, Equatable {
    /// `ce-specversion` (KServe sends `1.0`).
    public var specVersion: String?
    /// `ce-id`: KServe's request id, shared by the request and the response event of one inference.
    public var id: String?
    /// `ce-type`: ``requestType`` or ``responseType``.
    public var type: String?
    /// `ce-source`: the sending component's URL.
    public var source: String?
    /// `ce-time`: when the event was sent (RFC 3339).
    public var time: String?
    /// `ce-inferenceservicename`: the InferenceService.
    public var inferenceService: String?
    /// `ce-namespace`: its Kubernetes namespace.
    public var namespace: String?
    /// `ce-component`: `predictor`, `transformer` or `explainer`.
    public var component: String?
    /// `ce-endpoint`: which of the service's endpoints answered (e.g. `default`, `canary`).
    public var endpoint: String?

    /// The event type of a request's payload.
    public static let requestType = "org.kubeflow.serving.inference.request"
    /// The event type of a response's payload.
    public static let responseType = "org.kubeflow.serving.inference.response"

    /// No attributes (set them one by one).
    public init() {}

    /// Reads the attributes from headers (names compared case-insensitively); nil when there is no
    /// `ce-specversion` (the request is not a binary-mode CloudEvent).
    public init?(header: (String) -> String?) {
        guard let spec = header("ce-specversion") else { return nil }
        specVersion = spec
        id = header("ce-id")
        type = header("ce-type")
        source = header("ce-source")
        time = header("ce-time")
        inferenceService = header("ce-inferenceservicename")
        namespace = header("ce-namespace")
        component = header("ce-component")
        endpoint = header("ce-endpoint")
    }
}
