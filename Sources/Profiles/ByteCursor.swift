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
