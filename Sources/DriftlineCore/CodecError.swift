/// Bytes that cannot be decoded as Driftline data (a record, a schema or a manifest).
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The data ended before a field did.
        case truncated
        /// A field holds an impossible value (bad tag, overlong length, invalid UTF-8, ...).
        case malformed
        /// The bytes decode but do not fit the schema (arity, class index, task kind).
        case schemaMismatch
        /// A format version this build does not read.
        case unsupportedVersion
    }

    /// What went wrong.
    public let kind: Kind
    /// The byte offset of the problem within the decoded buffer.
    public let offset: Int
    /// The field and the value found.
    public let detail: String

    public init(_ kind: Kind, offset: Int, detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        let remedy = switch kind {
        case .unsupportedVersion: "written by a newer Driftline: read it with that version or upgrade"
        case .schemaMismatch: "the bytes do not match the schema recorded with them: the file is damaged or was edited"
        case .truncated, .malformed: "the file is damaged (a torn write or a flipped byte); `driftline inspect` shows which batch, and readers skip it"
        }
        return "cannot decode (\(kind)) at byte \(offset): \(detail); \(remedy)"
    }
}
