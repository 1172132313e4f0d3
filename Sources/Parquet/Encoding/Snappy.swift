/// Decoder for the Snappy block format (read-only: some writers, e.g. delta-rs checkpoints,
/// default to SNAPPY). Every length and back-reference is checked against the input and
/// the declared output size.
enum Snappy {
    static func decompress(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, context: String) throws -> Int {
        var c = ParquetCursor(input, context: context + " snappy block")
        let declared = try c.readVarint()
        guard declared <= UInt64(out.count) else {
            throw ParquetError.corrupt("\(context): snappy block declares \(declared) bytes, the page \(out.count)")
        }
        let total = Int(declared)
        var o = 0
        while !c.isAtEnd {
            let tag = try c.readByte()
            switch tag & 3 {
            case 0:
                var length = Int(tag >> 2) + 1
                if length > 60 {
                    let extra = length - 60
                    var v = 0
                    for k in 0 ..< extra { v |= Int(try c.readByte()) << (8 * k) }
                    length = v + 1
                }
                guard length <= total - o else { throw ParquetError.corrupt("\(context): snappy literal overruns the output") }
                let src = try c.readBytes(length)
                (out.baseAddress! + o).copyMemory(from: src.baseAddress!, byteCount: length)
                o += length
            default:
                let length: Int, offset: Int
                switch tag & 3 {
                case 1:
                    length = Int((tag >> 2) & 7) + 4
                    offset = Int(tag >> 5) << 8 | Int(try c.readByte())
                case 2:
                    length = Int(tag >> 2) + 1
                    offset = Int(try c.readLittleEndian(UInt16.self))
                default:
                    length = Int(tag >> 2) + 1
                    offset = Int(try c.readLittleEndian(UInt32.self))
                }
                guard offset > 0, offset <= o, length <= total - o else {
                    throw ParquetError.corrupt("\(context): snappy copy (offset \(offset), length \(length)) outside the output")
                }
                for k in 0 ..< length { out[o + k] = out[o + k - offset] }
                o += length
            }
        }
        guard o == total else { throw ParquetError.corrupt("\(context): snappy block decodes to \(o) bytes, declares \(total)") }
        return o
    }
}
