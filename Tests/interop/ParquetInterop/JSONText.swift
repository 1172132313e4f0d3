import Parquet

/// Renders values as JSON text for the Python cross-checks: structs as objects, maps as
/// arrays of [key, value] pairs, bytes as {"$bytes": hex}, non-finite doubles as strings.
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    static func double(_ d: Double) -> String {
        if d.isNaN { return "\"NaN\"" }
        if d.isInfinite { return d > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
        return "\(d)"
    }

    static func value(_ v: ParquetValue, _ type: FieldType) -> String {
        switch v {
        case .null: return "null"
        case let .boolean(b): return b ? "true" : "false"
        case let .int32(x): return "\(x)"
        case let .int64(x): return "\(x)"
        case let .float(x): return double(Double(x))
        case let .double(x): return double(x)
        case let .string(s): return string(s)
        case let .bytes(b): return "{\"$bytes\": \"\(b.map { String(format2: $0) }.joined())\"}"
        case let .list(items):
            var element = FieldType.binary
            if case let .list(f) = type { element = f.type }
            return "[" + items.map { value($0, element) }.joined(separator: ", ") + "]"
        case let .map(entries):
            var kt = FieldType.string, vt = FieldType.string
            if case let .map(k, val) = type { kt = k.type; vt = val.type }
            return "[" + entries.map { "[\(value($0.key, kt)), \(value($0.value, vt))]" }.joined(separator: ", ") + "]"
        case let .group(values):
            guard case let .group(fields) = type else { return "null" }
            return "{" + zip(fields, values).map { "\(string($0.name)): \(value($1, $0.type))" }.joined(separator: ", ") + "}"
        }
    }

    static func row(_ row: [ParquetValue], _ fields: [Field]) -> String {
        "{" + zip(fields, row).map { "\(string($0.name)): \(value($1, $0.type))" }.joined(separator: ", ") + "}"
    }
}

extension String {
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
