/// An error reading or writing a Parquet file.
///
/// Every decoding path throws one of these instead of trapping: a truncated or corrupted
/// file is reported with what was being read and where, so a user can tell a damaged file
/// from a feature this library does not support.
public struct ParquetError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, broadly.
    public enum Kind: Sendable, Equatable {
        /// The bytes do not form a valid Parquet file (truncated, corrupted, inconsistent).
        case corrupt
        /// The file is valid but uses a feature this library does not implement.
        case unsupported
        /// The caller passed data that does not match the schema or the API's contract.
        case invalidArgument
        /// The operating system refused a read or write.
        case io
    }

    /// The broad category.
    public var kind: Kind
    /// A sentence naming the field, value or offset involved and what to do.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String {
        switch kind {
        case .corrupt: return "corrupt Parquet data: \(message)\(Self.suffix(message, "; the file is damaged or truncated: restore it from a backup or rewrite it"))"
        case .unsupported: return "unsupported Parquet feature: \(message)\(Self.suffix(message, "; this library handles the Parquet subset Driftline uses (PLAIN and dictionary encodings; UNCOMPRESSED, LZ4_RAW, SNAPPY): rewrite the file within it"))"
        case .invalidArgument: return "invalid Parquet argument: \(message)\(Self.suffix(message, "; give values that match the file's schema"))"
        case .io: return "Parquet I/O error: \(message)\(Self.suffix(message, "; check the path, its permissions and the free disk space"))"
        }
    }

    /// The generic remedy, unless the message already says what to do (after a `;`).
    static func suffix(_ message: String, _ remedy: String) -> String { message.contains(";") ? "" : remedy }

    static func corrupt(_ message: String) -> ParquetError { ParquetError(.corrupt, message) }
    static func unsupported(_ message: String) -> ParquetError { ParquetError(.unsupported, message) }
    static func invalid(_ message: String) -> ParquetError { ParquetError(.invalidArgument, message) }
}
