import DriftlineCore
import Testing

@Suite struct ModelSchemaTests {
    @Test func canonicalEncodingAndFingerprintMatchAnIndependentComputation() {
        // Bytes and FNV-1a 64 computed by hand in Python from the layout in FORMAT.md.
        #expect(Fixtures.binary.canonicalEncoding.hex == "01020001780101630002026e6f03796573000000000000e03f")
        #expect(Fixtures.binary.fingerprint.value == 0xdca0_8c63_da0a_d0e0)
        #expect(Fixtures.binary.fingerprint.hex == "dca08c63da0ad0e0")
    }

    @Test(arguments: [Fixtures.binary, Fixtures.multiclass, Fixtures.regression])
    func manifestRoundTripsThroughItsCanonicalBytes(_ schema: ModelSchema) throws {
        let manifest = try PartitionManifest(endpoint: "iris", modelVersion: "3", schema: schema)
        let decoded = try PartitionManifest.decode(manifest.canonicalEncoding)
        #expect(decoded == manifest)
        #expect(decoded.fingerprint == manifest.fingerprint)
        let other = try PartitionManifest(endpoint: "iris", modelVersion: "4", schema: schema)
        #expect(other.fingerprint != manifest.fingerprint)
        // Every truncation is an error, never a crash.
        let bytes = manifest.canonicalEncoding
        for cut in 0..<bytes.count {
            #expect(throws: CodecError.self) { try PartitionManifest.decode(Array(bytes[..<cut])) }
        }
    }

    @Test func invalidSchemasAreRejected() {
        #expect(throws: ValidationError.self) { try ModelSchema(features: [.numeric("a"), .categorical("a")], task: .regression) }
        #expect(throws: ValidationError.self) { try ModelSchema(features: [.numeric("")], task: .regression) }
        #expect(throws: ValidationError.self) { try ModelSchema(features: [], task: .binaryClassification(classes: ["a", "b", "c"], threshold: 0.5)) }
        #expect(throws: ValidationError.self) { try ModelSchema(features: [], task: .binaryClassification(classes: ["a", "b"], threshold: 1.5)) }
        #expect(throws: ValidationError.self) { try ModelSchema(features: [], task: .multiclassClassification(classes: ["a", "a", "b"])) }
        #expect(throws: ValidationError.self) { try PartitionManifest(endpoint: "a/b", modelVersion: "1", schema: Fixtures.binary) }
    }

    @Test func classificationPicksBinaryForTwoClasses() {
        #expect(ModelSchema.Task.classification(classes: ["n", "p"]) == .binaryClassification(classes: ["n", "p"], threshold: 0.5))
        #expect(ModelSchema.Task.classification(classes: ["a", "b", "c"]) == .multiclassClassification(classes: ["a", "b", "c"]))
    }

    @Test func timestampsAreMicroseconds() {
        let t = Timestamp(secondsSinceEpoch: 1.5)
        #expect(t.microsecondsSinceEpoch == 1_500_000)
        #expect(t.advanced(by: .milliseconds(2)).microsecondsSinceEpoch == 1_502_000)
        #expect(Duration.microseconds(850).wholeMicroseconds == 850)
        let now = Timestamp.now()
        #expect(now.microsecondsSinceEpoch > 1_700_000_000_000_000)
    }
}

extension Array where Element == UInt8 {
    var hex: String { map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}
