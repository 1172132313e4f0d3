import DriftlineCore
import DurableFiles

/// How far a consumer (the tail stage) has read a partition: `<partition>/consumer-<name>.offset`.
///
/// The file holds the next offset the consumer will read, as ASCII decimal digits and a newline
/// (`"1234\n"`: records 0…1233 are consumed). The consumer replaces it atomically (DurableFiles' replace:
/// temporary file, fsync, rename, fsync of the folder).
/// Retention never deletes a segment with records at or past the smallest such offset, unless the
/// size cap forces it.
public enum ConsumerOffset {
    static let prefix = "consumer-"
    static let suffix = ".offset"

    /// The path of consumer `name`'s file in `partition`.
    public static func path(consumer name: String, in partition: String) throws(LogError) -> String {
        do throws(ValidationError) {
            let checked = try PathComponent(name, field: "consumer")
            return "\(partition)/\(prefix)\(checked.value)\(suffix)"
        } catch {
            throw LogError.invalid(error)
        }
    }

    /// Records that consumer `name` has read everything before `offset` (durably: fsync of file and folder).
    public static func write(_ offset: Int64, consumer name: String, in partition: String) throws(LogError) {
        guard offset >= 0 else { throw LogError(.invalidArgument, path: partition, detail: "consumer offset \(offset) is negative") }
        let path = try path(consumer: name, in: partition)
        do throws(FileError) {
            try DurableFile.replace(path, with: Array("\(offset)\n".utf8))
        } catch {
            throw LogError(error)
        }
    }

    /// Consumer `name`'s offset, or nil when it has none.
    public static func read(consumer name: String, in partition: String) throws(LogError) -> Int64? {
        try read(path: try path(consumer: name, in: partition))
    }

    static func read(path: String) throws(LogError) -> Int64? {
        guard let file = try LogFile.openForReading(path) else { return nil }
        defer { file.close() }
        let bytes = try file.read(count: 32, at: 0)
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
        guard let value = Int64(text), value >= 0 else {
            throw LogError(.corrupt, path: path, detail: "a consumer offset file holds one decimal number, found \(text.debugDescription); delete it (until the consumer writes it again, retention deletes segments for the size cap only)")
        }
        return value
    }

    /// Every consumer's offset in `partition`, by consumer name.
    public static func readAll(in partition: String) throws(LogError) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for name in try LogFolder.list(partition) where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            if let value = try read(path: "\(partition)/\(name)") {
                result[String(name.dropFirst(prefix.count).dropLast(suffix.count))] = value
            }
        }
        return result
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
