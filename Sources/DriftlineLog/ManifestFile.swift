import DriftlineCore
import DurableFiles

/// The partition's self-description: `<partition>/<16 hex digits>.manifest`, one per manifest a writer used,
/// and a redundant copy beside it, `<16 hex digits>.manifest.copy` (same bytes): a reader uses whichever
/// checks out, so one damaged or deleted file loses nothing, and the writer restores the other on open.
///
/// Layout (`FORMAT.md`, "Manifest file"): `"DLSM"`, `u8 version=1`, 3 zero bytes, `u32 length`,
/// the manifest's canonical bytes, `u32 CRC-32C` of everything before it.
public enum ManifestFile {
    static let magic: [UInt8] = [0x44, 0x4C, 0x53, 0x4D]
    static let suffix = ".manifest"
    static let copySuffix = ".manifest.copy"

    /// The path of the manifest with `fingerprint` in `partition`.
    public static func path(for fingerprint: SchemaFingerprint, in partition: String) -> String {
        "\(partition)/\(fingerprint.hex)\(suffix)"
    }

    /// The file's bytes for `manifest`.
    public static func encode(_ manifest: PartitionManifest) -> [UInt8] {
        let body = manifest.canonicalEncoding
        var out = magic
        out += [1, 0, 0, 0]
        out.appendLittleEndian(UInt32(body.count))
        out += body
        out.appendLittleEndian(CRC32C.checksum(out))
        return out
    }

    /// Decodes a manifest file's bytes; throws ``LogError`` (kind `.corrupt`) naming `path`.
    public static func decode(_ bytes: [UInt8], path: String) throws(LogError) -> PartitionManifest {
        func corrupt(_ why: String) -> LogError { LogError(.corrupt, path: path, detail: "not a valid manifest file: \(why); the partition's schema cannot be read: restore the file from a backup, or move the partition folder away (its records are then not read)") }
        guard bytes.count >= 16, Array(bytes[0..<4]) == magic else { throw corrupt("bad magic or too short") }
        guard bytes[4] == 1, bytes[5] == 0, bytes[6] == 0, bytes[7] == 0 else { throw corrupt("unknown version \(bytes[4])") }
        let length = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self))) }
        guard length == bytes.count - 16 else { throw corrupt("length \(length) does not match the file size \(bytes.count)") }
        let stored = bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 12 + length, as: UInt32.self)) }
        let computed = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<(12 + length)])) }
        guard stored == computed else { throw corrupt("CRC-32C mismatch") }
        do {
            return try PartitionManifest.decode(Array(bytes[12..<(12 + length)]))
        } catch {
            throw corrupt("\(error)")
        }
    }

    /// Writes the manifest and its copy into `partition`, each unless an identical file is there, by an atomic
    /// replace (temporary file, fsync, rename, fsync of the folder: durable once it returns). A damaged or
    /// missing one is so rewritten from the other on the writer's next open. Returns whether a file was written.
    @discardableResult
    static func write(_ manifest: PartitionManifest, in partition: String) throws(LogError) -> Bool {
        let primary = path(for: manifest.fingerprint, in: partition)
        let bytes = encode(manifest)
        var wrote = false
        for path in [primary, primary + ".copy"] {
            if let existing = try LogFile.openForReading(path) {
                defer { existing.close() }
                if try existing.read(count: bytes.count + 1, at: 0) == bytes { continue }
            }
            do throws(FileError) { try DurableFile.replace(path, with: bytes) } catch { throw LogError(error) }
            wrote = true
        }
        return wrote
    }

    /// Every readable manifest in `partition`, by fingerprint (from the file or, when that does not check out,
    /// its copy; unreadable files are skipped).
    public static func readAll(in partition: String) throws(LogError) -> [SchemaFingerprint: PartitionManifest] {
        var problems: [String] = []
        return try readAll(in: partition, problems: &problems)
    }

    /// ``readAll(in:)``, adding to `problems` each manifest file that does not check out, with why.
    public static func readAll(in partition: String, problems: inout [String]) throws(LogError) -> [SchemaFingerprint: PartitionManifest] {
        var result: [SchemaFingerprint: PartitionManifest] = [:]
        for name in try LogFolder.list(partition).sorted() {
            let stem: Substring
            if name.hasSuffix(copySuffix) { stem = name.dropLast(copySuffix.count) } else if name.hasSuffix(suffix) { stem = name.dropLast(suffix.count) } else { continue }
            guard let fingerprint = SchemaFingerprint(hex: String(stem)), result[fingerprint] == nil else { continue }
            let path = "\(partition)/\(name)"
            guard let file = try LogFile.openForReading(path) else { continue }
            defer { file.close() }
            let bytes = try file.read(count: 1 << 20, at: 0)
            do throws(LogError) {
                let manifest = try decode(bytes, path: path)
                guard manifest.fingerprint == fingerprint else {
                    problems.append("\(path) holds manifest \(manifest.fingerprint.hex), not the one its name says")
                    continue
                }
                result[fingerprint] = manifest
            } catch {
                problems.append("\(path): \(error.detail)")
            }
        }
        return result
    }
}
