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
    /// The field name (a column name at the top level).
    public var name: String
    /// Whether the field may be null (OPTIONAL repetition) rather than REQUIRED.
    public var isOptional: Bool
    /// The field's type.
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
