import Parquet
#if canImport(Glibc)
import Glibc
#endif

/// In-process corruption sweep over a file another tool wrote: every outcome must be a
/// value or a `ParquetError`; a crash kills the process and fails the Python test.
enum Corruption {
    static func readEverything(_ bytes: [UInt8]) throws {
        let reader = try ParquetReader(bytes: bytes)
        _ = try reader.readRows()
        for g in 0 ..< reader.rowGroupCount { _ = try reader.readRowGroup(g) }
    }

    static func sweep(path: String, seed: UInt64) throws -> String {
        _ = try ParquetReader(path: path) // the intact file must read
        let bytes = try readFile(path)
        var errors = 0, reads = 0, truncations = 0, other = 0
        func attempt(_ b: [UInt8]) {
            do { try readEverything(b); reads += 1 } catch is ParquetError { errors += 1 } catch { other += 1 }
        }
        var cut = 0
        while cut < bytes.count {
            attempt(Array(bytes[..<cut]))
            truncations += 1
            cut += 97
        }
        var g = Samples.Generator(state: seed)
        for _ in 0 ..< 1000 {
            var b = bytes
            for _ in 0 ..< 1 + g.below(4) { b[g.below(b.count)] ^= UInt8(1 + g.below(255)) }
            attempt(b)
        }
        return "{\"truncations\": \(truncations), \"flips\": 1000, \"errors\": \(errors), \"reads\": \(reads), \"other_errors\": \(other)}"
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else { throw ParquetInteropError(message: "cannot open \(path)") }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            out.append(contentsOf: chunk[..<n])
        }
        return out
    }
}
