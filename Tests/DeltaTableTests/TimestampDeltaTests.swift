import DriftlineCore
import Testing
@testable import DeltaTable

/// `Timestamp+Delta`: milliseconds (`modificationTime`, `deletionTimestamp`) and the millisecond ISO text of
/// timestamp statistics, which must stay byte for byte what `DeltaTimestamp` wrote.
@Suite struct TimestampDeltaTests {
    /// Pinned from `DeltaTimestamp.iso8601Milliseconds` before it merged into `Timestamp`.
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (-1, "1969-12-31T23:59:59.999Z"), (999, "1970-01-01T00:00:00.000Z"),
        (1_700_000_000_123_456, "2023-11-14T22:13:20.123Z"), (-62_135_596_800_000_000, "0001-01-01T00:00:00.000Z"),
        (253_402_300_799_999_999, "9999-12-31T23:59:59.999Z"), (951_782_400_000_000, "2000-02-29T00:00:00.000Z"),
    ])
    func millisecondText(micros: Int64, text: String) {
        #expect(Timestamp(microsecondsSinceEpoch: micros).iso8601Milliseconds == text)
    }

    @Test func millisecondTextParsesBackToTheMillisecond() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Years 0001…9999.
            let time = Timestamp(microsecondsSinceEpoch: Int64(state % 315_537_897_600_000_000) - 62_135_596_800_000_000)
            #expect(Timestamp(iso8601: time.iso8601Milliseconds) == Timestamp(milliseconds: time.milliseconds), "\(time.iso8601)")
        }
    }

    /// Nothing traps at the ends of the range: a log's milliseconds saturate, and the extremes format.
    @Test func extremesSaturateInsteadOfTrapping() {
        #expect(Timestamp(milliseconds: .max) == .distantFuture)
        #expect(Timestamp(milliseconds: .min) == .distantPast)
        #expect(Timestamp(milliseconds: Int64.max / 1000).microsecondsSinceEpoch == Int64.max / 1000 * 1000)
        #expect(Timestamp.distantPast.milliseconds == -9_223_372_036_854_776)
        #expect(Timestamp.distantFuture.milliseconds == 9_223_372_036_854_775)
        #expect(Timestamp.distantPast.iso8601Milliseconds.hasSuffix(".224Z"))
        #expect(Timestamp.distantFuture.iso8601Milliseconds.hasSuffix(".775Z"))
        #expect(Timestamp.distantFuture.advanced(by: .seconds(1)) == .distantFuture)
        #expect(Timestamp.distantPast.advanced(by: .seconds(-1)) == .distantPast)
    }

    /// Statistics bounds of the extremes hold without trapping (the upper bound saturates).
    @Test func statisticsOfTheExtremes() throws {
        var stats = FileStatistics(numRecords: 2)
        stats.record("t", timestamps: [.distantPast, .distantFuture])
        #expect(stats.minValues["t"] != nil && stats.maxValues["t"] != nil)
        let parsed = try FileStatistics(json: #"{"numRecords":2,"minValues":{"t":\#(Int64.min)},"maxValues":{"t":\#(Int64.max)}}"#)
        #expect(parsed.timestampBounds("t") == Timestamp.distantPast...Timestamp.distantFuture)
    }
}
