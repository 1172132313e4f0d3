/// A name that becomes one folder of the log (an endpoint or a writer id), checked to be safe.
///
/// Allowed: 1–200 UTF-8 bytes, no `/`, no `\`, no `..`, not `.`, no control characters
/// (U+0000–U+001F, U+007F–U+009F). Anything else throws a ``ValidationError`` naming the field.
public struct PathComponent: Hashable, Sendable, CustomStringConvertible {
    /// The checked name.
    public let value: String

    /// The longest allowed name in UTF-8 bytes.
    public static let maxBytes = 200

    /// Checks `value`; `field` names it in the error (`endpoint`, `writerID`, ...).
    public init(_ value: String, field: String) throws(ValidationError) {
        func reject(_ why: String) -> ValidationError {
            ValidationError(.invalidName, field: field, value: value, detail: why)
        }
        if value.isEmpty { throw reject("must not be empty") }
        if value.utf8.count > Self.maxBytes { throw ValidationError(.tooLong, field: field, value: value, detail: "at most \(Self.maxBytes) bytes") }
        if value == "." { throw reject("must not be \".\"") }
        if value.contains("..") { throw reject("must not contain \"..\"") }
        for scalar in value.unicodeScalars {
            if scalar == "/" || scalar == "\\" { throw reject("must not contain \"/\" or \"\\\"") }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                throw reject("must not contain control characters (found U+\(String(scalar.value, radix: 16, uppercase: true)))")
            }
        }
        self.value = value
    }

    public var description: String { value }
}
