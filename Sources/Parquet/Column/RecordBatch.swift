/// A batch of rows in columnar form: one `LeafColumn` per leaf of the schema, in leaf order.
///
/// Build one from typed arrays with the `LeafColumn` constructors (fast path) or from rows of
/// `ParquetValue` with `init(schema:rows:)` (convenient, for small nested data).
public struct RecordBatch: Sendable, Hashable {
    /// Number of rows (top-level records).
    public var rowCount: Int
    /// One entry per leaf column, in `ParquetWriter.columns` / `ParquetReader.columns` order (or the selected leaves).
    public var columns: [LeafColumn]

    public init(rowCount: Int, columns: [LeafColumn]) {
        self.rowCount = rowCount
        self.columns = columns
    }
}
