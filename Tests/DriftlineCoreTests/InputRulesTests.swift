@testable import DriftlineCore
import Testing

/// The input rules of issue 13: event times, huge values and names, each defined once in DriftlineCore.
@Suite struct InputRulesTests {
    // 2026-12-01T00:00:00Z
    static let now = Timestamp(microsecondsSinceEpoch: 1_796_083_200_000_000)

    @Test(arguments: [
        (Int64(946_684_800_000_000), true),                  // 2000-01-01: the first valid time
        (946_684_799_999_999, false),                         // a microsecond before
        (1_796_083_200_000_000 + 3_600_000_000, true),        // now + 1 h
        (1_796_083_200_000_000 + 3_600_000_001, false),       // a microsecond later
        (4_102_444_800_000_000, false),                       // 2100-01-01
        (Int64.max, false), (Int64.min, false), (Int64(0), false),
    ] as [(Int64, Bool)])
    func eventTimeRange(micros: Int64, valid: Bool) {
        let range = EventTimeRange(now: Self.now)
        #expect(range.contains(Timestamp(microsecondsSinceEpoch: micros)) == valid)
        #expect(range.contains(microseconds: micros) == valid)
        #expect(((try? range.check(Timestamp(microsecondsSinceEpoch: micros))) != nil) == valid)
    }

    @Test func describesTimesAsISOText() {
        #expect(EventTimeRange.describe(Timestamp(microsecondsSinceEpoch: 4_102_444_800_000_000)) == "2100-01-01T00:00:00Z")
        #expect(EventTimeRange.describe(Timestamp(microsecondsSinceEpoch: 1_796_083_200_000_001)) == "2026-12-01T00:00:00.000001Z")
        #expect(EventTimeRange.describe(Timestamp(microsecondsSinceEpoch: -1)) == "1969-12-31T23:59:59.999999Z")
        #expect(EventTimeRange.describe(.distantFuture).hasSuffix("µs since the epoch"))
    }

    @Test func timestampsSaturate() {
        #expect(Timestamp(secondsSinceEpoch: 1e300) == .distantFuture)
        #expect(Timestamp(secondsSinceEpoch: -1e300) == .distantPast)
        #expect(Timestamp(secondsSinceEpoch: .nan) == .distantPast)
        #expect(Timestamp(secondsSinceEpoch: .infinity) == .distantFuture)
        #expect(Timestamp(exactlySecondsSinceEpoch: 9.3e12) == nil)
        #expect(Timestamp(secondsSinceEpoch: 1.5).microsecondsSinceEpoch == 1_500_000)
        #expect(Timestamp.distantFuture.advanced(by: .seconds(1)) == .distantFuture)
        #expect(Timestamp.distantPast.advanced(by: .seconds(-1)) == .distantPast)
        #expect(Timestamp.distantFuture.duration(since: .distantPast) == .microseconds(Int64.max))
        #expect(Timestamp.distantPast.duration(since: .distantFuture) == .microseconds(Int64.min))
        #expect(Int64.max.saturatingAdd(1) == .max && Int64.min.saturatingSubtract(1) == .min)
    }

    @Test(arguments: [1e100, -1e100, 0, 5.1, Double.leastNonzeroMagnitude])
    func valuesInRange(x: Double) throws {
        #expect(ValueRange.isProfiled(x))
        #expect(!ValueRange.isOutOfRange(x))
        try ValueRange.check(x, field: "label")
    }

    @Test(arguments: [Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 1e155, 1.0000000000000002e100])
    func hugeValuesAreOutOfRange(x: Double) {
        #expect(!ValueRange.isProfiled(x))
        #expect(ValueRange.isOutOfRange(x))
        #expect(throws: ValidationError.self) { try ValueRange.check(x, field: "label") }
    }

    @Test func theLoggerRefusesHugePredictionsAndLabels() throws {
        let schema = try ModelSchema(features: [.numeric("x")], task: .regression)
        let encoder = RecordEncoder(schema: schema)
        let huge = InferenceRecord(timestamp: Self.now, features: [1], outcome: .prediction(.greatestFiniteMagnitude))
        var out: [UInt8] = []
        #expect { try encoder.appendInference(huge, to: &out) } throws: { ($0 as? ValidationError)?.kind == .outOfRange }
        #expect { try encoder.validate(label: .value(1e200)) } throws: { ($0 as? ValidationError)?.field == "label" }
        // A huge *feature* value is accepted (it is profiled as missing and counted out of range).
        try encoder.appendInference(InferenceRecord(timestamp: Self.now, features: [.number(.greatestFiniteMagnitude)], outcome: .prediction(2)), to: &out)
    }

    @Test(arguments: ["_canary", ".hidden", "a/b", "..", "a..b", "", "x\u{7}", String(repeating: "v", count: 201)])
    func badModelVersions(version: String) throws {
        #expect(throws: ValidationError.self) { try NameRules.checkModelVersion(version) }
        let schema = try ModelSchema(features: [.numeric("x")], task: .regression)
        #expect(throws: ValidationError.self) { try PartitionManifest(endpoint: "iris", modelVersion: version, schema: schema) }
    }

    @Test(arguments: ["1", "2026-11-23.1", "v3-canary", "a_b"])
    func goodModelVersions(version: String) throws {
        try NameRules.checkModelVersion(version)
    }

    @Test(arguments: [":prediction", ":proba:a", ":x", "", "tab\there"])
    func reservedOrBadColumnNames(name: String) throws {
        #expect(throws: ValidationError.self) { try NameRules.checkColumnName(name, field: "features[0]") }
        let schema = try ModelSchema(features: [.numeric(name.isEmpty ? ":" : name)], task: .regression)
        #expect(throws: ValidationError.self) { try PartitionManifest(endpoint: "iris", modelVersion: "1", schema: schema) }
    }

    @Test func aManifestWithReservedNamesStillDecodes() throws {
        // An older writer may have logged one; readers must be able to read it (and quarantine its records).
        let schema = try ModelSchema(features: [.numeric(":prediction")], task: .regression)
        let manifest = PartitionManifest(unchecked: "iris", modelVersion: "_canary", schema: schema)
        let decoded = try PartitionManifest.decode(manifest.canonicalEncoding)
        #expect(decoded.modelVersion == "_canary")
        #expect(throws: ValidationError.self) { try NameRules.check(decoded) }
    }
}
