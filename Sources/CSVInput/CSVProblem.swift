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
