/// One log record decoded into storage that is reused from record to record: the allocation-free
/// counterpart of ``LogRecord`` for readers that look at each record once (the tail stage).
///
/// ```swift
/// var records: [DecodedRecord] = []
/// let n = try decoder.decodeAll(payload, into: &records)
/// for record in records[..<n] where record.kind == .inference { profile(record.inference) }
/// ```
public struct DecodedRecord: Sendable {
    /// Which of ``inference`` and ``label`` holds the record.
    public enum Kind: Sendable {
        case inference
        case label
    }

    /// Which field holds the record; the other one is stale.
    public internal(set) var kind: Kind
    /// The inference, when `kind == .inference`.
    public internal(set) var inference: InferenceRecord
    /// The delayed label, when `kind == .label`.
    public internal(set) var label: LabelRecord

    /// An empty record (storage for ``RecordDecoder/decodeNext(from:into:)``).
    public init() {
        kind = .label
        inference = InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: 0), features: [], outcome: .prediction(0))
        label = LabelRecord(timestamp: Timestamp(microsecondsSinceEpoch: 0), requestID: .none, label: .value(0))
    }

    /// Holds `record` (a copy).
    public init(_ record: LogRecord) {
        self.init()
        switch record {
        case .inference(let inference):
            kind = .inference
            self.inference = inference
        case .label(let label):
            kind = .label
            self.label = label
        }
    }

    /// The record as a ``LogRecord`` (copies it).
    public var logRecord: LogRecord {
        switch kind {
        case .inference: return .inference(inference)
        case .label: return .label(label)
        }
    }
}
