import DriftlineCore
import Testing

/// The one ISO-8601 parser, `Timestamp(iso8601:)` (also `Timestamp(parsing:)`'s ISO branch), against the two
/// it replaced — DeltaTable's own `DeltaTimestamp(iso8601:)` (Delta statistics, reference files) and the old
/// `Timestamp(parsing:)` (CLI, CSV, collector), whose results were pinned by running this table against them
/// before the merge: it accepts every form either accepted, with the same result, except the dates, seconds
/// and zones that do not exist, which the Delta parser rolled over and both refuse now.
@Suite struct TimestampISO8601Tests {
    /// (text, by the old `DeltaTimestamp(iso8601:)`, by the old `Timestamp(parsing:)`, by the merged parser),
    /// in microseconds since the epoch; nil = refused.
    static let cases: [(String, Int64?, Int64?, Int64?)] = [
        // Accepted by both.
        ("1970-01-01", 0, 0, 0),
        ("2000-02-29", 951_782_400_000_000, 951_782_400_000_000, 951_782_400_000_000),
        ("0000-01-01", -62_167_219_200_000_000, -62_167_219_200_000_000, -62_167_219_200_000_000),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000, -62_135_596_800_000_000, -62_135_596_800_000_000),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999, 253_402_300_799_999_999, 253_402_300_799_999_999),
        ("2023-11-14T22:13:20Z", 1_700_000_000_000_000, 1_700_000_000_000_000, 1_700_000_000_000_000),
        ("2023-11-14 22:13:20Z", 1_700_000_000_000_000, 1_700_000_000_000_000, 1_700_000_000_000_000),
        ("2023-11-14T22:13:20", 1_700_000_000_000_000, 1_700_000_000_000_000, 1_700_000_000_000_000),
        ("2023-11-14T22:13:20.1Z", 1_700_000_000_100_000, 1_700_000_000_100_000, 1_700_000_000_100_000),
        ("2023-11-14T22:13:20.123Z", 1_700_000_000_123_000, 1_700_000_000_123_000, 1_700_000_000_123_000),
        ("2023-11-14T22:13:20.123456Z", 1_700_000_000_123_456, 1_700_000_000_123_456, 1_700_000_000_123_456),
        ("2023-11-14T22:13:20.1234567Z", 1_700_000_000_123_456, 1_700_000_000_123_456, 1_700_000_000_123_456),
        ("2023-11-14T22:13:20.123456789Z", 1_700_000_000_123_456, 1_700_000_000_123_456, 1_700_000_000_123_456),
        ("2023-11-14 22:13:20.123456", 1_700_000_000_123_456, 1_700_000_000_123_456, 1_700_000_000_123_456),
        ("2023-11-14T23:13:20.5+01:00", 1_700_000_000_500_000, 1_700_000_000_500_000, 1_700_000_000_500_000),
        ("2023-11-14T21:13:20-01:00", 1_700_000_000_000_000, 1_700_000_000_000_000, 1_700_000_000_000_000),
        ("2023-11-14T23:43:20+0130", 1_700_000_000_000_000, 1_700_000_000_000_000, 1_700_000_000_000_000),
        ("2023-11-14T22:13:20-0100", 1_700_003_600_000_000, 1_700_003_600_000_000, 1_700_003_600_000_000),
        ("1969-12-31T23:59:59.999Z", -1000, -1000, -1000),
        // Accepted by the Delta parser only: more than nine fraction digits…
        ("2023-11-14T22:13:20.1234567890Z", 1_700_000_000_123_456, nil, 1_700_000_000_123_456),
        // …and dates, seconds and zones that do not exist, rolled over.
        ("2024-02-30", 1_709_251_200_000_000, nil, nil),
        ("2023-04-31", 1_682_899_200_000_000, nil, nil),
        ("2023-11-14T22:13:60Z", 1_700_000_040_000_000, nil, nil),
        ("2023-11-14T22:13:20+25:00", 1_699_910_000_000_000, nil, nil),
        ("2023-11-14T22:13:20+01:99", 1_699_990_460_000_000, nil, nil),
        // Accepted by Timestamp(parsing:) only: no seconds, lower-case t/z, a decimal comma, a zone without minutes.
        ("2023-11-14T22:13", nil, 1_699_999_980_000_000, 1_699_999_980_000_000),
        ("2023-11-14T22:13+00:00", nil, 1_699_999_980_000_000, 1_699_999_980_000_000),
        ("2023-11-14t22:13:20z", nil, 1_700_000_000_000_000, 1_700_000_000_000_000),
        ("2023-11-14T22:13:20,5Z", nil, 1_700_000_000_500_000, 1_700_000_000_500_000),
        ("2023-11-14T23:13:20+01", nil, 1_700_000_000_000_000, 1_700_000_000_000_000),
        // Refused by both.
        ("", nil, nil, nil), ("abcd-ef-gh", nil, nil, nil), ("23-11-14", nil, nil, nil), ("2023-1-14", nil, nil, nil),
        ("2023-13-01T00:00:00Z", nil, nil, nil), ("2023-00-10", nil, nil, nil), ("2023-11-00", nil, nil, nil), ("2023-11-32", nil, nil, nil),
        ("2023-11-14Z", nil, nil, nil), ("2023-11-14T", nil, nil, nil), ("2023-11-14T2:13:20Z", nil, nil, nil),
        ("2023-11-14T24:00:00Z", nil, nil, nil), ("2023-11-14T22:60:00Z", nil, nil, nil),
        ("2023-11-14T22:13:20.Z", nil, nil, nil), ("2023-11-14T22:13:20Zjunk", nil, nil, nil), ("2023-11-14T22:13:20+01:", nil, nil, nil),
        ("2023-11-14T22:13:20+01:00:00", nil, nil, nil), ("2023-11-14T22:13:20+1", nil, nil, nil),
        (" 2023-11-14", nil, nil, nil), ("2023-11-14 ", nil, nil, nil), ("2023-11-14T22:13:20Z ", nil, nil, nil),
    ]

    @Test func mergedParser() {
        for (text, _, _, merged) in Self.cases {
            #expect(Timestamp(iso8601: text)?.microsecondsSinceEpoch == merged, "\(text)")
            #expect(Timestamp(parsing: text)?.microsecondsSinceEpoch == merged, "\(text)")
        }
    }

    /// The table's own rule: what either old parser accepted keeps its result, but for what does not exist.
    @Test func mergedIsTheUnionButForWhatDoesNotExist() {
        let doesNotExist: Set = ["2024-02-30", "2023-04-31", "2023-11-14T22:13:60Z", "2023-11-14T22:13:20+25:00",
                                 "2023-11-14T22:13:20+01:99"]
        for (text, delta, core, merged) in Self.cases {
            #expect(merged == (doesNotExist.contains(text) ? nil : core ?? delta), "\(text)")
            if let delta, let core { #expect(delta == core, "\(text)") }
        }
    }
}
