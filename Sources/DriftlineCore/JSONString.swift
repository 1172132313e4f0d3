/// How the product writes a JSON string: one escaper for everything `JSONValue` writes (the Delta log's
/// actions, the reference files whose bytes the reference fingerprint is taken over, the reports and
/// Anodot metrics, which must match Foundation's `JSONEncoder` byte for byte) and the collector's answers.
public enum JSONString {
    /// Which characters besides `"`, `\` and the control characters are escaped.
    public enum Escaping: Sendable {
        /// Only what JSON requires: `"` and `\`, `\n` `\r` `\t` by their short forms, every other control
        /// character as `\u00XX`.
        case minimal
        /// As Foundation's `JSONEncoder` writes strings: also `/` as `\/`, and backspace and form feed by
        /// their short forms `\b` `\f`.
        case foundation
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a quoted JSON string. Works on UTF-8 bytes: every byte of a multi-byte sequence is
    /// ≥ 0x80 and is copied as it is.
    public static func append(_ text: String, to out: inout [UInt8], escaping: Escaping = .minimal) {
        let foundation = escaping == .foundation
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case UInt8(ascii: "/") where foundation: out.append(contentsOf: [92, UInt8(ascii: "/")])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 8 where foundation: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 12 where foundation: out.append(contentsOf: [92, UInt8(ascii: "f")])
            case 0..<32:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
