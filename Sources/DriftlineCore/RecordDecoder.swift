/// Decodes records written by ``RecordEncoder`` against the same schema.
///
/// Safe on any bytes: every read is bounds-checked and every value is checked against the schema
/// (feature count, kinds, class indexes); problems throw ``CodecError`` with the byte offset.
public struct RecordDecoder: Sendable {
    /// The schema the records were written with.
    public let schema: ModelSchema
    let kinds: [ModelSchema.FeatureKind]
    let classes: [String]

    public init(schema: ModelSchema) {
        self.schema = schema
        self.kinds = schema.features.map(\.kind)
        self.classes = schema.task.classes
    }

    /// Decodes every record in `payload`, which must hold whole records only.
    public func decodeAll(_ payload: UnsafeRawBufferPointer) throws(CodecError) -> [LogRecord] {
        var cursor = ByteCursor(payload)
        var records: [LogRecord] = []
        while !cursor.isAtEnd {
            records.append(try decodeNext(from: &cursor))
        }
        return records
    }

    /// Decodes every record in `payload`.
    public func decodeAll(_ payload: [UInt8]) throws(CodecError) -> [LogRecord] {
        try payload.withUnsafeBytes { raw in Result { () throws(CodecError) -> [LogRecord] in try decodeAll(raw) } }.get()
    }

    /// Decodes the record at the cursor.
    public func decodeNext(from cursor: inout ByteCursor) throws(CodecError) -> LogRecord {
        let tagOffset = cursor.position
        switch try cursor.readByte("record tag") {
        case RecordEncoder.inferenceTag:
            return .inference(try decodeInference(from: &cursor))
        case RecordEncoder.labelTag:
            let timestamp = Timestamp(microsecondsSinceEpoch: try cursor.readLittleEndian(Int64.self, "timestamp"))
            let requestID = try decodeRequestID(from: &cursor)
            guard let label = try decodeLabel(from: &cursor) else {
                throw CodecError(.malformed, offset: cursor.position - 1, detail: "a label record without a label")
            }
            return .label(LabelRecord(timestamp: timestamp, requestID: requestID, label: label))
        case let tag:
            throw CodecError(.malformed, offset: tagOffset, detail: "record tag \(tag) is neither 1 (inference) nor 2 (label)")
        }
    }

    func decodeRequestID(from cursor: inout ByteCursor) throws(CodecError) -> RequestID {
        let length = try cursor.readLength("request id", limit: RequestID.maxBytes)
        return RequestID(unchecked: Array(try cursor.readBytes(length, "request id")))
    }

    func decodeInference(from cursor: inout ByteCursor) throws(CodecError) -> InferenceRecord {
        let timestamp = Timestamp(microsecondsSinceEpoch: try cursor.readLittleEndian(Int64.self, "timestamp"))
        let requestID = try decodeRequestID(from: &cursor)
        let latencyOffset = cursor.position
        let latency = try cursor.readVarint("latency")
        guard latency <= UInt64(Int64.max) else {
            throw CodecError(.malformed, offset: latencyOffset, detail: "latency \(latency) does not fit Int64")
        }
        let countOffset = cursor.position
        let count = try cursor.readVarint("feature count")
        guard count == UInt64(kinds.count) else {
            throw CodecError(.schemaMismatch, offset: countOffset, detail: "record has \(count) features, the schema \(kinds.count)")
        }
        var features: [FeatureValue] = []
        features.reserveCapacity(kinds.count)
        for kind in kinds {
            switch kind {
            case .numeric:
                features.append(.number(try cursor.readDouble("numeric feature")))
            case .categorical:
                let length = try cursor.readLength("categorical feature", limit: ModelSchema.maxNameBytes + 1)
                if length == 0 {
                    features.append(.missing)
                } else {
                    let start = cursor.position
                    let raw = try cursor.readBytes(length - 1, "categorical feature")
                    guard let text = String(validating: raw, as: UTF8.self) else {
                        throw CodecError(.malformed, offset: start, detail: "categorical feature is not valid UTF-8")
                    }
                    features.append(.string(text))
                }
            }
        }
        let outcomeOffset = cursor.position
        let outcome: InferenceRecord.Outcome
        switch try cursor.readByte("outcome tag") {
        case 0:
            let countAt = cursor.position
            let n = try cursor.readVarint("probability count")
            guard n == UInt64(classes.count), !classes.isEmpty else {
                throw CodecError(.schemaMismatch, offset: countAt, detail: "\(n) probabilities, the schema has \(classes.count) classes")
            }
            var probabilities: [Double] = []
            probabilities.reserveCapacity(classes.count)
            for _ in 0..<classes.count { probabilities.append(try cursor.readDouble("probability")) }
            outcome = .probabilities(probabilities)
        case 1:
            outcome = .prediction(try cursor.readDouble("prediction"))
        case 2:
            outcome = .error(try cursor.readString("error code", limit: InferenceRecord.maxErrorCodeBytes))
        case let tag:
            throw CodecError(.malformed, offset: outcomeOffset, detail: "outcome tag \(tag) is not 0, 1 or 2")
        }
        let label = try decodeLabel(from: &cursor)
        return InferenceRecord(
            timestamp: timestamp, requestID: requestID, features: features, outcome: outcome,
            latencyMicroseconds: Int64(latency), label: label)
    }

    func decodeLabel(from cursor: inout ByteCursor) throws(CodecError) -> Label? {
        let tagOffset = cursor.position
        switch try cursor.readByte("label tag") {
        case 0:
            return nil
        case 1:
            let indexOffset = cursor.position
            let index = try cursor.readVarint("label class")
            guard index < UInt64(classes.count) else {
                throw CodecError(.schemaMismatch, offset: indexOffset, detail: "label class index \(index), the schema has \(classes.count) classes")
            }
            return .className(classes[Int(index)])
        case 2:
            return .value(try cursor.readDouble("label value"))
        case let tag:
            throw CodecError(.malformed, offset: tagOffset, detail: "label tag \(tag) is not 0, 1 or 2")
        }
    }
}
