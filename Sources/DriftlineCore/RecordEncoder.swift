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
        try checkHeader(features: features.count, latencyMicroseconds: latencyMicroseconds)
        // An upper bound of the record's size, so it can be built in scratch memory with plain stores.
        var bound = 64 + requestID.bytes.count + 9 * features.count + 8 * classCount
        if !allNumeric {
            for case .string(let text) in features { bound += 10 + text.utf8.count }
        }
        if case .error(let code) = outcome { bound += 10 + code.utf8.count }
        try withScratch(bound, appendingTo: &out) { (w: inout RawWriter) throws(ValidationError) in
            w.prefix(timestamp: timestamp, requestID: requestID, latencyMicroseconds: latencyMicroseconds, featureCount: features.count)
            try features.withUnsafeBufferPointer { values in
                Result { () throws(ValidationError) in
                    if allNumeric {
                        for index in 0..<values.count {
                            guard case .number(let value) = values[index] else { throw stringInNumeric(index, values[index]) }
                            w.double(value)
                        }
                        return
                    }
                    for index in 0..<values.count {
                        switch (kinds[index], values[index]) {
                        case (.numeric, .number(let value)):
                            w.double(value)
                        case (.numeric, .string):
                            throw stringInNumeric(index, values[index])
                        case (.categorical, .string(let text)):
                            guard text.utf8.count <= ModelSchema.maxNameBytes else {
                                throw ValidationError(.tooLong, field: featureField(index), value: text, detail: "a category is at most \(ModelSchema.maxNameBytes) bytes")
                            }
                            w.varint(UInt64(text.utf8.count) + 1)
                            w.utf8(text)
                        case (.categorical, .number(let value)):
                            guard value.isNaN else {
                                throw ValidationError(.numberWhereCategoryBelongs, field: featureField(index), value: "\(value)", detail: "the feature is categorical: pass a string, or NaN for missing")
                            }
                            w.byte(0)
                        }
                    }
                }
            }.get()
            try writeOutcome(outcome, to: &w)
            try writeLabel(label, to: &w)
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
        guard allNumeric else {
            throw ValidationError(.numberWhereCategoryBelongs, field: "features", value: "numeric matrix", detail: "the schema has categorical features: use the FeatureValue form")
        }
        try checkHeader(features: numericFeatures.count, latencyMicroseconds: latencyMicroseconds)
        let bound = 64 + requestID.bytes.count + 8 * numericFeatures.count + 8 * classCount
        try withScratch(bound, appendingTo: &out) { (w: inout RawWriter) throws(ValidationError) in
            w.prefix(timestamp: timestamp, requestID: requestID, latencyMicroseconds: latencyMicroseconds, featureCount: numericFeatures.count)
            w.bytes(UnsafeRawBufferPointer(numericFeatures))
            if schema.task.isClassification {
                try writeProbabilities(probabilities, to: &w)
            } else {
                try writeOutcome(.prediction(prediction), to: &w)
            }
            w.byte(0)
        }
    }

    /// Validates and appends one delayed label.
    public func appendLabel(_ record: LabelRecord, to out: inout [UInt8]) throws(ValidationError) {
        guard !record.requestID.isEmpty else {
            throw ValidationError(.invalidName, field: "requestID", value: "", detail: "a label needs the request id of its inference")
        }
        try withScratch(40 + record.requestID.bytes.count, appendingTo: &out) { (w: inout RawWriter) throws(ValidationError) in
            w.byte(Self.labelTag)
            w.u64(UInt64(bitPattern: record.timestamp.microsecondsSinceEpoch))
            w.varint(UInt64(record.requestID.bytes.count))
            record.requestID.bytes.withUnsafeBytes { w.bytes($0) }
            try writeLabel(record.label, to: &w)
        }
    }

    /// Validates a label against the schema without encoding it.
    public func validate(label: Label) throws(ValidationError) {
        try withScratch(16, appendingTo: nil) { (w: inout RawWriter) throws(ValidationError) in try writeLabel(label, to: &w) }
    }

    // MARK: - Pieces

    /// Builds a record in scratch memory of `bound` bytes and appends it to `out` only when it is valid.
    @inline(__always)
    func withScratch(_ bound: Int, appendingTo out: UnsafeMutablePointer<[UInt8]>?, _ body: (inout RawWriter) throws(ValidationError) -> Void) throws(ValidationError) {
        try withUnsafeTemporaryAllocation(byteCount: max(bound, 1), alignment: 8) { scratch in
            Result { () throws(ValidationError) in
                guard let base = scratch.baseAddress else { return }
                var writer = RawWriter(base: base, capacity: bound)
                try body(&writer)
                out?.pointee.append(contentsOf: UnsafeRawBufferPointer(start: scratch.baseAddress, count: writer.count))
            }
        }.get()
    }

    @inline(__always)
    func withScratch(_ bound: Int, appendingTo out: inout [UInt8], _ body: (inout RawWriter) throws(ValidationError) -> Void) throws(ValidationError) {
        try withUnsafeMutablePointer(to: &out) { pointer in
            Result { () throws(ValidationError) in try withScratch(bound, appendingTo: pointer, body) }
        }.get()
    }

    func featureField(_ index: Int) -> String { "features[\(index)] (\(schema.features[index].name))" }

    func stringInNumeric(_ index: Int, _ value: FeatureValue) -> ValidationError {
        let text: String
        if case .string(let s) = value { text = s } else { text = value.description }
        return ValidationError(.stringWhereNumberBelongs, field: featureField(index), value: text, detail: "the feature is numeric: pass a number (NaN for a missing value)")
    }

    @inline(__always)
    func checkHeader(features count: Int, latencyMicroseconds: Int64) throws(ValidationError) {
        if count != kinds.count {
            throw ValidationError(.wrongArity, field: "features", value: "\(count) values", detail: "the schema has \(kinds.count) features: pass one value per feature, in the schema's order")
        }
        if latencyMicroseconds < 0 {
            throw ValidationError(.outOfRange, field: "latency", value: "\(latencyMicroseconds)µs", detail: "latency must not be negative")
        }
    }

    func writeOutcome(_ outcome: InferenceRecord.Outcome, to w: inout RawWriter) throws(ValidationError) {
        switch outcome {
        case .probabilities(let probabilities):
            guard schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "outcome", value: "probabilities", detail: "a regression model logs a predicted value")
            }
            try probabilities.withUnsafeBufferPointer { buffer in Result { () throws(ValidationError) in try writeProbabilities(buffer, to: &w) } }.get()
        case .prediction(let value):
            guard !schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "outcome", value: "prediction \(value)", detail: "a classification model logs class probabilities")
            }
            try ValueRange.check(value, field: "prediction")
            w.byte(1)
            w.double(value)
        case .error(let code):
            guard !code.isEmpty, code.utf8.count <= InferenceRecord.maxErrorCodeBytes else {
                throw ValidationError(code.isEmpty ? .invalidName : .tooLong, field: "outcome.error", value: code, detail: "an error code has 1 to \(InferenceRecord.maxErrorCodeBytes) bytes")
            }
            w.byte(2)
            w.varint(UInt64(code.utf8.count))
            w.utf8(code)
        }
    }

    @inline(__always)
    func writeProbabilities(_ probabilities: UnsafeBufferPointer<Double>, to w: inout RawWriter) throws(ValidationError) {
        guard probabilities.count == classCount else {
            throw ValidationError(.wrongArity, field: "probabilities", value: "\(probabilities.count) values", detail: "the model has \(classCount) classes: pass one probability per class, in the schema's order")
        }
        var sum = 0.0
        var allInRange = true
        for p in probabilities {
            allInRange = allInRange && (p >= 0 && p <= 1)  // false for NaN too
            sum += p
        }
        guard allInRange else {
            let index = probabilities.firstIndex { !($0 >= 0 && $0 <= 1) } ?? 0
            throw ValidationError(.invalidProbability, field: "probabilities[\(index)] (\(schema.task.classes[index]))", value: "\(probabilities[index])", detail: "a probability is a finite number in [0, 1]")
        }
        guard abs(sum - 1) <= Self.probabilitySumTolerance else {
            throw ValidationError(.probabilitiesDoNotSumToOne, field: "probabilities", value: "sum \(sum)", detail: "probabilities must sum to 1 within \(Self.probabilitySumTolerance)")
        }
        w.byte(0)
        w.varint(UInt64(probabilities.count))
        w.bytes(UnsafeRawBufferPointer(probabilities))
    }

    func writeLabel(_ label: Label?, to w: inout RawWriter) throws(ValidationError) {
        switch label {
        case nil:
            w.byte(0)
        case .className(let name)?:
            guard schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "label", value: name, detail: "a regression model's labels are numbers")
            }
            guard let index = schema.classIndex(of: name) else {
                throw ValidationError(.unknownClass, field: "label", value: name, detail: "the model's classes are \(schema.task.classes): label with one of them")
            }
            w.byte(1)
            w.varint(UInt64(index))
        case .value(let value)?:
            guard !schema.task.isClassification else {
                throw ValidationError(.wrongOutcomeForTask, field: "label", value: "\(value)", detail: "a classification model's labels are class names")
            }
            try ValueRange.check(value, field: "label")
            w.byte(2)
            w.double(value)
        }
    }
}

#if _endian(big)
#error("the record codec writes doubles and integers little-endian by copying host bytes")
#endif

/// Stores into scratch memory whose size the encoder has bounded beforehand.
struct RawWriter {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    var count = 0

    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always) mutating func byte(_ value: UInt8) {
        precondition(count < capacity)
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always) mutating func u64(_ value: UInt64) {
        precondition(count + 8 <= capacity)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    @inline(__always) mutating func double(_ value: Double) { u64(value.bitPattern) }

    @inline(__always) mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always) mutating func bytes(_ source: UnsafeRawBufferPointer) {
        precondition(count + source.count <= capacity)
        if let from = source.baseAddress, source.count > 0 {
            (base + count).copyMemory(from: from, byteCount: source.count)
        }
        count += source.count
    }

    @inline(__always) mutating func utf8(_ text: String) {
        var text = text
        text.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always) mutating func prefix(timestamp: Timestamp, requestID: RequestID, latencyMicroseconds: Int64, featureCount: Int) {
        byte(RecordEncoder.inferenceTag)
        u64(UInt64(bitPattern: timestamp.microsecondsSinceEpoch))
        varint(UInt64(requestID.bytes.count))
        requestID.bytes.withUnsafeBytes { bytes($0) }
        varint(UInt64(latencyMicroseconds))
        varint(UInt64(featureCount))
    }
}
