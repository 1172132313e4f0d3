/// Expands dictionary indices (already checked to be in range) into values.
enum DictionaryGather {
    static func gather(_ dictionary: ColumnValues, _ indices: [UInt32], into values: inout ColumnValues) {
        switch values {
        case var .boolean(v): if case let .boolean(d) = dictionary { values = .int32([]); fixed(d, indices, &v); values = .boolean(v) }
        case var .int32(v): if case let .int32(d) = dictionary { values = .int32([]); fixed(d, indices, &v); values = .int32(v) }
        case var .int64(v): if case let .int64(d) = dictionary { values = .int32([]); fixed(d, indices, &v); values = .int64(v) }
        case var .float(v): if case let .float(d) = dictionary { values = .int32([]); fixed(d, indices, &v); values = .float(v) }
        case var .double(v): if case let .double(d) = dictionary { values = .int32([]); fixed(d, indices, &v); values = .double(v) }
        case var .byteArray(v): if case let .byteArray(d) = dictionary { values = .int32([]); bytes(d, indices, &v); values = .byteArray(v) }
        }
    }

    private static func fixed<T>(_ d: [T], _ indices: [UInt32], _ out: inout [T]) {
        out.reserveAdditional(indices.count)
        d.withUnsafeBufferPointer { dict in
            for i in indices { out.append(dict[Int(i)]) }
        }
    }

    private static func bytes(_ d: ByteArrays, _ indices: [UInt32], _ out: inout ByteArrays) {
        var total = 0
        d.offsets.withUnsafeBufferPointer { o in
            for i in indices { total += o[Int(i) + 1] - o[Int(i)] }
        }
        var bytes = out.bytes
        out.bytes = []
        var offsets = out.offsets
        out.offsets = []
        offsets.reserveAdditional(indices.count)
        var running = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: total))
        bytes.withUnsafeMutableBytes { dst in
            d.bytes.withUnsafeBytes { src in
                d.offsets.withUnsafeBufferPointer { o in
                    for i in indices {
                        let s = o[Int(i)], len = o[Int(i) + 1] - s
                        if len > 0 { (dst.baseAddress! + running).copyMemory(from: src.baseAddress! + s, byteCount: len) }
                        running += len
                        offsets.append(running)
                    }
                }
            }
        }
        out.bytes = bytes
        out.offsets = offsets
    }
}
