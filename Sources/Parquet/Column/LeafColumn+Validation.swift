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

    /// For each row index in `rows` (ascending, the last one = row count): the level index
    /// where that row starts and the number of non-null values before it.
    func boundaries(_ d: ColumnDescriptor, rows: [Int]) -> [(level: Int, value: Int)] {
        let levels = levelCount(d)
        if d.maxDefinitionLevel == 0 && d.maxRepetitionLevel == 0 { return rows.map { ($0, $0) } }
        var out: [(level: Int, value: Int)] = []
        out.reserveCapacity(rows.count)
        let maxDef = UInt8(d.maxDefinitionLevel)
        var next = 0      // index into rows
        var row = -1      // current row index
        var values = 0
        for i in 0 ..< levels {
            let starts = d.maxRepetitionLevel == 0 || repetitionLevels[i] == 0
            if starts {
                row += 1
                while next < rows.count && rows[next] == row { out.append((i, values)); next += 1 }
            }
            if d.maxDefinitionLevel == 0 || definitionLevels[i] == maxDef { values += 1 }
        }
        while next < rows.count { out.append((levels, values)); next += 1 }
        return out
    }
}
