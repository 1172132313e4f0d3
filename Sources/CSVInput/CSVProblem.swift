/// Why a CSV row (or the file) cannot be used: its line, its column when known, and what to do.
public struct CSVProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line where the row starts (for an unterminated quote: where the quote opened).
    public var line: Int
    /// The 1-based field position when the problem is in one field (the CSV layer), else `nil`.
    public var column: Int?
    /// The problem and its remedy; values are quoted, at most ``CSVText/excerptLength`` characters of each.
    public var detail: String

    public init(line: Int, column: Int?, detail: String) {
        self.line = line
        self.column = column
        self.detail = detail
    }

    public var description: String { "line \(line)" + (column.map { ", field \($0)" } ?? "") + ": \(detail)" }
}

/// A CSV row that parses but whose values cannot be used: the named column and why.
public struct RowProblem: Error, Sendable, Equatable {
    /// The CSV column's header name (or the CSV field position).
    public var column: String
    /// What is wrong and what to do; values quoted with ``CSVText/quoted(_:)``.
    public var detail: String

    public init(column: String, detail: String) {
        self.column = column
        self.detail = detail
    }
}

/// A CSV file that cannot be read at all (no header, duplicate or missing columns, not UTF-8): what and
/// what to do.
public struct CSVFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
