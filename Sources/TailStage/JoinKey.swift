import DriftlineCore

/// A request id reduced to 128 bits (two independent 64-bit multiply-xorshift hashes) so that the label
/// join holds 16 bytes inline per pending prediction instead of a heap array. Two different ids share a
/// key with probability about n² / 2¹²⁹ (10⁻²³ for ten million pending predictions).
struct JoinKey: Hashable {
    let high: UInt64
    let low: UInt64

    init(_ id: RequestID) {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(id.bytes.count)
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(id.bytes.count)
        id.bytes.withUnsafeBufferPointer { bytes in
            var i = 0
            while i < bytes.count {
                var word: UInt64 = 0
                let n = min(8, bytes.count - i)
                for j in 0..<n { word |= UInt64(bytes[i + j]) << (8 * UInt64(j)) }
                a = Self.mix(a ^ word, 0xFF51_AFD7_ED55_8CCD)
                b = Self.mix(b &+ word, 0xC4CE_B9FE_1A85_EC53)
                i += 8
            }
        }
        let high = Self.mix(a, 0xD6E8_FEB8_6659_FD93)
        let low = Self.mix(b ^ a, 0x9FB2_1C65_1E98_DF25)
        self.high = high
        // The all-zero key marks an empty slot of ``JoinTable``; a hash landing on it moves by one.
        self.low = high == 0 && low == 0 ? 1 : low
    }

    private init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The key no request id has: an empty slot of ``JoinTable``.
    static let empty = JoinKey(high: 0, low: 0)

    static func == (a: JoinKey, b: JoinKey) -> Bool { a.high == b.high && a.low == b.low }

    func hash(into hasher: inout Hasher) { hasher.combine(low) }

    /// The key is already a uniform hash: hand the table its bits mixed with the seed, skipping SipHash
    /// (which was a fifth of the join's cost in `driftline-bench tail`).
    func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: Self.mix(low ^ UInt64(UInt(bitPattern: seed)), 0xFF51_AFD7_ED55_8CCD))
    }

    @inline(__always)
    static func mix(_ x: UInt64, _ multiplier: UInt64) -> UInt64 {
        var z = x &* multiplier
        z ^= z >> 32
        z = z &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 29)
    }
}
