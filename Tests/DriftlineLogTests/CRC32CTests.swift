import DriftlineLog
import Testing

@Suite struct CRC32CTests {
    @Test func checkValueOf123456789() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        Array("123456789".utf8).withUnsafeBytes { #expect(CRC32C.portableChecksum($0) == 0xE306_9283) }
    }

    /// RFC 3720 (iSCSI) B.4 test vectors.
    @Test func iscsiVectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test(arguments: [0, 1, 7, 8, 9, 31, 32, 33, 1000, 4097])
    func hardwareAndPortableAgreeAndChain(length: Int) {
        var generator = SplitMix(seed: UInt64(length))
        let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        bytes.withUnsafeBytes { raw in
            let whole = CRC32C.checksum(raw)
            #expect(CRC32C.portableChecksum(raw) == whole)
            // Misaligned start and chaining give the same value.
            let cut = length / 3
            let chained = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[cut...]),
                                          continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[..<cut])))
            #expect(chained == whole)
        }
    }
}

/// A tiny deterministic generator for tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
