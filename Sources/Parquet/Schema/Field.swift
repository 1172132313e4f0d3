/// A named field of a schema: a column, a list, a map or a nested struct.
///
/// ```swift
/// let schema = Schema([
///     .required("endpoint", .string),
///     .optional("mean", .double),
///     .optional("histogram", .list(.optional("element", .int64))),
///     .optional("partitionValues", .map(key: .required("key", .string), value: .optional("value", .string))),
/// ])
/// ```
public struct Field: Sendable, Hashable {
    public var name: String
    /// Whether the field may be null (OPTIONAL repetition) rather than REQUIRED.
    public var isOptional: Bool
    public var type: FieldType

    public init(name: String, isOptional: Bool, type: FieldType) {
        self.name = name
        self.isOptional = isOptional
        self.type = type
    }

    public static func required(_ name: String, _ type: FieldType) -> Field {
        Field(name: name, isOptional: false, type: type)
    }

    public static func optional(_ name: String, _ type: FieldType) -> Field {
        Field(name: name, isOptional: true, type: type)
    }
}

/// The type of a field.
public indirect enum FieldType: Sendable, Hashable {
    case boolean
    case int32
    case int64
    case float
    case double
    /// BYTE_ARRAY without annotation.
    case binary
    /// BYTE_ARRAY annotated STRING (UTF-8).
    case string
    /// INT64 annotated TIMESTAMP(MICROS, isAdjustedToUTC = true).
    case timestampMicros
    /// A primitive this library reads but has no shorthand for; kept with its annotations.
    case primitive(PhysicalType, LogicalType?, ConvertedType?)
    /// A list in the standard three-level layout; the element field is conventionally named "element".
    case list(Field)
    /// A map in the standard layout (`key_value` with a required `key` and a `value`).
    case map(key: Field, value: Field)
    /// A nested struct.
    case group([Field])
}

/// The schema of a Parquet file: its top-level fields.
public struct Schema: Sendable, Hashable {
    public var fields: [Field]

    public init(_ fields: [Field]) { self.fields = fields }

    /// The top-level field named `name`.
    public func field(named name: String) -> Field? { fields.first { $0.name == name } }
}

/// A leaf (primitive) column of a schema, with its position in the tree.
public struct ColumnDescriptor: Sendable, Hashable {
    /// Names from the top-level field down to the leaf, as in `path_in_schema`.
    public var path: [String]
    public var physicalType: PhysicalType
    public var logicalType: LogicalType?
    public var convertedType: ConvertedType?
    public var typeLength: Int32?
    public var maxDefinitionLevel: Int
    public var maxRepetitionLevel: Int
    /// Index of the top-level field this leaf belongs to.
    public var topLevelFieldIndex: Int

    /// The dotted path, e.g. `add.partitionValues.key_value.key`.
    public var dottedPath: String { path.joined(separator: ".") }
}
