/// One logged inference: when, which request, the features the model saw, what it answered, how long it took,
/// and, when known at serving time, the true label.
public struct InferenceRecord: Sendable, Equatable {
    /// What the model returned.
    public enum Outcome: Sendable, Equatable {
        /// Classification: one probability per class, in the schema's class order.
        case probabilities([Double])
        /// Regression: the predicted value.
        case prediction(Double)
        /// The model failed; a short error code such as `timeout` (at most ``InferenceRecord/maxErrorCodeBytes``).
        case error(String)
    }

    /// Event time of the inference.
    public var timestamp: Timestamp
    /// Joins the inference with a later ``LabelRecord``.
    public var requestID: RequestID
    /// One value per schema feature, in schema order; NaN is missing.
    public var features: [FeatureValue]
    /// The model's answer.
    public var outcome: Outcome
    /// Serving latency in microseconds (≥ 0).
    public var latencyMicroseconds: Int64
    /// The true label when it is known at serving time.
    public var label: Label?

    /// The longest error code, in UTF-8 bytes.
    public static let maxErrorCodeBytes = 256

    public init(
        timestamp: Timestamp, requestID: RequestID = .none, features: [FeatureValue], outcome: Outcome,
        latencyMicroseconds: Int64 = 0, label: Label? = nil
    ) {
        self.timestamp = timestamp
        self.requestID = requestID
        self.features = features
        self.outcome = outcome
        self.latencyMicroseconds = latencyMicroseconds
        self.label = label
    }

    /// The serving latency as a `Duration`.
    public var latency: Duration { .microseconds(latencyMicroseconds) }
}

/// A true label: a class name (classification) or a number (regression).
public enum Label: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// One of the schema's class names.
    case className(String)
    /// A regression target.
    case value(Double)

    public var description: String {
        switch self {
        case .className(let name): return name
        case .value(let value): return "\(value)"
        }
    }
}

/// Ground truth that arrives after the inference (often hours later), joined to it by request id.
public struct LabelRecord: Sendable, Equatable {
    /// When the label was observed.
    public var timestamp: Timestamp
    /// The request id of the inference it labels (not empty).
    public var requestID: RequestID
    /// The label.
    public var label: Label

    public init(timestamp: Timestamp, requestID: RequestID, label: Label) {
        self.timestamp = timestamp
        self.requestID = requestID
        self.label = label
    }
}

/// One record of the log: an inference or a delayed label.
public enum LogRecord: Sendable, Equatable {
    case inference(InferenceRecord)
    case label(LabelRecord)

    /// The record's event time.
    public var timestamp: Timestamp {
        switch self {
        case .inference(let record): return record.timestamp
        case .label(let record): return record.timestamp
        }
    }
}
