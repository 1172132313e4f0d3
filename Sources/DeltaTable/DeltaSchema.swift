import DriftlineCore
/// The type of a column in Delta's schema language (Spark SQL's JSON schema).
public indirect enum DeltaType: Sendable, Hashable {
    case string, long, integer, short, byte, double, float, boolean, binary, date, timestamp
    /// `timestamp_ntz` and other primitives (`decimal(10,2)`, `variant`) this library keeps by name only.
    case other(String)
    case array(element: DeltaType, containsNull: Bool)
    case map(key: DeltaType, value: DeltaType, valueContainsNull: Bool)
    case `struct`(DeltaSchema)

    static let primitives: [String: DeltaType] = [
        "string": .string, "long": .long, "integer": .integer, "short": .short, "byte": .byte,
        "double": .double, "float": .float, "boolean": .boolean, "binary": .binary, "date": .date,
        "timestamp": .timestamp,
    ]

    /// The primitive's name, for primitive types.
    var primitiveName: String? {
        switch self {
        case .string: "string"
        case .long: "long"
        case .integer: "integer"
        case .short: "short"
        case .byte: "byte"
        case .double: "double"
        case .float: "float"
        case .boolean: "boolean"
        case .binary: "binary"
        case .date: "date"
        case .timestamp: "timestamp"
        case let .other(name): name
        case .array, .map, .struct: nil
        }
    }
}

/// One column (top-level or nested) of a Delta schema.
public struct DeltaField: Sendable, Hashable {
    public var name: String
    public var type: DeltaType
    /// Whether the column may hold nulls.
    public var nullable: Bool
    /// Column metadata (`delta.columnMapping.*`, `delta.invariants`, comments); kept as read.
    public var metadata: [String: JSONValue]

    public init(_ name: String, _ type: DeltaType, nullable: Bool = true, metadata: [String: JSONValue] = [:]) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.metadata = metadata
    }
}

/// A table schema: a struct of columns, serialized as the `schemaString` of the `metaData` action.
///
/// ```swift
/// let schema = DeltaSchema([
///     DeltaField("endpoint", .string),
///     DeltaField("window_start", .timestamp),
///     DeltaField("histogram", .array(element: .long, containsNull: true)),
/// ])
/// ```
public struct DeltaSchema: Sendable, Hashable {
    public var fields: [DeltaField]

    public init(_ fields: [DeltaField]) { self.fields = fields }

    /// The field with this name (Delta column names are case-insensitive).
    public func field(named name: String) -> DeltaField? {
        fields.first { $0.name == name } ?? fields.first { $0.name.lowercased() == name.lowercased() }
    }

    /// Parses a Spark JSON schema string.
    public init(json text: String) throws {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw DeltaError.invalidArgument("schemaString is not JSON: \(error)")
        }
        guard case let .struct(schema) = try DeltaType(json: value) else {
            throw DeltaError.invalidArgument("schemaString must be a struct type, got \(text.prefix(80))")
        }
        self = schema
    }

    /// The Spark JSON schema string.
    public var json: String {
        DeltaType.struct(self).jsonValue.text(.deltaLog)
    }

    /// Checks what Delta requires of a schema: unique names regardless of case, partition columns present
    /// and of a primitive type.
    func validate(partitionColumns: [String]) throws {
        var seen = Set<String>()
        for field in fields {
            guard !field.name.isEmpty else { throw DeltaError.invalidArgument("a column has an empty name") }
            guard seen.insert(field.name.lowercased()).inserted else {
                throw DeltaError.invalidArgument("column \(field.name) appears twice (names are case-insensitive)")
            }
        }
        for column in partitionColumns {
            guard let field = field(named: column) else {
                throw DeltaError.invalidArgument("partition column \(column) is not in the schema")
            }
            guard field.type.primitiveName != nil else {
                throw DeltaError.invalidArgument("partition column \(column) must have a primitive type")
            }
        }
    }
}

extension DeltaType {
    init(json value: JSONValue) throws {
        switch value {
        case let .string(name):
            if let primitive = DeltaType.primitives[name] {
                self = primitive
            } else {
                self = .other(name)
            }
        case let .object(members):
            switch members["type"]?.string {
            case "struct":
                guard case let .array(items)? = members["fields"] else {
                    throw DeltaError.invalidArgument("struct type without fields")
                }
                self = .struct(DeltaSchema(try items.map(DeltaField.init(json:))))
            case "array":
                guard let element = members["elementType"] else {
                    throw DeltaError.invalidArgument("array type without elementType")
                }
                self = .array(element: try DeltaType(json: element), containsNull: members["containsNull"] != .bool(false))
            case "map":
                guard let key = members["keyType"], let valueType = members["valueType"] else {
                    throw DeltaError.invalidArgument("map type without keyType or valueType")
                }
                self = .map(key: try DeltaType(json: key), value: try DeltaType(json: valueType),
                            valueContainsNull: members["valueContainsNull"] != .bool(false))
            case let other?:
                self = .other(other)
            case nil:
                throw DeltaError.invalidArgument("type object without a type name")
            }
        default:
            throw DeltaError.invalidArgument("a type must be a string or an object, got \(value)")
        }
    }

    var jsonValue: JSONValue {
        switch self {
        case let .array(element, containsNull):
            return .object(["type": .string("array"), "elementType": element.jsonValue, "containsNull": .bool(containsNull)])
        case let .map(key, value, valueContainsNull):
            return .object(["type": .string("map"), "keyType": key.jsonValue, "valueType": value.jsonValue,
                            "valueContainsNull": .bool(valueContainsNull)])
        case let .struct(schema):
            return .object(["type": .string("struct"), "fields": .array(schema.fields.map(\.jsonValue))])
        default:
            return .string(primitiveName ?? "string")
        }
    }
}

extension DeltaField {
    init(json value: JSONValue) throws {
        guard let members = value.object, let name = members["name"]?.string, let type = members["type"] else {
            throw DeltaError.invalidArgument("a struct field needs a name and a type, got \(value)")
        }
        self.init(name, try DeltaType(json: type), nullable: members["nullable"] != .bool(false),
                  metadata: members["metadata"]?.object?.dictionary ?? [:])
    }

    var jsonValue: JSONValue {
        .object(["name": .string(name), "type": type.jsonValue, "nullable": .bool(nullable), "metadata": .object(metadata)])
    }
}
