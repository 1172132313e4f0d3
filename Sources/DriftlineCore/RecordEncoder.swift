/// Validates records against a schema and appends their compact binary form to a buffer.
///
/// This is the logger's hot path: it validates while it writes (one pass, no intermediate
/// allocation) and, when a field is invalid, removes the partial record from the buffer and throws.
/// Record layout: `Sources/DriftlineLog/FORMAT.md`, "Records".
///
/// ```swift
/// let encoder = RecordEncoder(schema: schema)
/// var payload: [UInt8] = []
/// try encoder.appendInference(timestamp: .now(), requestID: id, features: [5.1, 0.2, "eu"],
///                             outcome: .probabilities([0.9, 0.06, 0.04]), latencyMicroseconds: 850, to: &payload)
/// ```
public struct RecordEncoder: Sendable {
    /// The schema records are validated against.
    public let schema: ModelSchema
    let kinds: [ModelSchema.FeatureKind]
    let classCount: Int
    let allNumeric: Bool

    /// Record tags (first byte of each record).
    public static let inferenceTag: UInt8 = 0x01
    /// Tag of a ``LabelRecord``.
    public static let labelTag: UInt8 = 0x02

    /// Tolerance on the sum of probabilities.
    public static let probabilitySumTolerance = 1e-3

    public init(schema: ModelSchema) {
        self.schema = schema
        self.kinds = schema.features.map(\.kind)
        self.classCount = schema.task.classes.count
        self.allNumeric = !kinds.contains(.categorical)
    }

    /// Validates and appends one inference record.
    @inlinable
    public func appendInference(_ record: InferenceRecord, to out: inout [UInt8]) throws(ValidationError) {
        try appendInference(
            timestamp: record.timestamp, requestID: record.requestID, features: record.features,
            outcome: record.outcome, latencyMicroseconds: record.latencyMicroseconds, label: record.label, to: &out)
    }

    /// Validates and appends one inference given by its fields (no `InferenceRecord` needed).
    public func appendInference(
        timestamp: Timestamp, requestID: RequestID, features: [FeatureValue], outcome: InferenceRecord.Outcome,
        latencyMicroseconds: Int64, label: Label? = nil, to out: inout [UInt8]
    ) throws(ValidationError) {
        let start = out.count
        do throws(ValidationError) {
            try checkHeader(features: features.count, latencyMicroseconds: latencyMicroseconds)
            out.reserveCapacity(start + 32 + requestID.bytes.count + features.count * 9 + classCount * 8)
            appendPrefix(timestamp: timestamp, requestID: requestID, latencyMicroseconds: latencyMicroseconds, featureCount: features.count, to: &out)
            for index in features.indices {
                switch (kinds[index], features[index]) {
                case (.numeric, .number(let value)):
                    out.appendDouble(value)
                case (.numeric, .string(let text)):
                    throw ValidationError(.stringWhereNumberBelongs, field: "features[\(index)] (\(schema.features[index].name))", value: text, detail: "the feature is numeric")
                case (.categorical, .string(let text)):
                    guard text.utf8.count <= ModelSchema.maxNameBytes else {
                        throw ValidationError(.tooLong, field: "features[\(index)] (\(schema.features[index].name))", value: text, detail: "a category is at most \(ModelSchema.maxNameBytes) bytes")
                    }
                    out.appendVarint(UInt64(text.utf8.count) + 1)
                    out.append(contentsOf: text.utf8)
                case (.categorical, .number(let value)):
                    guard value.isNaN else {
                        throw ValidationError(.numberWhereCategoryBelongs, field: "features[\(index)] (\(schema.features[index].name))", value: "\(value)", detail: "the feature is categorical: pass a string, or NaN for missing")
                    }
                    out.append(0)
                }
            }
            try appendOutcome(outcome, to: &out)
            try appendLabel(label, to: &out)
        } catch {
            out.removeSubrange(start...)
            throw error
        }
    }

    /// Validates and appends one inference of an all-numeric schema from raw buffers (the matrix path).
    ///
    /// `probabilities` is used for classification, `prediction` for regression.
    public func appendInference(
        timestamp: Timestamp, requestID: RequestID, numericFeatures: UnsafeBufferPointer<Double>,
        probabilities: UnsafeBufferPointer<Double>, prediction: Double = .nan,
        latencyMicroseconds: Int64, to out: inout [UInt8]
    ) throws(ValidationError) {
        let start = out.count
        do throws(ValidationError) {
            guard allNumeric else {
                throw ValidationError(.numberWhereCategoryBelongs, field: "features", value: "numeric matrix", detail: "the schema has categorical features: use the FeatureValue form")
            }
            try checkHeader(features: numericFeatures.count, latencyMicroseconds: latencyMicroseconds)
            out.reserveCapacity(start + 32 + requestID.bytes.count + numericFeatures.count * 8 + classCount * 8)
            appendPrefix(timestamp: timestamp, requestID: requestID, latencyMicroseconds: latencyMicroseconds, featureCount: numericFeatures.count, to: &out)
            out.append(contentsOf: UnsafeRawBufferPointer(numericFeatures))
            #if _endian(big)
            #error("the record codec assumes a little-endian host")
            #endif
            if schema.task.isClassification {
                try appendProbabilities(probabilities, to: &out)
            } else {
                try appendOutcome(.prediction(prediction), to: &out)
            }
            out.append(0)
        } catch {
            out.removeSubrange(start...)
            throw error
        }
    }

    /// Validates and appends one delayed label.
    public func appendLabel(_ record: LabelRecord, to out: inout [UInt8]) throws(ValidationError) {
        let start = out.count
        do throws(ValidationError) {
            guard !record.requestID.isEmpty else {
                throw ValidationError(.invalidName, field: "requestID", value: "", detail: "a label needs the request id of its inference")
            }
            out.append(Self.labelTag)
            out.appendLittleEndian(record.timestamp.microsecondsSinceEpoch)
            out.appendVarint(UInt64(record.requestID.bytes.count))
            out.append(contentsOf: record.requestID.bytes)
            try appendLabel(record.label, to: &out)
        } catch {
            out.removeSubrange(start...)
            throw error
        }
    }

    /// Validates a label against the schema without encoding it.
    public func validate(label: Label) throws(ValidationError) {
        var scratch: [UInt8] = []
        try appendLabel(label, to: &scratch)
    }

    // MARK: - Pieces

    @inline(__always)
    func checkHeader(features count: Int, latencyMicroseconds: Int64) throws(ValidationError) {
        if count != kinds.count {
            throw ValidationError(.wrongArity, field: "features", value: "\(count) values", detail: "the schema has \(kinds.count) features")
        }
        if latencyMicroseconds < 0 {
            throw ValidationError(.outOfRange, field: "latency", value: "\(latencyMicroseconds)µs", detail: "latency must not be negative")
        }
    }

    @inline(__always)
    func appendPrefix(timestamp: Timestamp, requestID: RequestID, latencyMicroseconds: Int64, featureCount: Int, to out: inout [UInt8]) {
        out.append(Self.inferenceTag)
        out.appendLittleEndian(timestamp.microsecondsSinceEpoch)
        out.appendVarint(UInt64(requestID.bytes.count))
        out.append(contentsOf: requestID.bytes)
        out.appendVarint(UInt64(latencyMicroseconds))
        out.appendVarint(UInt64(featureCount))
    }

    func appendOutcome(_ outcome: InferenceRecord.Outcome, to out: inout [UInt8]) throws(ValidationError) {
        switch outcome {
        case .probabilities(let probabilities):
            guard schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "outcome", value: "probabilities", detail: "a regression model logs a predicted value")
            }
            try probabilities.withUnsafeBufferPointer { buffer in Result { () throws(ValidationError) in try appendProbabilities(buffer, to: &out) } }.get()
        case .prediction(let value):
            guard !schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "outcome", value: "prediction \(value)", detail: "a classification model logs class probabilities")
            }
            guard value.isFinite else { throw ValidationError(.notFinite, field: "prediction", value: "\(value)", detail: "the predicted value must be finite") }
            out.append(1)
            out.appendDouble(value)
        case .error(let code):
            guard !code.isEmpty, code.utf8.count <= InferenceRecord.maxErrorCodeBytes else {
                throw ValidationError(code.isEmpty ? .invalidName : .tooLong, field: "outcome.error", value: code, detail: "an error code has 1 to \(InferenceRecord.maxErrorCodeBytes) bytes")
            }
            out.append(2)
            out.appendString(code)
        }
    }

    func appendProbabilities(_ probabilities: UnsafeBufferPointer<Double>, to out: inout [UInt8]) throws(ValidationError) {
        guard probabilities.count == classCount else {
            throw ValidationError(.wrongArity, field: "probabilities", value: "\(probabilities.count) values", detail: "the model has \(classCount) classes")
        }
        var sum = 0.0
        for (index, p) in probabilities.enumerated() {
            guard p >= 0, p <= 1 else {  // false for NaN too
                throw ValidationError(.invalidProbability, field: "probabilities[\(index)] (\(schema.task.classes[index]))", value: "\(p)", detail: "a probability is a finite number in [0, 1]")
            }
            sum += p
        }
        guard abs(sum - 1) <= Self.probabilitySumTolerance else {
            throw ValidationError(.probabilitiesDoNotSumToOne, field: "probabilities", value: "sum \(sum)", detail: "probabilities must sum to 1 within \(Self.probabilitySumTolerance)")
        }
        out.append(0)
        out.appendVarint(UInt64(probabilities.count))
        out.append(contentsOf: UnsafeRawBufferPointer(probabilities))
    }

    func appendLabel(_ label: Label?, to out: inout [UInt8]) throws(ValidationError) {
        switch label {
        case nil:
            out.append(0)
        case .className(let name)?:
            guard schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "label", value: name, detail: "a regression model's labels are numbers")
            }
            guard let index = schema.classIndex(of: name) else {
                throw ValidationError(.unknownClass, field: "label", value: name, detail: "the model's classes are \(schema.task.classes)")
            }
            out.append(1)
            out.appendVarint(UInt64(index))
        case .value(let value)?:
            guard !schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "label", value: "\(value)", detail: "a classification model's labels are class names")
            }
            guard value.isFinite else { throw ValidationError(.notFinite, field: "label", value: "\(value)", detail: "a label must be finite") }
            out.append(2)
            out.appendDouble(value)
        }
    }
}
