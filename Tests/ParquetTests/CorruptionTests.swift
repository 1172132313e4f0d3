import Testing
@testable import Parquet

#if canImport(Glibc)
import Glibc
#endif

func unlinkFile(_ path: String) { _ = unlink(path) }

/// Reads everything a reader can reach; returns normally or throws `ParquetError`.
func readEverything(_ bytes: [UInt8]) throws {
    let reader = try ParquetReader(bytes: bytes)
    _ = try reader.readRows()
    for g in 0 ..< reader.rowGroupCount {
        _ = try reader.readRowGroup(g)
        for c in 0 ..< reader.columns.count { _ = reader.statistics(rowGroup: g, column: c) }
    }
}

@Suite struct CorruptionTests {
    static let file: [UInt8] = {
        var options = WriterOptions()
        options.maxRowGroupBytes = 8 << 10
        options.dataPageBytes = 1 << 10
        return (try? TestData.file(rows: 400, options: options)) ?? []
    }()

    @Test func sampleFileIsValid() throws {
        #expect(Self.file.count > 5000)
        try readEverything(Self.file)
    }

    @Test func truncationAtEvery97thByteIsATypedError() {
        var cut = 0
        var cases = 0
        while cut < Self.file.count {
            let prefix = Array(Self.file[..<cut])
            #expect(throws: ParquetError.self, "cut at \(cut)") { try readEverything(prefix) }
            cut += 97
            cases += 1
        }
        #expect(cases > 50)
    }

    @Test func thousandRandomByteFlipsNeverCrash() {
        var g = TestRandom(seed: 20261123)
        var errors = 0, reads = 0
        for _ in 0 ..< 1000 {
            var bytes = Self.file
            for _ in 0 ..< 1 + g.below(4) {
                let at = g.below(bytes.count)
                bytes[at] ^= UInt8(1 + g.below(255))
            }
            do {
                try readEverything(bytes)
                reads += 1
            } catch is ParquetError {
                errors += 1
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
        #expect(errors + reads == 1000)
        #expect(errors > 100)
    }

    @Test func forgedFooterLengthIsRejected() {
        var bytes = Self.file
        let n = bytes.count
        bytes[n - 8] = 0xFF; bytes[n - 7] = 0xFF; bytes[n - 6] = 0xFF; bytes[n - 5] = 0x7F
        #expect(throws: ParquetError.self) { try ParquetReader(bytes: bytes) }
    }
}
