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
