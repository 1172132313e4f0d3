/// A JSON value, for the free-form parts of the log: `commitInfo`, column metadata and statistics.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

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
            self = .object(try container.decode([String: JSONValue].self))
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

    /// The members, when the value is an object.
    public var object: [String: JSONValue]? {
        if case let .object(value) = self { return value }
        return nil
    }

    /// Compact JSON text.
    public var description: String {
        text
    }
}
