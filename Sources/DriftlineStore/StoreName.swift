import DriftlineCore

/// Checks names that become folders or files of the store: endpoints, model versions, lock names, with
/// DriftlineCore's ``NameRules`` (the rules the logger, `ingest`, `collect` and `tail` apply too): 1–200
/// UTF-8 bytes, no `/` or `\`, no `..`, no leading `.` or `_` (Delta ignores such folders and files),
/// no control characters.
enum StoreName {
    static let maxBytes = NameRules.maxFolderNameBytes

    static func check(_ value: String, field: String) throws(StoreError) {
        do throws(ValidationError) {
            try NameRules.checkFolderName(value, field: field)
        } catch {
            throw .invalidName(field: field, value: value, detail: error.detail)
        }
    }

    /// Hive-style folder name of a partition value: bytes outside `[A-Za-z0-9._-]` become `%XX`.
    static func partitionFolder(column: String, value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return column + "=" + String(decoding: out, as: UTF8.self)
    }
}
