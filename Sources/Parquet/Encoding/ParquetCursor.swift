import DriftlineCore

/// The product's one ``ByteCursor`` as Parquet's decoders use it: every read is bounds-checked, and a
/// problem becomes a `ParquetError.corrupt` naming the cursor's context (`"row group 0, column x data page"`)
/// and the offset.
typealias ParquetCursor = ByteCursor<ParquetError>

extension ParquetError: ByteCursorFailure {
    public init(cursorProblem problem: ByteCursorProblem, offset: Int, what: StaticString, context: String) {
        switch problem {
        case let .truncated(needed, left):
            self.init(.corrupt, "\(context): needs \(needed) bytes at offset \(offset) but only \(left) remain")
        default:
            self.init(.corrupt, "\(context): \(problem.text(what)) at offset \(offset)")
        }
    }
}
