/// A JSON syntax problem in a request body: where (byte offset into the body) and what was expected.
public struct PayloadSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the body.
    public let offset: Int
    /// What was wrong.
    public let reason: String

    public var description: String { "malformed JSON at byte \(offset): \(reason)" }
}

/// A pull parser over a JSON text: the payload decoders walk the document and build records directly,
/// without an intermediate tree (a batch of 500 records is ~75 KB of JSON; this path is the collector's hot one).
/// It is the one JSON reader besides `JSONValue.parse` (DriftlineCore), which builds a tree: kept apart for that
/// hot path, where building a `JSONValue` per record first would double the work.
///
/// ```swift
/// var reader = JSONReader(bytes)
/// var key = try reader.beginObject()
/// while let name = key {
///     if name == "x" { x = try reader.readNumber() } else { try reader.skipValue() }
///     key = try reader.nextKey()
/// }
/// ```
/// Strict RFC 8259: no comments, trailing commas, NaN or leading zeros; strings must be valid UTF-8; at most
/// ``maxDepth`` levels of nesting (deeper documents are refused, never recursed into without bound).
struct JSONReader: ~Copyable {
    /// The JSON value that starts at the current position.
    enum Kind: Equatable {
        case object, array, string, number, bool, null
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    /// Nesting depth of the current position.
    private var depth = 0
    static let maxDepth = 64

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ reason: String) -> PayloadSyntaxError { PayloadSyntaxError(offset: offset, reason: reason) }

    @inline(__always) mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// Whether only whitespace remains.
    mutating func isAtEnd() -> Bool {
        skipWhitespace()
        return offset >= bytes.count
    }

    /// The next non-whitespace byte, not consumed.
    mutating func peekByte() -> UInt8? {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : nil
    }

    /// The kind of the next value; throws at the end of input or on a byte that starts no value.
    mutating func peekKind() throws(PayloadSyntaxError) -> Kind {
        guard let byte = peekByte() else { throw error("unexpected end of input: expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character \(Self.show(byte)): expected a value")
        }
    }

    static func show(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(UnicodeScalar(byte)))'" : "0x\(String(byte, radix: 16))"
    }

    @inline(__always) mutating func expect(_ byte: UInt8, _ what: String) throws(PayloadSyntaxError) {
        guard peekByte() == byte else {
            if offset >= bytes.count { throw error("unexpected end of input: expected \(what)") }
            throw error("unexpected character \(Self.show(bytes[offset])): expected \(what)")
        }
        offset += 1
    }

    // MARK: - Containers

    /// Consumes `{` and the first key with its `:`; nil when the object is empty (its `}` consumed).
    mutating func beginObject() throws(PayloadSyntaxError) -> String? {
        try expect(UInt8(ascii: "{"), "an object ('{')")
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
        if peekByte() == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return nil
        }
        return try key()
    }

    /// After a member's value: consumes `,` and the next key, or `}` and returns nil.
    mutating func nextKey() throws(PayloadSyntaxError) -> String? {
        switch peekByte() {
        case UInt8(ascii: ","):
            offset += 1
            return try key()
        case UInt8(ascii: "}"):
            offset += 1
            depth -= 1
            return nil
        case nil: throw error("unexpected end of input: expected ',' or '}'")
        case let byte?: throw error("unexpected character \(Self.show(byte)): expected ',' or '}'")
        }
    }

    private mutating func key() throws(PayloadSyntaxError) -> String {
        guard peekByte() == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
        let name = try readString()
        try expect(UInt8(ascii: ":"), "':' after a member name")
        return name
    }

    /// Consumes `[`; false when the array is empty (its `]` consumed).
    mutating func beginArray() throws(PayloadSyntaxError) -> Bool {
        try expect(UInt8(ascii: "["), "an array ('[')")
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nested deeper than \(Self.maxDepth) levels") }
        if peekByte() == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return false
        }
        return true
    }

    /// After an element: consumes `,` and returns true, or `]` and returns false.
    mutating func nextElement() throws(PayloadSyntaxError) -> Bool {
        switch peekByte() {
        case UInt8(ascii: ","):
            offset += 1
            return true
        case UInt8(ascii: "]"):
            offset += 1
            depth -= 1
            return false
        case nil: throw error("unexpected end of input: expected ',' or ']'")
        case let byte?: throw error("unexpected character \(Self.show(byte)): expected ',' or ']'")
        }
    }

    // MARK: - Scalars

    /// Consumes `null` when it comes next.
    mutating func readNull() throws(PayloadSyntaxError) -> Bool {
        guard peekByte() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func readBool() throws(PayloadSyntaxError) -> Bool {
        switch peekByte() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default: throw error("expected true or false")
        }
    }

    private mutating func literal(_ word: StaticString) throws(PayloadSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw error("unexpected end of input in \(word)") }
        for i in 0..<count where bytes[offset + i] != word.utf8Start[i] {
            throw error("expected \(word)")
        }
        offset += count
    }

    /// A JSON number as a double (exact to the nearest double, like `strtod`).
    mutating func readNumber() throws(PayloadSyntaxError) -> Double {
        skipWhitespace()
        let start = offset
        var negative = false
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        // Integer part: "0" or [1-9][0-9]*.
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        let integerStart = offset
        while offset < bytes.count, case let d = bytes[offset] &- UInt8(ascii: "0"), d < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(d) }
            digits += 1
            offset += 1
        }
        guard offset > integerStart else {
            if start == offset, offset < bytes.count { throw error("unexpected character \(Self.show(bytes[offset])): expected a number") }
            throw error("a number needs digits")
        }
        if bytes[integerStart] == UInt8(ascii: "0") && offset - integerStart > 1 { throw error("a number must not have leading zeros") }
        var simple = true
        if offset < bytes.count && bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            let fractionStart = offset
            while offset < bytes.count, case let d = bytes[offset] &- UInt8(ascii: "0"), d < 10 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    fractionDigits += 1
                }
                digits += 1
                offset += 1
            }
            guard offset > fractionStart else { throw error("a number needs digits after '.'") }
        }
        if offset < bytes.count && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            simple = false
            offset += 1
            if offset < bytes.count && (bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-")) { offset += 1 }
            let exponentStart = offset
            while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
            guard offset > exponentStart else { throw error("a number needs digits in its exponent") }
        }
        // Clinger's fast path: a mantissa below 2^53 divided by an exact power of ten rounds correctly.
        if simple && digits <= 15 && fractionDigits <= 22 {
            let value = Double(mantissa) / Self.powersOfTen[fractionDigits]
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let value = Double(text) else { throw PayloadSyntaxError(offset: start, reason: "not a number: \(text)") }
        guard value.isFinite else { throw PayloadSyntaxError(offset: start, reason: "number out of range: \(text)") }
        return value
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// A JSON string, unescaped; must be valid UTF-8 without raw control characters.
    mutating func readString() throws(PayloadSyntaxError) -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = offset
        // Fast path: no escapes.
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                guard let text = String(validating: raw, as: UTF8.self) else {
                    throw PayloadSyntaxError(offset: start, reason: "a string is not valid UTF-8")
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character (0x\(String(byte, radix: 16))) inside a string must be escaped") }
            offset += 1
        }
        var scratch = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw PayloadSyntaxError(offset: start, reason: "a string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { break }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                            throw error("a lone UTF-16 surrogate in a \\u escape")
                        }
                        offset += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("a lone UTF-16 surrogate in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = UnicodeScalar(scalar) else { throw error("a lone UTF-16 surrogate in a \\u escape") }
                    scratch.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw error("unknown escape \\\(Self.show(escape))")
                }
            default:
                if byte < 0x20 { throw error("a control character (0x\(String(byte, radix: 16))) inside a string must be escaped") }
                scratch.append(byte)
            }
        }
        throw error("unexpected end of input inside a string")
    }

    private mutating func hex4() throws(PayloadSyntaxError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("unexpected end of input in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("\\u needs 4 hex digits")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// Consumes the next value whatever it is.
    mutating func skipValue() throws(PayloadSyntaxError) {
        switch try peekKind() {
        case .object:
            var key = try beginObject()
            while key != nil {
                try skipValue()
                key = try nextKey()
            }
        case .array:
            var more = try beginArray()
            while more {
                try skipValue()
                more = try nextElement()
            }
        case .string: _ = try readString()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: _ = try readNull()
        }
    }
}
