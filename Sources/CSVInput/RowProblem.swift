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
