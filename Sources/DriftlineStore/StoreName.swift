/// Checks names that become folders or files of the store: endpoints, model versions, lock names.
/// The rules are the log's (`PathComponent` of DriftlineCore): 1–200 UTF-8 bytes, no `/` or `\`,
/// no `..`, not `.`, no control characters; additionally no leading `.` or `_` (Delta ignores
/// such folders and files).
enum StoreName {
    static let maxBytes = 200

    static func check(_ value: String, field: String) throws(StoreError) {
        func reject(_ why: String) -> StoreError { .invalidName(field: field, value: value, detail: why) }
        if value.isEmpty { throw reject("must not be empty") }
        if value.utf8.count > maxBytes { throw reject("must be at most \(maxBytes) bytes") }
        if value.hasPrefix(".") || value.hasPrefix("_") { throw reject("must not start with '.' or '_'") }
        if value.contains("..") { throw reject("must not contain \"..\"") }
        for scalar in value.unicodeScalars {
            if scalar == "/" || scalar == "\\" { throw reject("must not contain '/' or '\\'") }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { throw reject("must not contain control characters") }
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
