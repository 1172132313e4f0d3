import Testing
@testable import Parquet

@Suite struct RLEHybridTests {
    @Test func bitPackedGroupMatchesTheSpecExample() throws {
        // Encodings.md: values 0...7 with bit width 3 pack to 10001000 11000110 11111010.
        var out: [UInt8] = []
        RLEHybrid.encode([UInt8](0 ... 7), bitWidth: 3, into: &out)
        #expect(out == [0x03, 0x88, 0xC6, 0xFA])
    }

    @Test func longRunsBecomeRLERuns() {
        var out: [UInt8] = []
        RLEHybrid.encode([UInt8](repeating: 1, count: 1000), bitWidth: 1, into: &out)
        #expect(out == [0xD0, 0x0F, 0x01]) // varint(1000 << 1) = 0xD0 0x0F, value byte 1
    }

    @Test(arguments: [0, 1, 2, 3, 5, 7, 8, 12, 16, 20, 32])
    func roundTripsMixedRunsAndLiterals(bitWidth: Int) throws {
        var state: UInt64 = UInt64(bitWidth) &+ 1
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 20 }
        let maxValue: UInt64 = bitWidth == 0 ? 0 : (bitWidth == 32 ? UInt64(UInt32.max) : (1 << UInt64(bitWidth)) - 1)
        var values: [UInt32] = []
        while values.count < 5000 {
            let v = UInt32(maxValue == 0 ? 0 : next() % (maxValue + 1))
            let run = next() % 3 == 0 ? Int(next() % 40) : 1
            values.append(contentsOf: repeatElement(v, count: max(1, run)))
        }
        var out: [UInt8] = []
        RLEHybrid.encode(values, bitWidth: bitWidth, into: &out)
        var decoded: [UInt32] = []
        try out.withUnsafeBytes { buf in
            var c = ParquetCursor(buf, context: "test")
            try RLEHybrid.decode(&c, bitWidth: bitWidth, count: values.count, maxValue: Int(maxValue), into: &decoded)
        }
        #expect(decoded == values)
    }

    @Test func truncatedInputAndOutOfRangeValuesThrow() {
        var out: [UInt8] = []
        RLEHybrid.encode([UInt8](repeating: 3, count: 5) + [1, 2, 3], bitWidth: 2, into: &out)
        for cut in 0 ..< out.count {
            let prefix = Array(out[..<cut])
            #expect(throws: ParquetError.self) {
                var decoded: [UInt8] = []
                try prefix.withUnsafeBytes { buf in
                    var c = ParquetCursor(buf, context: "test")
                    try RLEHybrid.decode(&c, bitWidth: 2, count: 8, maxValue: 3, into: &decoded)
                }
            }
        }
        #expect(throws: ParquetError.self) {
            var decoded: [UInt8] = []
            try out.withUnsafeBytes { buf in
                var c = ParquetCursor(buf, context: "test")
                try RLEHybrid.decode(&c, bitWidth: 2, count: 8, maxValue: 2, into: &decoded)
            }
        }
    }
}
