/// Bounds-checked little-endian reads over a byte array; every read throws instead of trapping.
struct ByteCursor {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func readInteger<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, field: @autoclosure () -> String) throws(ProfileError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw .malformedSketch(field: field(), detail: "needs \(size) bytes at offset \(offset), \(remaining) left")
        }
        var value: T = 0
        for index in 0..<size {
            value |= T(bytes[offset + index]) << (8 * index)
        }
        offset += size
        return value
    }

    mutating func readDouble(field: @autoclosure () -> String) throws(ProfileError) -> Double {
        Double(bitPattern: try readInteger(UInt64.self, field: field()))
    }

    /// Reads `count` little-endian doubles into `items[start..<start + count]` in one pass.
    mutating func readDoubles(into items: inout [Double], at start: Int, count: Int, field: @autoclosure () -> String) throws(ProfileError) {
        guard count >= 0, start >= 0, start + count <= items.count, remaining >= 8 * count else {
            throw .malformedSketch(field: field(), detail: "needs \(8 * count) bytes at offset \(offset), \(remaining) left")
        }
        let from = offset
        bytes.withUnsafeBytes { raw in
            items.withUnsafeMutableBufferPointer { out in
                for i in 0..<count {
                    out[start + i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: from + 8 * i, as: UInt64.self)))
                }
            }
        }
        offset += 8 * count
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }

    mutating func appendLittleEndian(_ value: Double) {
        appendLittleEndian(value.bitPattern)
    }
}
