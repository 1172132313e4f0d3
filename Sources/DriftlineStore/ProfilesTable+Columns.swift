import Parquet
import Profiles

/// `[ProfileRow]` → one columnar `RecordBatch` of a `profiles` data file (every column but `endpoint`),
/// built leaf by leaf: the fast path of the Parquet writer (the row path shreds value by value).
extension ProfilesTable {
    static func batch(_ rows: ArraySlice<ProfileRow>, schema: Schema) throws -> RecordBatch {
        var columns: [LeafColumn] = []
        columns.reserveCapacity(schema.fields.count)
        for field in schema.fields {
            columns.append(try leaf(field, rows))
        }
        return RecordBatch(rowCount: rows.count, columns: columns)
    }

    private static func strings(_ rows: ArraySlice<ProfileRow>, _ value: (ProfileRow) -> String?) -> (ByteArrays, [Bool]) {
        var bytes = ByteArrays()
        var validity: [Bool] = []
        validity.reserveCapacity(rows.count)
        for row in rows {
            if let text = value(row) {
                bytes.append(text)
                validity.append(true)
            } else {
                validity.append(false)
            }
        }
        return (bytes, validity)
    }

    private static func doubles(_ rows: ArraySlice<ProfileRow>, _ value: (ProfileRow) -> Double?) -> ([Double], [Bool]) {
        var values: [Double] = []
        var validity: [Bool] = []
        values.reserveCapacity(rows.count)
        validity.reserveCapacity(rows.count)
        for row in rows {
            if let number = value(row) {
                values.append(number)
                validity.append(true)
            } else {
                validity.append(false)
            }
        }
        return (values, validity)
    }

    private static func longLists(_ rows: ArraySlice<ProfileRow>, _ value: (ProfileRow) -> [Int64]?) -> (offsets: [Int], values: [Int64], validity: [Bool]) {
        var offsets = [0]
        var values: [Int64] = []
        var validity: [Bool] = []
        offsets.reserveCapacity(rows.count + 1)
        validity.reserveCapacity(rows.count)
        for row in rows {
            if let list = value(row) {
                values.append(contentsOf: list)
                validity.append(true)
            } else {
                validity.append(false)
            }
            offsets.append(values.count)
        }
        return (offsets, values, validity)
    }

    private static func leaf(_ field: Field, _ rows: ArraySlice<ProfileRow>) throws -> LeafColumn {
        func string(_ value: (ProfileRow) -> String?) throws -> LeafColumn {
            let (bytes, validity) = strings(rows, value)
            return try LeafColumn(field: field, values: .byteArray(bytes), validity: field.isOptional ? validity : nil)
        }
        func long(_ value: (ProfileRow) -> Int64) throws -> LeafColumn {
            try LeafColumn(field: field, values: .int64(rows.map(value)))
        }
        func optionalLong(_ value: (ProfileRow) -> Int64?) throws -> LeafColumn {
            var values: [Int64] = []
            var validity: [Bool] = []
            for row in rows {
                if let number = value(row) { values.append(number) }
                validity.append(value(row) != nil)
            }
            return try LeafColumn(field: field, values: .int64(values), validity: validity)
        }
        func double(_ value: (ProfileRow) -> Double?) throws -> LeafColumn {
            let (values, validity) = doubles(rows, value)
            return try LeafColumn(field: field, values: .double(values), validity: validity)
        }
        func stringList(_ value: (ProfileRow) -> [String]?) throws -> LeafColumn {
            var offsets = [0]
            var bytes = ByteArrays()
            var validity: [Bool] = []
            for row in rows {
                let list = value(row)
                for item in list ?? [] { bytes.append(item) }
                validity.append(list != nil)
                offsets.append(bytes.count)
            }
            return try LeafColumn(listField: field, offsets: offsets, values: .byteArray(bytes), validity: validity)
        }
        func longList(_ value: (ProfileRow) -> [Int64]?) throws -> LeafColumn {
            let (offsets, values, validity) = longLists(rows, value)
            return try LeafColumn(listField: field, offsets: offsets, values: .int64(values), validity: validity)
        }
        switch field.name {
        case "model_version": return try string(\.modelVersion)
        case "window_start": return try long(\.windowStartMicroseconds)
        case "window_end": return try long(\.windowEndMicroseconds)
        case "column_name": return try string(\.columnName)
        case "column_kind": return try string(\.columnKind)
        case "count": return try long(\.count)
        case "missing_count": return try long(\.missingCount)
        case "min": return try double(\.min)
        case "max": return try double(\.max)
        case "mean": return try double(\.mean)
        case "m2": return try double(\.m2)
        case "p05": return try double(\.p05)
        case "p25": return try double(\.p25)
        case "p50": return try double(\.p50)
        case "p75": return try double(\.p75)
        case "p95": return try double(\.p95)
        case "reference_id": return try string(\.referenceID)
        case "sketch":
            var bytes = ByteArrays()
            var validity: [Bool] = []
            for row in rows {
                if let sketch = row.sketch { bytes.append(bytes: sketch) }
                validity.append(row.sketch != nil)
            }
            return try LeafColumn(field: field, values: .byteArray(bytes), validity: validity)
        case "histogram": return try longList(\.histogram)
        case "category_counts": return try longList(\.categoryCounts)
        case "other_category_counts": return try longList(\.otherCategoryCounts)
        case "below_reference_min": return try optionalLong(\.belowReferenceMin)
        case "above_reference_max": return try optionalLong(\.aboveReferenceMax)
        case "categories": return try stringList(\.categories)
        case "other_categories": return try stringList(\.otherCategories)
        default:
            throw StoreError.schemaMismatch(table: "profiles", detail: "no column \(field.name) in ProfileRow")
        }
    }
}
