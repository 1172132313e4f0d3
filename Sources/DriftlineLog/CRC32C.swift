import CCRC32C

/// CRC-32C (Castagnoli), as used by iSCSI, ext4 and Kafka: the checksum of every log batch.
///
/// Hardware-accelerated with SSE4.2 when the CPU has it; `checksum("123456789") == 0xE3069283`.
public enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from `crc` (0 to start).
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return driftline_crc32c_update(crc, base, bytes.count)
    }

    /// The CRC-32C of an array of bytes.
    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The portable (table) implementation, for tests and benchmarks.
    public static func portableChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return driftline_crc32c_update_portable(crc, base, bytes.count)
    }

    /// Whether the hardware instruction is used on this machine.
    public static var isHardwareAccelerated: Bool { driftline_crc32c_is_hardware() != 0 }
}
