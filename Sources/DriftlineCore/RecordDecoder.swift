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
        var cursor = ByteCursor<CodecError>(payload)
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
    public func decodeNext(from cursor: inout ByteCursor<CodecError>) throws(CodecError) -> LogRecord {
        var record = DecodedRecord()
        try decodeNext(from: &cursor, into: &record)
        return record.logRecord
    }

    /// Decodes every record in `payload` into `records`, overwriting its elements and reusing their
    /// storage (after the first batches, decoding allocates nothing but new category strings); appends
    /// elements when there are more records than elements. Returns how many records there were; elements
    /// beyond them are stale. All or nothing: when it throws, no element is meaningful.
    public func decodeAll(_ payload: UnsafeRawBufferPointer, into records: inout [DecodedRecord]) throws(CodecError) -> Int {
        var cursor = ByteCursor<CodecError>(payload)
        var count = 0
        while !cursor.isAtEnd {
            if count == records.count { records.append(DecodedRecord()) }
            try decodeNext(from: &cursor, into: &records[count])
            count += 1
        }
        return count
    }

    /// Decodes the record at the cursor into `record`, reusing its storage.
    public func decodeNext(from cursor: inout ByteCursor<CodecError>, into record: inout DecodedRecord) throws(CodecError) {
        let tagOffset = cursor.position
        switch try cursor.readByte("record tag") {
        case RecordEncoder.inferenceTag:
            record.kind = .inference
            try decodeInference(from: &cursor, into: &record.inference)
        case RecordEncoder.labelTag:
            record.kind = .label
            record.label.timestamp = Timestamp(microsecondsSinceEpoch: try cursor.readLittleEndian(Int64.self, "timestamp"))
            try decodeRequestID(from: &cursor, into: &record.label.requestID)
            guard let label = try decodeLabel(from: &cursor) else {
                throw CodecError(.malformed, offset: cursor.position - 1, detail: "a label record without a label")
            }
            record.label.label = label
        case let tag:
            throw CodecError(.malformed, offset: tagOffset, detail: "record tag \(tag) is neither 1 (inference) nor 2 (label)")
        }
    }

    func decodeRequestID(from cursor: inout ByteCursor<CodecError>, into requestID: inout RequestID) throws(CodecError) {
        let length = try cursor.readLength("request id", limit: RequestID.maxBytes)
        requestID.assign(try cursor.readBytes(length, "request id"))
    }

    func decodeInference(from cursor: inout ByteCursor<CodecError>, into record: inout InferenceRecord) throws(CodecError) {
        record.timestamp = Timestamp(microsecondsSinceEpoch: try cursor.readLittleEndian(Int64.self, "timestamp"))
        try decodeRequestID(from: &cursor, into: &record.requestID)
        let latencyOffset = cursor.position
        let latency = try cursor.readVarint("latency")
        guard latency <= UInt64(Int64.max) else {
            throw CodecError(.malformed, offset: latencyOffset, detail: "latency \(latency) does not fit Int64")
        }
        record.latencyMicroseconds = Int64(latency)
        let countOffset = cursor.position
        let count = try cursor.readVarint("feature count")
        guard count == UInt64(kinds.count) else {
            throw CodecError(.schemaMismatch, offset: countOffset, detail: "record has \(count) features, the schema \(kinds.count)")
        }
        // Overwrite in place: the array keeps its storage from record to record.
        if record.features.count != kinds.count {
            record.features.removeAll(keepingCapacity: true)
            record.features.append(contentsOf: repeatElement(FeatureValue.missing, count: kinds.count))
        }
        let decoded = record.features.withUnsafeMutableBufferPointer { features in
            Result { () throws(CodecError) in try decodeFeatures(from: &cursor, into: features) }
        }
        try decoded.get()
        let outcomeOffset = cursor.position
        switch try cursor.readByte("outcome tag") {
        case 0:
            let countAt = cursor.position
            let n = try cursor.readVarint("probability count")
            guard n == UInt64(classes.count), !classes.isEmpty else {
                throw CodecError(.schemaMismatch, offset: countAt, detail: "\(n) probabilities, the schema has \(classes.count) classes")
            }
            // Take the previous record's array out of the outcome so that it is unique, then refill it.
            var probabilities: [Double] = []
            if case .probabilities(let previous) = record.outcome {
                probabilities = previous
                record.outcome = .prediction(0)
            }
            probabilities.removeAll(keepingCapacity: true)
            probabilities.reserveCapacity(classes.count)
            for _ in 0..<classes.count { probabilities.append(try cursor.readDouble("probability")) }
            record.outcome = .probabilities(probabilities)
        case 1:
            record.outcome = .prediction(try cursor.readDouble("prediction"))
        case 2:
            record.outcome = .error(try cursor.readString("error code", limit: InferenceRecord.maxErrorCodeBytes))
        case let tag:
            throw CodecError(.malformed, offset: outcomeOffset, detail: "outcome tag \(tag) is not 0, 1 or 2")
        }
        record.label = try decodeLabel(from: &cursor)
    }

    /// Overwrites `features` (one element per schema feature) with the record's values.
    @inline(__always)
    func decodeFeatures(from cursor: inout ByteCursor<CodecError>, into features: UnsafeMutableBufferPointer<FeatureValue>) throws(CodecError) {
        for index in 0..<Swift.min(kinds.count, features.count) {
            switch kinds[index] {
            case .numeric:
                features[index] = .number(try cursor.readDouble("numeric feature"))
            case .categorical:
                let length = try cursor.readLength("categorical feature", limit: ModelSchema.maxNameBytes + 1)
                if length == 0 {
                    features[index] = .missing
                } else {
                    let start = cursor.position
                    let raw = try cursor.readBytes(length - 1, "categorical feature")
                    guard let text = String(validating: raw, as: UTF8.self) else {
                        throw CodecError(.malformed, offset: start, detail: "categorical feature is not valid UTF-8")
                    }
                    features[index] = .string(text)
                }
            }
        }
    }

    func decodeLabel(from cursor: inout ByteCursor<CodecError>) throws(CodecError) -> Label? {
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
