/// A JSON value: the one the product writes and reads its JSON with — the Delta log's actions, the reference
/// files, the hourly reports and the Anodot metrics. Objects keep their members in order (``JSONObject``);
/// whole numbers and fractional ones stay apart (`.int` and `.double`) so that each file is written with the
/// same number text every time. ``parse(_:limits:)`` reads one strictly; ``text(_:)`` and ``bytes(_:)``
/// write one in a ``JSONFormat``.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// An object of `members` in key order (a dictionary has none of its own).
    public static func object(_ members: [String: JSONValue]) -> JSONValue {
        .object(JSONObject(sorting: members))
    }

    /// An object of `members` in the order given.
    public static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members))
    }

    /// `.double(value)`, or `.null` when `value` is nil.
    public static func optional(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }

    /// `.string(value)`, or `.null` when `value` is nil.
    public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode(JSONObject.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .int(value): try container.encode(value)
        case let .double(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    /// The value as an integer, when it is a whole number.
    public var int64: Int64? {
        switch self {
        case let .int(value): return value
        case let .double(value) where value == value.rounded() && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    /// The value as a double, when it is a number.
    public var double: Double? {
        switch self {
        case let .int(value): return Double(value)
        case let .double(value): return value
        default: return nil
        }
    }

    /// The value as a string, when it is one.
    public var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// The value as a boolean, when it is one.
    public var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// The items, when the value is an array.
    public var array: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    /// The members, when the value is an object.
    public var object: JSONObject? {
        if case let .object(value) = self { return value }
        return nil
    }

    /// Whether the value is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact JSON text, members in order.
    public var description: String {
        text(.compact)
    }
}
