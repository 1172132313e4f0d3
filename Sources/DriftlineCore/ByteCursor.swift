/// A bounds-checked forward reader over little-endian binary data: the one byte cursor of the product
/// (log records and manifests in DriftlineCore, Parquet footers and pages, KLL sketches in Profiles).
///
/// Every read checks the bytes left first and throws the reader's own error type (`Failure`, made from a
/// ``ByteCursorProblem``) instead of trapping, so it is safe on arbitrary (corrupt, truncated, hostile)
/// bytes; lengths read from the data are checked against what is left before anything is allocated. The
/// reads are `@inlinable` and `Failure` is a generic parameter, so each module's decoder is specialised
/// with its error type: a read is a bounds check and an unaligned load, and a failure costs only when it
/// happens.
///
/// ```swift
/// var cursor = ByteCursor<CodecError>(payload)
/// let tag = try cursor.readByte("record tag")
/// let time = try cursor.readLittleEndian(Int64.self, "timestamp")
/// ```
public struct ByteCursor<Failure: ByteCursorFailure> {
    /// The bytes being read (the caller keeps them alive while the cursor is used).
    public let bytes: UnsafeRawBufferPointer
    /// The position of the next read, from the start of `bytes`.
    public var position: Int
    /// Where reading stops (exclusive), from the start of `bytes`.
    public let end: Int
    /// What is being read (`"row group 0, column x data page"`), for the reader's messages; may be empty.
    public let context: String

    /// A cursor over `bytes[start..<end]` (`end` nil: to the end of `bytes`); positions and offsets in
    /// errors count from the start of `bytes`. Bounds outside `bytes` are clamped into it, so a forged
    /// range can only make reads fail, never read outside.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, start: Int = 0, end: Int? = nil, context: String = "") {
        self.bytes = bytes
        let stop = Swift.min(Swift.max(end ?? bytes.count, 0), bytes.count)
        self.end = stop
        self.position = Swift.min(Swift.max(start, 0), stop)
        self.context = context
    }

    /// How many bytes are left.
    @inlinable public var remaining: Int { end - position }
    /// Whether every byte was read.
    @inlinable public var isAtEnd: Bool { position >= end }

    @inlinable
    func failure(_ problem: ByteCursorProblem, at offset: Int, _ what: StaticString) -> Failure {
        Failure(cursorProblem: problem, offset: offset, what: what, context: context)
    }

    /// Throws unless `count` (≥ 0) bytes are left.
    @inlinable
    public func require(_ count: Int, _ what: StaticString) throws(Failure) {
        if count < 0 || count > end - position {
            throw failure(.truncated(needed: count, left: end - position), at: position, what)
        }
    }

    /// Reads one byte.
    @inlinable
    public mutating func readByte(_ what: StaticString = "byte") throws(Failure) -> UInt8 {
        try require(1, what)
        let value = bytes[position]
        position += 1
        return value
    }

    /// Reads a little-endian fixed-width integer.
    @inlinable
    public mutating func readLittleEndian<T: FixedWidthInteger>(_ type: T.Type, _ what: StaticString = "integer") throws(Failure) -> T {
        let size = MemoryLayout<T>.size
        try require(size, what)
        let value = bytes.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: value)
    }

    /// Reads an IEEE 754 double stored as 8 little-endian bytes (bit-exact, NaN payloads kept).
    @inlinable
    public mutating func readDouble(_ what: StaticString = "double") throws(Failure) -> Double {
        Double(bitPattern: try readLittleEndian(UInt64.self, what))
    }

    /// Reads `count` little-endian doubles into `items[start..<start + count]` with one bounds check.
    @inlinable
    public mutating func readDoubles(_ count: Int, into items: inout [Double], at start: Int, _ what: StaticString = "doubles") throws(Failure) {
        let (size, overflow) = count.multipliedReportingOverflow(by: 8)
        guard !overflow, count >= 0, start >= 0, start <= items.count - count else {
            throw failure(.truncated(needed: overflow ? Int.max : size, left: end - position), at: position, what)
        }
        try require(size, what)
        let from = position
        let raw = bytes
        items.withUnsafeMutableBufferPointer { out in
            for i in 0..<count {
                out[start + i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: from + 8 * i, as: UInt64.self)))
            }
        }
        position += size
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes.
    @inlinable
    public mutating func readVarint(_ what: StaticString = "varint") throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte(what)
            if shift == 63 && byte > 1 {
                throw failure(.varintOverflow, at: position - 1, what)
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw failure(.varintTooLong, at: position - 1, what) }
        }
    }

    /// Reads a varint length and checks it against `limit` and the bytes left.
    @inlinable
    public mutating func readLength(_ what: StaticString, limit: Int) throws(Failure) -> Int {
        let start = position
        let raw = try readVarint(what)
        guard raw <= UInt64(Swift.max(limit, 0)) else {
            throw failure(.lengthOverLimit(length: raw, limit: limit), at: start, what)
        }
        let length = Int(raw)
        try require(length, what)
        return length
    }

    /// Reads `count` bytes as a slice of ``bytes`` (no copy).
    @inlinable
    public mutating func readBytes(_ count: Int, _ what: StaticString = "bytes") throws(Failure) -> UnsafeRawBufferPointer {
        try require(count, what)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        position += count
        return slice
    }

    /// Moves past `count` bytes.
    @inlinable
    public mutating func skip(_ count: Int, _ what: StaticString = "bytes") throws(Failure) {
        try require(count, what)
        position += count
    }

    /// Reads a varint-length-prefixed UTF-8 string; invalid UTF-8 is an error, not repaired.
    @inlinable
    public mutating func readString(_ what: StaticString, limit: Int) throws(Failure) -> String {
        let start = position
        let length = try readLength(what, limit: limit)
        let raw = try readBytes(length, what)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw failure(.invalidUTF8, at: start, what)
        }
        return string
    }
}

/// What a ``ByteCursor`` read found wrong.
public enum ByteCursorProblem: Sendable, Equatable {
    /// The bytes ended: `needed` were asked for, `left` remained.
    case truncated(needed: Int, left: Int)
    /// A varint's tenth byte carries bits beyond 64.
    case varintOverflow
    /// A varint runs past 10 bytes.
    case varintTooLong
    /// A length prefix beyond what the field allows.
    case lengthOverLimit(length: UInt64, limit: Int)
    /// A string's bytes are not UTF-8.
    case invalidUTF8
}

/// The error type a ``ByteCursor`` throws: each reader (records, Parquet, sketches) turns a problem into its own
/// error, with its own remedy.
public protocol ByteCursorFailure: Error {
    /// The error for `problem`, met at byte `offset` of the cursor's bytes while reading `what` with a cursor
    /// made for `context`.
    init(cursorProblem problem: ByteCursorProblem, offset: Int, what: StaticString, context: String)
}

extension ByteCursorProblem {
    /// `what` and the problem in words: `"timestamp needs 8 bytes, 3 left"`.
    public func text(_ what: StaticString) -> String {
        switch self {
        case let .truncated(needed, left): "\(what) needs \(needed) bytes, \(left) left"
        case .varintOverflow: "\(what): varint overflows 64 bits"
        case .varintTooLong: "\(what): varint longer than 10 bytes"
        case let .lengthOverLimit(length, limit): "\(what): length \(length) exceeds the limit \(limit)"
        case .invalidUTF8: "\(what) is not valid UTF-8"
        }
    }
}

extension CodecError: ByteCursorFailure {
    public init(cursorProblem problem: ByteCursorProblem, offset: Int, what: StaticString, context: String) {
        let kind: Kind
        switch problem {
        case .truncated: kind = .truncated
        default: kind = .malformed
        }
        self.init(kind, offset: offset, detail: (context.isEmpty ? "" : context + ": ") + problem.text(what))
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
