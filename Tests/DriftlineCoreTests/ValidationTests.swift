import DriftlineCore
import Testing

@Suite struct ValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let record: InferenceRecord
        let kind: ValidationError.Kind
        let field: String
        var testDescription: String { name }
    }

    static let t = Timestamp(microsecondsSinceEpoch: 1)
    static let ok: [FeatureValue] = [5.1, 0.2, "eu"]
    static let cases: [Case] = [
        Case(name: "too few features", record: InferenceRecord(timestamp: t, features: [1, 2], outcome: .probabilities([1, 0, 0])), kind: .wrongArity, field: "features"),
        Case(name: "string where a number belongs", record: InferenceRecord(timestamp: t, features: ["big", 2, "eu"], outcome: .probabilities([1, 0, 0])), kind: .stringWhereNumberBelongs, field: "features[0] (sepal_length)"),
        Case(name: "number where a category belongs", record: InferenceRecord(timestamp: t, features: [1, 2, 3], outcome: .probabilities([1, 0, 0])), kind: .numberWhereCategoryBelongs, field: "features[2] (region)"),
        Case(name: "negative probability", record: InferenceRecord(timestamp: t, features: ok, outcome: .probabilities([1.1, -0.1, 0])), kind: .invalidProbability, field: "probabilities[0] (setosa)"),
        Case(name: "negative second probability", record: InferenceRecord(timestamp: t, features: ok, outcome: .probabilities([0.6, -0.1, 0.5])), kind: .invalidProbability, field: "probabilities[1] (versicolor)"),
        Case(name: "NaN probability", record: InferenceRecord(timestamp: t, features: ok, outcome: .probabilities([0.5, .nan, 0.5])), kind: .invalidProbability, field: "probabilities[1] (versicolor)"),
        Case(name: "probabilities not summing to one", record: InferenceRecord(timestamp: t, features: ok, outcome: .probabilities([0.5, 0.3, 0.1])), kind: .probabilitiesDoNotSumToOne, field: "probabilities"),
        Case(name: "wrong number of probabilities", record: InferenceRecord(timestamp: t, features: ok, outcome: .probabilities([0.5, 0.5])), kind: .wrongArity, field: "probabilities"),
        Case(name: "unknown class label", record: InferenceRecord(timestamp: t, features: ok, outcome: .probabilities([1, 0, 0]), label: .className("rose")), kind: .unknownClass, field: "label"),
        Case(name: "prediction from a classifier", record: InferenceRecord(timestamp: t, features: ok, outcome: .prediction(1)), kind: .wrongOutcomeForTask, field: "outcome"),
        Case(name: "negative latency", record: InferenceRecord(timestamp: t, features: ok, outcome: .probabilities([1, 0, 0]), latencyMicroseconds: -1), kind: .outOfRange, field: "latency"),
        Case(name: "empty error code", record: InferenceRecord(timestamp: t, features: ok, outcome: .error("")), kind: .invalidName, field: "outcome.error"),
    ]

    @Test(arguments: cases)
    func invalidInferenceIsRejectedNamingTheField(_ c: Case) {
        let encoder = RecordEncoder(schema: Fixtures.multiclass)
        var buffer: [UInt8] = [0xAA]
        do {
            try encoder.appendInference(c.record, to: &buffer)
            Issue.record("accepted \(c.name)")
        } catch {
            #expect(error.kind == c.kind)
            #expect(error.field == c.field)
            #expect(error.description.contains(c.field))
        }
        // Nothing of the rejected record stays in the buffer.
        #expect(buffer == [0xAA])
    }

    @Test func probabilitiesWithinToleranceAreAccepted() throws {
        var buffer: [UInt8] = []
        try RecordEncoder(schema: Fixtures.multiclass).appendInference(
            InferenceRecord(timestamp: Self.t, features: [.missing, .missing, .missing], outcome: .probabilities([0.5, 0.3, 0.2009])), to: &buffer)
        #expect(!buffer.isEmpty)
    }

    @Test func regressionRejectsClassLabelsAndNonFinitePredictions() {
        let encoder = RecordEncoder(schema: Fixtures.regression)
        var buffer: [UInt8] = []
        #expect(throws: ValidationError.self) {
            try encoder.appendInference(InferenceRecord(timestamp: Self.t, features: [1, "a", 2], outcome: .prediction(.infinity)), to: &buffer)
        }
        #expect(throws: ValidationError.self) {
            try encoder.appendLabel(LabelRecord(timestamp: Self.t, requestID: Fixtures.id("x"), label: .className("big")), to: &buffer)
        }
        #expect(throws: ValidationError.self) {
            try encoder.appendInference(InferenceRecord(timestamp: Self.t, features: [1, "a", 2], outcome: .probabilities([1])), to: &buffer)
        }
        #expect(buffer.isEmpty)
    }

    @Test(arguments: ["", ".", "..", "a/b", "../x", "x..y", "tab\there", "nul\u{0}", "del\u{7F}", "back\\slash", String(repeating: "a", count: 201)])
    func unsafeNamesAreRejected(_ name: String) {
        #expect(throws: ValidationError.self) { try PathComponent(name, field: "endpoint") }
        do {
            _ = try PathComponent(name, field: "writerID")
        } catch {
            #expect(error.field == "writerID")
        }
    }

    @Test(arguments: ["iris", "fraud-v2", "host_1.example", "日本"])
    func ordinaryNamesAreAccepted(_ name: String) throws {
        #expect(try PathComponent(name, field: "endpoint").value == name)
    }

    @Test func requestIDHasACap() {
        #expect(throws: ValidationError.self) { try RequestID(String(repeating: "x", count: RequestID.maxBytes + 1)) }
        #expect(throws: ValidationError.self) { try RequestID(bytes: [UInt8](repeating: 1, count: RequestID.maxBytes + 1)) }
    }

    @Test func labelWithoutRequestIDIsRejected() {
        var buffer: [UInt8] = []
        #expect(throws: ValidationError.self) {
            try RecordEncoder(schema: Fixtures.binary).appendLabel(LabelRecord(timestamp: Self.t, requestID: .none, label: .className("yes")), to: &buffer)
        }
    }
}
