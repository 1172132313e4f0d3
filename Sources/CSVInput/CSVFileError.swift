/// A CSV file that cannot be read at all (no header, duplicate or missing columns, not UTF-8): what and
/// what to do.
public struct CSVFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
