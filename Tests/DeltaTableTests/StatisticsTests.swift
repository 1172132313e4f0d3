import DriftlineCore
import Testing
@testable import DeltaTable

@Suite struct StatisticsTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00.000Z", Int64(0)),
        ("2023-11-14T22:13:20.123Z", Int64(1_700_000_000_123_000)),
        ("2023-11-14 22:13:20.123456", Int64(1_700_000_000_123_456)),
        ("2023-11-14T23:13:20.5+01:00", Int64(1_700_000_000_500_000)),
        ("1969-12-31T23:59:59.999Z", Int64(-1000)),
        ("2000-02-29", Int64(951_782_400_000_000)),
    ])
    func iso8601TimestampsParse(text: String, micros: Int64) {
        #expect(Timestamp(iso8601: text)?.microsecondsSinceEpoch == micros)
    }

    // "2023-11-14T22:13" (no seconds) was refused here too until the Delta parser merged into
    // `Timestamp(iso8601:)`, which reads it as the CLI's parser did (see TimestampISO8601Tests).
    @Test(arguments: ["", "2023-13-01T00:00:00Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "abcd-ef-gh"])
    func malformedTimestampsDoNotParse(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test(arguments: [Int64(0), 1_700_000_000_123_000, -1000, 253_402_300_799_000_000, -62_135_596_800_000_000])
    func millisecondTimestampsRoundTrip(micros: Int64) {
        let value = Timestamp(microsecondsSinceEpoch: micros)
        #expect(Timestamp(iso8601: value.iso8601Milliseconds) == value)
    }

    @Test func statisticsBoundsHoldEveryValue() throws {
        var stats = FileStatistics(numRecords: 4)
        let t = Timestamp(microsecondsSinceEpoch: 1_700_000_000_123_456)
        stats.record("ts", timestamps: [t, nil, Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_001), t])
        stats.record("x", doubles: [1.5, .nan, nil, -2])
        stats.record("y", doubles: [1, .infinity])
        stats.record("s", strings: ["b", "a", "é", nil])
        stats.record("n", longs: [nil, nil, nil, nil])
        stats.record("f", booleans: [true, nil, false, nil])

        let parsed = try FileStatistics(json: stats.json)
        #expect(parsed.json == stats.json)
        #expect(parsed.minValues["x"]?.double == -2)
        #expect(stats.minValues["ts"] == .string("2023-11-14T22:13:20.000Z"))
        #expect(stats.maxValues["ts"] == .string("2023-11-14T22:13:20.124Z"))
        #expect(stats.nullCount["ts"] == .int(1))
        #expect(stats.minValues["x"] == .double(-2) && stats.maxValues["x"] == .double(1.5) && stats.nullCount["x"] == .int(1))
        #expect(stats.minValues["y"] == nil && stats.maxValues["y"] == nil)
        #expect(stats.minValues["s"] == .string("a") && stats.maxValues["s"] == .string("é"))
        #expect(stats.minValues["n"] == nil && stats.nullCount["n"] == .int(4))
        #expect(stats.nullCount["f"] == .int(2) && stats.minValues["f"] == nil)
        let bounds = try #require(stats.timestampBounds("ts"))
        #expect(bounds.contains(t) && bounds.contains(Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_001)))
    }

    @Test(arguments: [
        ("endpoint=iris/part-1.parquet", "endpoint=iris/part-1.parquet"),
        ("endpoint=a b/x%y.parquet", "endpoint=a%20b/x%25y.parquet"),
        ("k=é/f.parquet", "k=%C3%A9/f.parquet"),
    ])
    func pathsArePercentEncodedInTheLog(relative: String, encoded: String) {
        #expect(PathEncoding.encode(relative) == encoded)
        #expect(PathEncoding.decode(encoded) == relative)
    }
}

@Suite struct TimestampArithmeticTests {
    @Test(arguments: [Int64(-1_500_000), -1, 0, 1, 2_500_001, 86_400_000_000])
    func addingADurationMovesByExactlyItsMicroseconds(micros: Int64) {
        let base = Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000)
        #expect(base.advanced(by: .microseconds(micros)).microsecondsSinceEpoch == base.microsecondsSinceEpoch + micros)
        #expect(base.advanced(by: .zero - .microseconds(micros)).microsecondsSinceEpoch == base.microsecondsSinceEpoch - micros)
    }

    @Test func millisecondsRoundTowardsMinusInfinity() {
        #expect(Timestamp(microsecondsSinceEpoch: -1).milliseconds == -1)
        #expect(Timestamp(microsecondsSinceEpoch: 1999).milliseconds == 1)
        #expect(Timestamp(milliseconds: -2).microsecondsSinceEpoch == -2000)
    }
}
