import DriftlineCore

/// Writes JSON straight into bytes, laid out as Foundation's `JSONEncoder` with `[.prettyPrinted, .sortedKeys]`
/// lays it out (2-space indent, `"key" : value`, `/` escaped, integral doubles without `.0`), so that a
/// report written either way is the same bytes (`ReportTests` compares them). The caller writes an
/// object's keys in sorted order; the writer does not sort.
///
/// Foundation's encoder boxes every value, converts every key to snake case and sorts keys per object;
/// for the hourly reports (thousands of drift rows with their bins) that was half of `driftline batch`.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var depth = 0
    /// Whether the innermost open container has no element yet.
    private var empty: [Bool] = []

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts a member of the open object; write its value next.
    mutating func key(_ name: StaticString) {
        element()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
    }

    /// Starts the next element of the open array; write its value next.
    mutating func element() {
        guard let isEmpty = empty.last else { return }
        if !isEmpty { bytes.append(UInt8(ascii: ",")) }
        empty[empty.count - 1] = false
        newline()
    }

    mutating func string(_ text: String) {
        JSONString.append(text, to: &bytes, escaping: .foundation)
    }

    mutating func number(_ value: Int64) { bytes.append(contentsOf: String(value).utf8) }

    /// A double in its shortest round-tripping form; a non-finite one as the strings `NaN`, `Infinity`,
    /// `-Infinity` (reports make every value finite first: this only guards against one slipping through).
    mutating func number(_ value: Double) {
        guard value.isFinite else {
            string(value.isNaN ? "NaN" : value < 0 ? "-Infinity" : "Infinity")
            return
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// A member whose value is a double, left out when `nil` (as synthesized `Encodable` does).
    mutating func member(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        key(name)
        number(value)
    }

    /// A member whose value is a string, left out when `nil`.
    mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    /// A member whose value is a boolean, left out when `nil`.
    mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        number(value)
    }

    mutating func member(_ name: StaticString, strings: [String]) {
        key(name)
        beginArray()
        for text in strings {
            element()
            string(text)
        }
        endArray()
    }

    mutating func member(_ name: StaticString, numbers: [Double]) {
        key(name)
        beginArray()
        for value in numbers {
            element()
            number(value)
        }
        endArray()
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        empty.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        let wasEmpty = empty.popLast() ?? true
        depth -= 1
        if wasEmpty {
            // Foundation writes an empty container as its brackets around an empty line.
            bytes.append(0x0A)
        }
        newline()
        bytes.append(bracket)
    }

    private mutating func newline() {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }
}
