import DriftlineCore

/// Building the reports' objects member by member, as synthesized `Encodable` would: a `nil` value leaves
/// its member out. The reports are written with `JSONFormat.foundationPretty`, which sorts the keys.
extension JSONObject {
    mutating func member(_ name: String, _ value: Double?) {
        guard let value else { return }
        self[name] = .double(value)
    }

    mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        self[name] = .string(value)
    }

    mutating func member(_ name: String, _ value: Bool?) {
        guard let value else { return }
        self[name] = .bool(value)
    }

    mutating func member(_ name: String, _ value: Int64) {
        self[name] = .int(value)
    }

    mutating func member(_ name: String, strings: [String]) {
        self[name] = .array(strings.map { .string($0) })
    }

    mutating func member(_ name: String, numbers: [Double]) {
        self[name] = .array(numbers.map { .double($0) })
    }

    mutating func member(_ name: String, integers: [Int64]) {
        self[name] = .array(integers.map { .int($0) })
    }
}
