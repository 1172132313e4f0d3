/// A bounds-checked forward reader over a byte buffer.
///
/// Every read checks the remaining length first and throws `ParquetError.corrupt` naming
/// `context` when the input is too short, so decoders never index past their input.
struct ByteCursor {
    let base: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int
    let context: String

    init(_ base: UnsafeRawBufferPointer, start: Int = 0, end: Int? = nil, context: String) {
        self.base = base
        self.position = start
        self.end = end ?? base.count
        self.context = context
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    @inline(__always)
    mutating func need(_ n: Int) throws {
        if n < 0 || n > end - position {
            throw ParquetError.corrupt("\(context): needs \(n) bytes at offset \(position) but only \(end - position) remain")
        }
    }

    @inline(__always)
    mutating func readByte() throws -> UInt8 {
        try need(1)
        let b = base[position]
        position += 1
        return b
    }

    @inline(__always)
    mutating func readLE<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        try need(size)
        let v = base.loadUnaligned(fromByteOffset: position, as: T.self)
        position += size
        return T(littleEndian: v)
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes.
    @inline(__always)
    mutating func readVarUInt() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift == 63 && b > 1 {
                throw ParquetError.corrupt("\(context): varint overflows 64 bits at offset \(position - 1)")
            }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 {
                throw ParquetError.corrupt("\(context): varint longer than 10 bytes at offset \(position - 1)")
            }
        }
    }

    /// Returns the next `n` bytes as a slice of the base buffer and advances past them.
    mutating func readSlice(_ n: Int) throws -> UnsafeRawBufferPointer {
        try need(n)
        let slice = UnsafeRawBufferPointer(rebasing: base[position ..< position + n])
        position += n
        return slice
    }

    mutating func readBytes(_ n: Int) throws -> [UInt8] {
        Array(try readSlice(n))
    }

    mutating func skip(_ n: Int) throws {
        try need(n)
        position += n
    }
}
