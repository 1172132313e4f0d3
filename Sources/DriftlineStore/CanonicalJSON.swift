import DriftlineCore

/// A JSON value that keeps its members in the order given, written the same way every time: the
/// reference files' codec (readable, stable key order) and the bytes their fingerprint is taken over.
indirect enum CanonicalJSON: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// Written in Swift's shortest round-trip form; a non-finite value is written as `null`.
    case double(Double)
    case string(String)
    case array([CanonicalJSON])
    case object([(String, CanonicalJSON)])

    static func optional(_ value: Double?) -> CanonicalJSON { value.map { .double($0) } ?? .null }
    static func optional(_ value: String?) -> CanonicalJSON { value.map { .string($0) } ?? .null }

    /// Compact form: no whitespace at all (the fingerprint's input).
    var compact: [UInt8] {
        var out: [UInt8] = []
        write(into: &out, indent: nil, level: 0)
        return out
    }

    /// Pretty form: two-space indentation, arrays of scalars on one line, a final newline.
    var pretty: [UInt8] {
        var out: [UInt8] = []
        write(into: &out, indent: 2, level: 0)
        out.append(10)
        return out
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    private func write(into out: inout [UInt8], indent: Int?, level: Int) {
        func newline(_ depth: Int) {
            guard let indent else { return }
            out.append(10)
            out.append(contentsOf: [UInt8](repeating: 32, count: indent * depth))
        }
        switch self {
        case .null: out += Array("null".utf8)
        case let .bool(value): out += Array((value ? "true" : "false").utf8)
        case let .int(value): out += Array(String(value).utf8)
        case let .double(value):
            if !value.isFinite {
                out += Array("null".utf8)
            } else if value == value.rounded(), abs(value) < 1e15 {
                out += Array(String(Int64(value)).utf8)
                out += Array(".0".utf8)
            } else {
                out += Array(String(value).utf8)
            }
        case let .string(value): JSONString.append(value, to: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            let inline = indent == nil || items.allSatisfy(\.isScalar)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")); if inline && indent != nil { out.append(32) } }
                if !inline { newline(level + 1) }
                item.write(into: &out, indent: indent, level: level + 1)
            }
            if !inline && !items.isEmpty { newline(level) }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                JSONString.append(key, to: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(32) }
                value.write(into: &out, indent: indent, level: level + 1)
            }
            if !members.isEmpty { newline(level) }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// 64-bit FNV-1a: the reference fingerprint (not cryptographic; it tells versions of a file apart).
enum FNV1a64 {
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        return value
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let text = String(hash(bytes), radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
