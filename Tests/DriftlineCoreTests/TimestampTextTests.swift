import DriftlineCore
import Testing

/// `Timestamp(parsing:)`, the product's one time parser (CLI options, CSV time cells, the collector's event
/// times), and `iso8601`, its one formatter.
struct TimestampTextTests {
    @Test func parsesISO8601AndEpochSeconds() {
        #expect(Timestamp(parsing: "2026-11-01T00:00:00Z")?.microsecondsSinceEpoch == 1_793_491_200_000_000)
        #expect(Timestamp(parsing: "2024-02-29")?.microsecondsSinceEpoch == 1_709_164_800_000_000)
        #expect(Timestamp(parsing: "2026-11-01 01:00:00.5+01:00")?.microsecondsSinceEpoch == 1_793_491_200_500_000)
        #expect(Timestamp(parsing: "2026-11-01T01:00+0100")?.microsecondsSinceEpoch == 1_793_491_200_000_000)
        #expect(Timestamp(parsing: "1793491200.25")?.microsecondsSinceEpoch == 1_793_491_200_250_000)
        #expect(Timestamp(parsing: "-1.5")?.microsecondsSinceEpoch == -1_500_000)
        #expect(Timestamp(parsing: "9223372036854.775807") == .distantFuture)
        #expect(Timestamp(parsing: "-9223372036854.775807")?.microsecondsSinceEpoch == -Int64.max)
        #expect(Timestamp(parsing: "1969-12-31T23:59:59Z")?.microsecondsSinceEpoch == -1_000_000)
        // Fraction digits past the sixth are cut (CloudEvents' ce-time may carry nanoseconds).
        #expect(Timestamp(parsing: "2026-11-02T03:15:00.123456789+01:00")?.microsecondsSinceEpoch == 1_793_585_700_123_456)
        #expect(Timestamp(parsing: "1793491200.1234567")?.microsecondsSinceEpoch == 1_793_491_200_123_456)
        // However many there are, as the Delta log's parser read them before it merged into this one.
        #expect(Timestamp(parsing: "2026-11-01T00:00:00.1234567890Z")?.microsecondsSinceEpoch == 1_793_491_200_123_456)
    }

    /// `init(iso8601:)` is the ISO branch of `init(parsing:)` alone: epoch numbers are not ISO-8601.
    @Test func iso8601AloneRefusesEpochSeconds() {
        #expect(Timestamp(iso8601: "2026-11-01T00:00:00Z")?.microsecondsSinceEpoch == 1_793_491_200_000_000)
        #expect(Timestamp(iso8601: "2026-11-01 00:00:00.123")?.microsecondsSinceEpoch == 1_793_491_200_123_000)
        #expect(Timestamp(iso8601: Substring("2026-11-01"))?.microsecondsSinceEpoch == 1_793_491_200_000_000)
        for epoch in ["1793491200", "1793491200.25", "-1.5", "0"] {
            #expect(Timestamp(iso8601: epoch) == nil, "\(epoch)")
            #expect(Timestamp(parsing: epoch) != nil, "\(epoch)")
        }
    }

    @Test func refusesWhatDoesNotExistInsteadOfRollingOver() {
        for bad in ["2026-02-30", "2025-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-11-01T24:00:00Z", "2026-11-01T12:60",
                    "2026-11-01T12:00:60Z", "2026-11-01T00:00:00+25:00", "2026-11-01T00:00:00Zjunk", "2026-11-01Z", "0x10", "1.7e9",
                    "nan", "inf", "", " 2026-11-01", "2026-11-01 ", "1.", "+", "99999999999999",
                    // 13 digits, but past the Int64 range of microseconds: refused, not trapped on.
                    "9999999999999", "-9999999999999", "9223372036855", "9223372036854.775808"] {
            #expect(Timestamp(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func formatsISO8601WithMicroseconds() {
        #expect(Timestamp(microsecondsSinceEpoch: 1_793_491_200_123_456).iso8601 == "2026-11-01T00:00:00.123456Z")
        #expect(Timestamp(microsecondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(microsecondsSinceEpoch: 951_782_400_000_000).iso8601 == "2000-02-29T00:00:00.000000Z")
        // The extremes format without trapping.
        #expect(Timestamp.distantPast.iso8601.hasSuffix("Z"))
        #expect(Timestamp.distantFuture.iso8601.hasSuffix("Z"))
    }

    @Test func formattedTimesParseBack() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Years 0001…9999: what a 4-digit year can say.
            let micros = Int64(state % 315_537_897_600_000_000) - 62_135_596_800_000_000
            let time = Timestamp(microsecondsSinceEpoch: micros)
            #expect(Timestamp(parsing: time.iso8601) == time, "\(micros) → \(time.iso8601)")
        }
    }

    @Test func trimsSpacesAndTabsOnly() {
        #expect(" \t2026-11-01\t ".trimmingSpaces == "2026-11-01")
        #expect("a b".trimmingSpaces == "a b")
        #expect("\n x".trimmingSpaces == "\n x")
    }
}
