import DriftlineCore
import Testing

@Suite struct RecordCodecTests {
    func roundTrip(_ records: [LogRecord], schema: ModelSchema) throws -> [LogRecord] {
        let encoder = RecordEncoder(schema: schema)
        var payload: [UInt8] = []
        for record in records {
            switch record {
            case .inference(let r): try encoder.appendInference(r, to: &payload)
            case .label(let r): try encoder.appendLabel(r, to: &payload)
            }
        }
        return try RecordDecoder(schema: schema).decodeAll(payload)
    }

    /// Decoding into reused storage gives what the allocating decoder gives, batch after batch, whatever the
    /// storage held before: other schemas (feature counts and kinds), longer ids, other outcome kinds.
    @Test func decodingIntoReusedStorageEqualsFreshDecoding() throws {
        let t = Timestamp(microsecondsSinceEpoch: 1_763_900_000_123_456)
        let multiclass: [LogRecord] = [
            .inference(InferenceRecord(timestamp: t, requestID: Fixtures.id(String(repeating: "x", count: 100)), features: [5.1, 0.2, "eu"],
                                       outcome: .probabilities([0.91, 0.06, 0.03]), latencyMicroseconds: 850, label: .className("setosa"))),
            .label(LabelRecord(timestamp: t, requestID: Fixtures.id("r9"), label: .className("virginica"))),
            .inference(InferenceRecord(timestamp: t, requestID: .none, features: [.missing, 1, .missing],
                                       outcome: .error("timeout"), latencyMicroseconds: 3)),
            .inference(InferenceRecord(timestamp: t, requestID: Fixtures.id("r2"), features: [2, 3, "日本"],
                                       outcome: .probabilities([0.2, 0.3, 0.5]), latencyMicroseconds: 4)),
        ]
        let regression: [LogRecord] = [
            .inference(InferenceRecord(timestamp: t, requestID: Fixtures.id("a"), features: [1.5, "paris", 2.5],
                                       outcome: .prediction(42), latencyMicroseconds: 7, label: .value(41))),
            .label(LabelRecord(timestamp: t, requestID: Fixtures.id("b"), label: .value(-1))),
        ]
        func payload(_ records: [LogRecord], _ schema: ModelSchema) throws -> [UInt8] {
            let encoder = RecordEncoder(schema: schema)
            var bytes: [UInt8] = []
            for record in records {
                switch record {
                case .inference(let r): try encoder.appendInference(r, to: &bytes)
                case .label(let r): try encoder.appendLabel(r, to: &bytes)
                }
            }
            return bytes
        }
        var storage: [DecodedRecord] = []
        for (records, schema) in [(multiclass, Fixtures.multiclass), (regression, Fixtures.regression),
                                  (Array(multiclass.reversed()), Fixtures.multiclass), (regression, Fixtures.regression)] {
            let bytes = try payload(records, schema)
            let decoder = RecordDecoder(schema: schema)
            let n = try bytes.withUnsafeBytes { raw in try decoder.decodeAll(raw, into: &storage) }
            #expect(n == records.count)
            #expect(storage[..<n].map(\.logRecord) == (try decoder.decodeAll(bytes)))
            #expect(storage[..<n].map(\.logRecord) == records)
        }
        #expect(storage.count == multiclass.count)  // grown once, then reused
        // A payload cut inside a record throws (the caller reports the batch as corrupt).
        let bytes = try payload(multiclass, Fixtures.multiclass)
        #expect(throws: CodecError.self) {
            try bytes.dropLast(3).withUnsafeBytes { raw in try RecordDecoder(schema: Fixtures.multiclass).decodeAll(raw, into: &storage) }
        }
    }

    @Test func multiclassWithCategoriesMissingValuesAndLabelsRoundTrips() throws {
        let t = Timestamp(microsecondsSinceEpoch: 1_763_900_000_123_456)
        let records: [LogRecord] = [
            .inference(InferenceRecord(timestamp: t, requestID: Fixtures.id("r1"), features: [5.1, 0.2, "eu"],
                                       outcome: .probabilities([0.91, 0.06, 0.03]), latencyMicroseconds: 850)),
            .inference(InferenceRecord(timestamp: t.advanced(by: .seconds(1)), requestID: Fixtures.id("r2"),
                                       features: [.missing, .number(0.1 + 0.2), .missing],
                                       outcome: .probabilities([1.0 / 3, 1.0 / 3, 1.0 / 3]), latencyMicroseconds: 0,
                                       label: .className("virginica"))),
            .inference(InferenceRecord(timestamp: t, requestID: .none, features: [-0.0, .number(.greatestFiniteMagnitude), "é日本"],
                                       outcome: .error("timeout"), latencyMicroseconds: 30_000_000)),
            .label(LabelRecord(timestamp: t.advanced(by: .seconds(3600)), requestID: Fixtures.id("r1"), label: .className("setosa"))),
        ]
        let decoded = try roundTrip(records, schema: Fixtures.multiclass)
        #expect(decoded == records)
        // Doubles come back bit for bit (0.1 + 0.2, -0.0, 1/3).
        guard case .inference(let second) = decoded[1], case .number(let v) = second.features[1],
              case .probabilities(let p) = second.outcome else { Issue.record("wrong record kind"); return }
        #expect(v.bitPattern == (0.1 + 0.2).bitPattern)
        #expect(p[0].bitPattern == (1.0 / 3).bitPattern)
        #expect(second.features[0].isMissing && second.features[2].isMissing)
        guard case .inference(let third) = decoded[2], case .number(let z) = third.features[0] else { Issue.record("kind"); return }
        #expect(z.sign == .minus && z == 0)
    }

    @Test func binaryClassificationRoundTrips() throws {
        let records: [LogRecord] = [
            .inference(InferenceRecord(timestamp: Timestamp(microsecondsSinceEpoch: -5), requestID: Fixtures.id("a"),
                                       features: [.number(.nan), "blue"], outcome: .probabilities([0.25, 0.75]),
                                       latencyMicroseconds: 12, label: .className("yes"))),
            .label(LabelRecord(timestamp: Timestamp(microsecondsSinceEpoch: 7), requestID: try RequestID(bytes: Array(0..<16)), label: .className("no"))),
        ]
        #expect(try roundTrip(records, schema: Fixtures.binary) == records)
    }

    @Test func regressionRoundTrips() throws {
        let records: [LogRecord] = [
            .inference(InferenceRecord(timestamp: .now(), requestID: Fixtures.id("h1"), features: [3, "Oslo", .missing],
                                       outcome: .prediction(412_345.678), latencyMicroseconds: 99, label: .value(400_000.5))),
            .label(LabelRecord(timestamp: .now(), requestID: Fixtures.id("h1"), label: .value(-1e-300))),
        ]
        #expect(try roundTrip(records, schema: Fixtures.regression) == records)
    }

    @Test func matrixPathEncodesLikeTheValuePath() throws {
        let schema = try ModelSchema(features: (0..<4).map { .numeric("f\($0)") }, task: .classification(classes: ["a", "b", "c"]))
        let encoder = RecordEncoder(schema: schema)
        let features: [Double] = [1, .nan, -2.5, 1e10]
        let probabilities = [0.2, 0.3, 0.5]
        let t = Timestamp(microsecondsSinceEpoch: 42)
        var fast: [UInt8] = []
        try features.withUnsafeBufferPointer { f in
            try probabilities.withUnsafeBufferPointer { p in
                try encoder.appendInference(timestamp: t, requestID: Fixtures.id("m"), numericFeatures: f, probabilities: p,
                                            latencyMicroseconds: 5, to: &fast)
            }
        }
        var slow: [UInt8] = []
        try encoder.appendInference(timestamp: t, requestID: Fixtures.id("m"), features: features.map { .number($0) },
                                    outcome: .probabilities(probabilities), latencyMicroseconds: 5, to: &slow)
        #expect(fast == slow)
    }

    @Test func truncatedPayloadThrowsInsteadOfCrashing() throws {
        let encoder = RecordEncoder(schema: Fixtures.multiclass)
        var payload: [UInt8] = []
        try encoder.appendInference(InferenceRecord(timestamp: .now(), requestID: Fixtures.id("r"), features: [1, 2, "x"],
                                                    outcome: .probabilities([0.5, 0.25, 0.25]), label: .className("setosa")), to: &payload)
        let decoder = RecordDecoder(schema: Fixtures.multiclass)
        for cut in 1..<payload.count {
            #expect(throws: CodecError.self) { try decoder.decodeAll(Array(payload[..<cut])) }
        }
        // Against a schema with another arity the record is rejected, not misread.
        #expect(throws: CodecError.self) { try RecordDecoder(schema: Fixtures.binary).decodeAll(payload) }
    }
}
