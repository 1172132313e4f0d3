import DriftlineCore

/// The one validation of a record that `ingest`, `profile` and `InferenceLogger` share: the record encoder's
/// (arity, kinds, finite values, probabilities in [0, 1] summing to 1, class names, lengths) and the
/// event-time range (``EventTimeRange``: 2000-01-01 to one hour after now). `ingest`
/// and `profile` call it on every row, so a row that one refuses the other refuses too; when the rules
/// of DriftlineCore grow (event-time range, huge values), this is the one place to call them from.
public struct RowValidation: Sendable {
    let encoder: RecordEncoder

    public init(schema: ModelSchema) { encoder = RecordEncoder(schema: schema) }

    /// Throws the first rule `record` breaks.
    public func check(_ record: InferenceRecord) throws(ValidationError) {
        // The event-time rule of every writer (InferenceLogger, collect) and of tail's quarantine.
        try EventTimeRange(now: .now()).check(record.timestamp)
        var scratch: [UInt8] = []
        try encoder.appendInference(record, to: &scratch)
    }

    /// Throws when `label` is not a label of the schema (a class name it lacks, a number for a classifier…).
    public func check(label: Label) throws(ValidationError) { try encoder.validate(label: label) }

    /// The record's encoding: what the log holds for it (used to recognise rows an earlier run wrote).
    func encoding(_ record: InferenceRecord) throws(ValidationError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encoder.appendInference(record, to: &bytes)
        return bytes
    }

    func encoding(_ record: LabelRecord) throws(ValidationError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encoder.appendLabel(record, to: &bytes)
        return bytes
    }

    /// A validation error as a message that quotes at most ``CSVText/excerptLength`` characters of the value.
    public static func message(_ error: ValidationError) -> String {
        "invalid \(error.field) = \(CSVText.quoted(error.value)): \(error.detail)"
    }
}
