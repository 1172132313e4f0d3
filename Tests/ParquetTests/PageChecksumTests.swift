import Foundation
import Testing
@testable import Parquet

/// Page checksums: CRC-32 as zlib computes it, written on every page and verified on read.
@Suite struct PageChecksumTests {
    @Test func crc32MatchesTheStandardCheckValues() {
        func crc(_ text: String) -> UInt32 { Array(text.utf8).withUnsafeBytes { PageChecksum.crc32($0) } }
        #expect(crc("") == 0)
        #expect(crc("123456789") == 0xCBF4_3926)
        #expect(crc("The quick brown fox jumps over the lazy dog") == 0x414F_A339)
        // Slicing-by-8 and the byte loop agree at every length and alignment.
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        for length in [1, 7, 8, 9, 15, 16, 17, 999] {
            let whole = bytes.prefix(length).withUnsafeBytes { PageChecksum.crc32($0) }
            var slow: UInt32 = 0xFFFF_FFFF
            for byte in bytes.prefix(length) {
                slow ^= UInt32(byte)
                for _ in 0..<8 { slow = (slow & 1) != 0 ? 0xEDB8_8320 ^ (slow >> 1) : slow >> 1 }
            }
            #expect(whole == slow ^ 0xFFFF_FFFF, "length \(length)")
        }
    }

    func file() throws -> [UInt8] {
        var options = WriterOptions()
        options.compression = .lz4Raw
        return try TestData.file(rows: 600, options: options)
    }

    @Test func everyPageCarriesItsChecksumAndAFlippedByteInAPageIsReported() throws {
        let bytes = try file()
        try readEverything(bytes)
        // The first page: its header right after the magic, then its body.
        let (crc, body) = try bytes.withUnsafeBytes { raw in
            var thrift = ThriftCompactReader(ParquetCursor(raw, start: 4, context: "test"))
            let header = try PageHeader(from: &thrift)
            let start = thrift.cursor.position
            return (header.crc, start..<(start + Int(header.compressedPageSize)))
        }
        #expect(crc != nil)
        #expect(body.count > 20)
        // Every single-bit flip in the page body fails its checksum.
        var reported = 0
        for at in body.prefix(200) {
            var flipped = bytes
            flipped[at] ^= 0x10
            do {
                try readEverything(flipped)
            } catch let error as ParquetError {
                #expect(error.kind == .corrupt && error.message.contains("checksum"), "\(error)")
                reported += 1
            }
        }
        #expect(reported == min(200, body.count))
    }
}
