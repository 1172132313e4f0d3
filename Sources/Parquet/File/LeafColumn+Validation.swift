extension LeafColumn {
    var estimatedBytes: Int {
        let levels = definitionLevels.count + repetitionLevels.count
        switch values {
        case let .boolean(v): return levels + v.count / 8
        case let .int32(v): return levels + v.count * 4
        case let .int64(v): return levels + v.count * 8
        case let .float(v): return levels + v.count * 4
        case let .double(v): return levels + v.count * 8
        case let .byteArray(v): return levels + v.bytes.count + 4 * v.count
        }
    }

    /// Checks that levels and values agree with the descriptor and the row count.
    func validate(_ d: ColumnDescriptor, rows: Int) throws {
        let name = d.dottedPath
        guard values.physicalType == d.physicalType else {
            throw ParquetError.invalid("column \(name) is \(d.physicalType) but the batch holds \(values.physicalType) values")
        }
        if d.maxDefinitionLevel == 0 {
            guard definitionLevels.isEmpty else { throw ParquetError.invalid("column \(name) is required but has definition levels") }
        } else {
            let maxDef = UInt8(d.maxDefinitionLevel)
            var present = 0
            var bad = false
            definitionLevels.withUnsafeBufferPointer { defs in
                for x in defs {
                    if x == maxDef { present += 1 } else if x > maxDef { bad = true }
                }
            }
            if bad { throw ParquetError.invalid("column \(name) has a definition level above its maximum \(maxDef)") }
            guard present == values.count else {
                throw ParquetError.invalid("column \(name): \(values.count) values but \(present) definition levels at the maximum")
            }
        }
        if d.maxRepetitionLevel == 0 {
            guard repetitionLevels.isEmpty else { throw ParquetError.invalid("column \(name) is not repeated but has repetition levels") }
            let levels = d.maxDefinitionLevel > 0 ? definitionLevels.count : values.count
            guard levels == rows else { throw ParquetError.invalid("column \(name) has \(levels) entries for \(rows) rows") }
        } else {
            guard repetitionLevels.count == definitionLevels.count else {
                throw ParquetError.invalid("column \(name) has \(repetitionLevels.count) repetition and \(definitionLevels.count) definition levels")
            }
            let maxRep = UInt8(d.maxRepetitionLevel)
            var starts = 0
            var bad = false
            repetitionLevels.withUnsafeBufferPointer { reps in
                for x in reps {
                    if x == 0 { starts += 1 } else if x > maxRep { bad = true }
                }
            }
            if bad { throw ParquetError.invalid("column \(name) has a repetition level above its maximum \(maxRep)") }
            guard starts == rows else { throw ParquetError.invalid("column \(name) holds \(starts) rows, the batch \(rows)") }
        }
    }

    /// Level index where each row starts, plus the end (`rows + 1` entries).
    func rowStarts(_ d: ColumnDescriptor, rows: Int) -> [Int] {
        if d.maxRepetitionLevel == 0 { return Array(0 ... rows) }
        var starts: [Int] = []
        starts.reserveCapacity(rows + 1)
        for (i, r) in repetitionLevels.enumerated() where r == 0 { starts.append(i) }
        starts.append(repetitionLevels.count)
        return starts
    }

    /// The rows `rows` of this column.
    func slice(rows: Range<Int>, rowStarts: [Int], descriptor d: ColumnDescriptor) -> LeafColumn {
        let a = rowStarts[rows.lowerBound], b = rowStarts[rows.upperBound]
        var va = a, vb = b
        if d.maxDefinitionLevel > 0 {
            let maxDef = UInt8(d.maxDefinitionLevel)
            va = 0
            for i in 0 ..< a where definitionLevels[i] == maxDef { va += 1 }
            vb = va
            for i in a ..< b where definitionLevels[i] == maxDef { vb += 1 }
        }
        let v: ColumnValues
        switch values {
        case let .boolean(x): v = .boolean(Array(x[va ..< vb]))
        case let .int32(x): v = .int32(Array(x[va ..< vb]))
        case let .int64(x): v = .int64(Array(x[va ..< vb]))
        case let .float(x): v = .float(Array(x[va ..< vb]))
        case let .double(x): v = .double(Array(x[va ..< vb]))
        case let .byteArray(x):
            let base = x.offsets[va]
            v = .byteArray(ByteArrays(uncheckedBytes: Array(x.bytes[base ..< x.offsets[vb]]),
                                      offsets: x.offsets[va ... vb].map { $0 - base }))
        }
        return LeafColumn(values: v,
                          definitionLevels: d.maxDefinitionLevel > 0 ? Array(definitionLevels[a ..< b]) : [],
                          repetitionLevels: d.maxRepetitionLevel > 0 ? Array(repetitionLevels[a ..< b]) : [])
    }
}
