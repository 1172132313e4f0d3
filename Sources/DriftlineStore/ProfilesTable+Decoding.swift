import Parquet
import Profiles

/// A `profiles` data file → `[ProfileRow]`, decoded column by column from the row groups (the fast
/// path); files whose layout is not the one this module writes go through the row assembler.
extension ProfilesTable {
    /// Expected (max definition level, max repetition level) of each leaf of our files.
    private static func expectedLevels(_ field: Field) -> (Int, Int) {
        switch field.type {
        case .list: (field.isOptional ? 2 : 1, 1)
        default: (field.isOptional ? 1 : 0, 0)
        }
    }

    /// Nil when the file's layout differs from ours (then the caller uses the row path).
    static func decodeColumnar(_ reader: ParquetReader, endpoint: String, file: String) throws -> [ProfileRow]? {
        guard reader.columns.count == reader.schema.fields.count else { return nil }
        var index: [String: Int] = [:]
        for (i, descriptor) in reader.columns.enumerated() {
            let field = reader.schema.fields[descriptor.topLevelFieldIndex]
            let (def, rep) = expectedLevels(field)
            if case let .list(element) = field.type, element.isOptional { return nil }
            guard descriptor.maxDefinitionLevel == def, descriptor.maxRepetitionLevel == rep else { return nil }
            index[field.name] = i
        }
        var out: [ProfileRow] = []
        out.reserveCapacity(Int(clamping: reader.rowCount))
        for group in 0..<reader.rowGroupCount {
            let batch = try reader.readRowGroup(group)
            let columns = ColumnsOfGroup(batch: batch, index: index, file: file)
            let n = batch.rowCount
            let modelVersion = try columns.strings("model_version", rows: n)
            let windowStart = try columns.longs("window_start", rows: n)
            let windowEnd = try columns.longs("window_end", rows: n)
            let columnName = try columns.strings("column_name", rows: n)
            let columnKind = try columns.strings("column_kind", rows: n)
            let count = try columns.longs("count", rows: n)
            let missing = try columns.longs("missing_count", rows: n)
            let minimum = try columns.doubles("min", rows: n), maximum = try columns.doubles("max", rows: n)
            let mean = try columns.doubles("mean", rows: n), m2 = try columns.doubles("m2", rows: n)
            let p05 = try columns.doubles("p05", rows: n), p25 = try columns.doubles("p25", rows: n)
            let p50 = try columns.doubles("p50", rows: n), p75 = try columns.doubles("p75", rows: n)
            let p95 = try columns.doubles("p95", rows: n)
            let sketch = try columns.binaries("sketch", rows: n)
            let histogram = try columns.longLists("histogram", rows: n)
            let referenceID = try columns.strings("reference_id", rows: n)
            let categories = try columns.stringLists("categories", rows: n)
            let categoryCounts = try columns.longLists("category_counts", rows: n)
            // Files written before these columns were added lack them: null.
            let otherCategories = columns.has("other_categories") ? try columns.stringLists("other_categories", rows: n) : Array(repeating: nil, count: n)
            let otherCounts = columns.has("other_category_counts") ? try columns.longLists("other_category_counts", rows: n) : Array(repeating: nil, count: n)
            let below = columns.has("below_reference_min") ? try columns.longs("below_reference_min", rows: n) : Array(repeating: nil, count: n)
            let above = columns.has("above_reference_max") ? try columns.longs("above_reference_max", rows: n) : Array(repeating: nil, count: n)
            for r in 0..<n {
                guard let version = modelVersion[r], let name = columnName[r], let kind = columnKind[r],
                      let start = windowStart[r], let end = windowEnd[r], let c = count[r], let m = missing[r] else {
                    throw StoreError.malformedData(file: file, detail: "row \(r) of row group \(group) has a null key column")
                }
                out.append(ProfileRow(endpoint: endpoint, modelVersion: version, windowStartMicroseconds: start, windowEndMicroseconds: end,
                                      columnName: name, columnKind: kind, count: c, missingCount: m,
                                      min: minimum[r], max: maximum[r], mean: mean[r], m2: m2[r],
                                      p05: p05[r], p25: p25[r], p50: p50[r], p75: p75[r], p95: p95[r],
                                      sketch: sketch[r], histogram: histogram[r], referenceID: referenceID[r],
                                      categories: categories[r], categoryCounts: categoryCounts[r],
                                      otherCategories: otherCategories[r], otherCategoryCounts: otherCounts[r],
                                      belowReferenceMin: below[r], aboveReferenceMax: above[r]))
            }
        }
        return out
    }
}

/// The leaves of one row group, read into per-row optionals with bounds checks (a corrupt file throws).
private struct ColumnsOfGroup {
    let batch: RecordBatch
    let index: [String: Int]
    let file: String

    func bad(_ name: String, _ detail: String) -> StoreError { .malformedData(file: file, detail: "column \(name): \(detail)") }

    /// Whether the file has the column (older files lack the columns added since).
    func has(_ name: String) -> Bool { index[name] != nil }

    func leaf(_ name: String) throws(StoreError) -> LeafColumn {
        guard let i = index[name], i < batch.columns.count else { throw bad(name, "missing from the file") }
        return batch.columns[i]
    }

    /// For each row, the index of its value in `values` (nil for null), from definition levels.
    func presence(_ column: LeafColumn, rows: Int, valueCount: Int, name: String) throws(StoreError) -> [Int?] {
        if column.definitionLevels.isEmpty {
            guard valueCount == rows else { throw bad(name, "\(valueCount) values for \(rows) rows") }
            return Array(0..<rows)
        }
        guard column.definitionLevels.count == rows else { throw bad(name, "\(column.definitionLevels.count) levels for \(rows) rows") }
        var out: [Int?] = []
        out.reserveCapacity(rows)
        var next = 0
        for level in column.definitionLevels {
            if level == 1 {
                guard next < valueCount else { throw bad(name, "more present rows than values") }
                out.append(next)
                next += 1
            } else {
                out.append(nil)
            }
        }
        return out
    }

    func longs(_ name: String, rows: Int) throws(StoreError) -> [Int64?] {
        let column = try leaf(name)
        guard case let .int64(values) = column.values else { throw bad(name, "not INT64") }
        return try presence(column, rows: rows, valueCount: values.count, name: name).map { $0.map { values[$0] } }
    }

    func doubles(_ name: String, rows: Int) throws(StoreError) -> [Double?] {
        let column = try leaf(name)
        guard case let .double(values) = column.values else { throw bad(name, "not DOUBLE") }
        return try presence(column, rows: rows, valueCount: values.count, name: name).map { $0.map { values[$0] } }
    }

    func strings(_ name: String, rows: Int) throws(StoreError) -> [String?] {
        let column = try leaf(name)
        guard case let .byteArray(values) = column.values else { throw bad(name, "not BYTE_ARRAY") }
        return try presence(column, rows: rows, valueCount: values.count, name: name).map { $0.map { values.string(at: $0) } }
    }

    func binaries(_ name: String, rows: Int) throws(StoreError) -> [[UInt8]?] {
        let column = try leaf(name)
        guard case let .byteArray(values) = column.values else { throw bad(name, "not BYTE_ARRAY") }
        return try presence(column, rows: rows, valueCount: values.count, name: name).map { $0.map { Array(values[$0]) } }
    }

    /// Per row: nil (null list) or the range of its elements in `values`; levels of an optional list of
    /// required elements (def 0 null, 1 empty, 2 element; rep 0 starts a row).
    func listRanges(_ column: LeafColumn, rows: Int, valueCount: Int, name: String) throws(StoreError) -> [Range<Int>?] {
        let defs = column.definitionLevels, reps = column.repetitionLevels
        guard defs.count == reps.count else { throw bad(name, "\(defs.count) definition but \(reps.count) repetition levels") }
        var out: [Range<Int>?] = []
        out.reserveCapacity(rows)
        var next = 0
        var i = 0
        while i < defs.count {
            guard reps[i] == 0 else { throw bad(name, "a row starts with repetition level \(reps[i])") }
            switch defs[i] {
            case 0:
                out.append(nil)
                i += 1
            case 1:
                out.append(next..<next)
                i += 1
            case 2:
                let first = next
                repeat {
                    guard defs[i] == 2 else { throw bad(name, "a null element in a list of required elements") }
                    next += 1
                    i += 1
                } while i < defs.count && reps[i] == 1
                guard next <= valueCount else { throw bad(name, "more elements than values") }
                out.append(first..<next)
            default:
                throw bad(name, "definition level \(defs[i]) above 2")
            }
        }
        guard out.count == rows else { throw bad(name, "\(out.count) lists for \(rows) rows") }
        return out
    }

    func longLists(_ name: String, rows: Int) throws(StoreError) -> [[Int64]?] {
        let column = try leaf(name)
        guard case let .int64(values) = column.values else { throw bad(name, "not INT64") }
        return try listRanges(column, rows: rows, valueCount: values.count, name: name).map { $0.map { Array(values[$0]) } }
    }

    func stringLists(_ name: String, rows: Int) throws(StoreError) -> [[String]?] {
        let column = try leaf(name)
        guard case let .byteArray(values) = column.values else { throw bad(name, "not BYTE_ARRAY") }
        return try listRanges(column, rows: rows, valueCount: values.count, name: name).map { $0.map { $0.map { values.string(at: $0) } } }
    }
}
