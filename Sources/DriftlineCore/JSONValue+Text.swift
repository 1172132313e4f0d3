/// Writing a ``JSONValue`` in a ``JSONFormat``.
extension JSONValue {
    /// The JSON text's bytes.
    public func bytes(_ format: JSONFormat) -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out, format)
        return out
    }

    /// The JSON text.
    public func text(_ format: JSONFormat) -> String {
        String(decoding: bytes(format), as: UTF8.self)
    }

    /// Appends the JSON text to `out`.
    public func write(to out: inout [UInt8], _ format: JSONFormat) {
        var writer = JSONTextWriter(format: format, out: out)
        out = []   // the writer's copy is then the only one: appending does not copy the bytes
        writer.value(self, level: 0)
        if format.layout == .indented { writer.out.append(10) }
        out = writer.out
    }
}

private struct JSONTextWriter {
    let format: JSONFormat
    var out: [UInt8]

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }

    mutating func newline(_ level: Int) {
        out.append(10)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
    }

    mutating func value(_ value: JSONValue, level: Int) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case let .int(number): out.append(contentsOf: String(number).utf8)
        case let .double(number): double(number)
        case let .string(text): JSONString.append(text, to: &out, escaping: format.escaping)
        case let .array(items): array(items, level: level)
        case let .object(members): object(members, level: level)
        }
    }

    private mutating func double(_ number: Double) {
        guard number.isFinite else {
            switch format.doubles {
            case .shortest, .pointZero: out.append(contentsOf: "null".utf8)
            case .foundation:
                JSONString.append(number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity", to: &out, escaping: format.escaping)
            }
            return
        }
        switch format.doubles {
        case .shortest:
            out.append(contentsOf: number.description.utf8)
        case .pointZero:
            if number == number.rounded(), abs(number) < 1e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
                out.append(contentsOf: ".0".utf8)
            } else {
                out.append(contentsOf: number.description.utf8)
            }
        case .foundation:
            var text = number.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            out.append(contentsOf: text.utf8)
        }
    }

    private mutating func array(_ items: [JSONValue], level: Int) {
        out.append(UInt8(ascii: "["))
        switch format.layout {
        case .compact:
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value(item, level: level + 1)
            }
        case .indented:
            let inline = items.allSatisfy(Self.isScalar)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")); if inline { out.append(32) } }
                if !inline { newline(level + 1) }
                value(item, level: level + 1)
            }
            if !inline && !items.isEmpty { newline(level) }
        case .foundationPretty:
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                value(item, level: level + 1)
            }
            if items.isEmpty { out.append(10) }
            newline(level)
        }
        out.append(UInt8(ascii: "]"))
    }

    private mutating func object(_ members: JSONObject, level: Int) {
        out.append(UInt8(ascii: "{"))
        let keys = format.sortsKeys ? members.keys.sorted() : members.keys
        let separator: [UInt8] = switch format.layout {
        case .compact: [UInt8(ascii: ":")]
        case .indented: [UInt8(ascii: ":"), 32]
        case .foundationPretty: [32, UInt8(ascii: ":"), 32]
        }
        for (index, key) in keys.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if format.layout != .compact { newline(level + 1) }
            JSONString.append(key, to: &out, escaping: format.escaping)
            out.append(contentsOf: separator)
            value(members[key] ?? .null, level: level + 1)
        }
        switch format.layout {
        case .compact: break
        case .indented: if !members.isEmpty { newline(level) }
        case .foundationPretty:
            if members.isEmpty { out.append(10) }
            newline(level)
        }
        out.append(UInt8(ascii: "}"))
    }
}
