import Parquet

extension DeltaSchema {
    /// The Parquet schema of this table's data files: every column but the partition columns (Delta
    /// keeps those in the log), with the Parquet types Delta prescribes (`timestamp` as INT64
    /// TIMESTAMP(MICROS, UTC), arrays as 3-level LISTs, maps as MAPs).
    public func parquetSchema(excluding partitionColumns: [String] = []) throws -> Schema {
        let excluded = Set(partitionColumns.map { $0.lowercased() })
        return Schema(try fields.filter { !excluded.contains($0.name.lowercased()) }.map { try $0.parquetField() })
    }
}

extension DeltaField {
    func parquetField() throws -> Field {
        Field(name: name, isOptional: nullable, type: try type.parquetType(column: name))
    }
}

extension DeltaType {
    func parquetType(column: String) throws -> FieldType {
        switch self {
        case .string: return .string
        case .long: return .int64
        case .integer: return .int32
        case .double: return .double
        case .float: return .float
        case .boolean: return .boolean
        case .binary: return .binary
        case .timestamp: return .timestampMicros
        case let .array(element, containsNull):
            return .list(Field(name: "element", isOptional: containsNull, type: try element.parquetType(column: column)))
        case let .map(key, value, valueContainsNull):
            return .map(key: Field(name: "key", isOptional: false, type: try key.parquetType(column: column)),
                        value: Field(name: "value", isOptional: valueContainsNull, type: try value.parquetType(column: column)))
        case let .struct(schema):
            return .group(try schema.fields.map { try $0.parquetField() })
        case .short, .byte, .date, .other:
            throw DeltaError.invalidArgument("column \(column): type \(primitiveName ?? "?") has no Parquet mapping in this library")
        }
    }
}
