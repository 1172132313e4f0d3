/// The members of a JSON object, in the order they were written or added, with lookup by name. Two objects
/// are equal when they have the same members whatever their order (as JSON defines it); the order is what
/// a ``JSONFormat`` writes unless it sorts keys.
public struct JSONObject: Sendable, Hashable, Sequence, Codable {
    public typealias Element = (key: String, value: JSONValue)

    private var members: [Element] = []
    private var positions: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// The members in the order given; a repeated name keeps its first place and its last value.
    public init(_ members: some Sequence<(String, JSONValue)>) {
        for (key, value) in members { self[key] = value }
    }

    /// The members of a dictionary, in key order.
    public init(sorting dictionary: [String: JSONValue]) {
        members.reserveCapacity(dictionary.count)
        for key in dictionary.keys.sorted() {
            if let value = dictionary[key] { append(key, value) }
        }
    }

    /// The member's value; setting `nil` removes the member, setting a new name adds it at the end.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { members[$0].value } }
        set {
            if let position = positions[key] {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    positions[key] = nil
                    for index in position..<members.count { positions[members[index].key] = index }
                }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }

    private mutating func append(_ key: String, _ value: JSONValue) {
        positions[key] = members.count
        members.append((key: key, value: value))
    }

    /// The names, in order.
    public var keys: [String] { members.map(\.key) }

    /// The values, in order.
    public var values: [JSONValue] { members.map(\.value) }

    public var count: Int { members.count }

    public var isEmpty: Bool { members.isEmpty }

    /// The members as a dictionary (the order is lost).
    public var dictionary: [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public func makeIterator() -> IndexingIterator<[Element]> { members.makeIterator() }

    /// The same names, in the same order, with transformed values.
    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var out = self
        for index in out.members.indices { out.members[index].value = try transform(out.members[index].value) }
        return out
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, as equality is.
        var combined = 0
        for (key, value) in members {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            combined ^= member.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }

    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decoded members come in key order (a `Decoder` does not tell the document's order).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            self[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (key, value) in members { try container.encode(value, forKey: Name(stringValue: key)) }
    }
}
