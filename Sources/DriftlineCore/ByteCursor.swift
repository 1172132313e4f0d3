/// A bounds-checked reader over little-endian binary data.
///
/// Every read checks the remaining length first and throws ``CodecError`` instead of trapping,
/// so it is safe on arbitrary (corrupt, truncated, hostile) bytes. Lengths read from the data are
/// checked against what is left before anything is allocated.
public struct ByteCursor {
    /// The bytes being read.
    public let bytes: UnsafeRawBufferPointer
    /// The position of the next read, from the start of `bytes`.
    public var position: Int

    /// A cursor at the start of `bytes`; the caller keeps `bytes` alive while the cursor is used.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = 0
    }

    /// How many bytes are left.
    @inlinable public var remaining: Int { bytes.count - position }
    /// Whether every byte was read.
    @inlinable public var isAtEnd: Bool { position >= bytes.count }

    @inlinable
    mutating func require(_ count: Int, _ what: StaticString) throws(CodecError) {
        if count < 0 || count > bytes.count - position {
            throw CodecError(.truncated, offset: position, detail: "\(what) needs \(count) bytes, \(bytes.count - position) left")
        }
    }

    /// Reads one byte.
    @inlinable
    public mutating func readByte(_ what: StaticString = "byte") throws(CodecError) -> UInt8 {
        try require(1, what)
        let value = bytes[position]
        position += 1
        return value
    }

    /// Reads a little-endian fixed-width integer.
    @inlinable
    public mutating func readLittleEndian<T: FixedWidthInteger>(_ type: T.Type, _ what: StaticString = "integer") throws(CodecError) -> T {
        let size = MemoryLayout<T>.size
        try require(size, what)
        let value = bytes.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: value)
    }

    /// Reads an IEEE 754 double stored as 8 little-endian bytes (bit-exact, NaN payloads kept).
    @inlinable
    public mutating func readDouble(_ what: StaticString = "double") throws(CodecError) -> Double {
        Double(bitPattern: try readLittleEndian(UInt64.self, what))
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes.
    @inlinable
    public mutating func readVarint(_ what: StaticString = "varint") throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte(what)
            if shift == 63 && byte > 1 {
                throw CodecError(.malformed, offset: position - 1, detail: "\(what): varint overflows 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw CodecError(.malformed, offset: position, detail: "\(what): varint longer than 10 bytes") }
        }
    }

    /// Reads a varint length and checks it against `limit` and the bytes left.
    @inlinable
    public mutating func readLength(_ what: StaticString, limit: Int) throws(CodecError) -> Int {
        let start = position
        let raw = try readVarint(what)
        guard raw <= UInt64(limit) else {
            throw CodecError(.malformed, offset: start, detail: "\(what): length \(raw) exceeds the limit \(limit)")
        }
        let length = Int(raw)
        try require(length, what)
        return length
    }

    /// Reads `count` bytes as a buffer slice (no copy).
    @inlinable
    public mutating func readBytes(_ count: Int, _ what: StaticString = "bytes") throws(CodecError) -> UnsafeRawBufferPointer {
        try require(count, what)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        position += count
        return slice
    }

    /// Reads a varint-length-prefixed UTF-8 string; invalid UTF-8 is an error, not repaired.
    @inlinable
    public mutating func readString(_ what: StaticString, limit: Int) throws(CodecError) -> String {
        let start = position
        let length = try readLength(what, limit: limit)
        let raw = try readBytes(length, what)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw CodecError(.malformed, offset: start, detail: "\(what) is not valid UTF-8")
        }
        return string
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` as an unsigned LEB128 varint (1–10 bytes).
    @inlinable
    public mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends a fixed-width integer in little-endian byte order.
    @inlinable
    public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a double as its 8 raw little-endian bytes.
    @inlinable
    public mutating func appendDouble(_ value: Double) {
        appendLittleEndian(value.bitPattern)
    }

    /// Appends a varint length followed by the UTF-8 bytes of `string`.
    @inlinable
    public mutating func appendString(_ string: String) {
        appendVarint(UInt64(string.utf8.count))
        append(contentsOf: string.utf8)
    }
}
