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
        case .corrupt: return "corrupt Parquet data: \(message)"
        case .unsupported: return "unsupported Parquet feature: \(message)"
        case .invalidArgument: return "invalid Parquet argument: \(message)"
        case .io: return "Parquet I/O error: \(message)"
        }
    }

    static func corrupt(_ message: String) -> ParquetError { ParquetError(.corrupt, message) }
    static func unsupported(_ message: String) -> ParquetError { ParquetError(.unsupported, message) }
    static func invalid(_ message: String) -> ParquetError { ParquetError(.invalidArgument, message) }
}
