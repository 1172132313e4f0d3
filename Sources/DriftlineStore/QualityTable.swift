import DriftlineCore
import DeltaTable

/// The `quality` table: one row per (endpoint, model version, analysis window, column, check), written by
/// the batch stage beside `drift` and `performance` with the same replace rule (a re-analysed window's rows
/// replace its old ones in one commit).
///
/// ```swift
/// let quality = try store.quality()
/// try quality.replace(endpoint: "iris", windowStarts: hour..<hour.advanced(by: .seconds(3600)), with: rows)  // idempotent
/// ```
public struct QualityTable: Sendable {
    let analysis: AnalysisStorage<QualityRow>

    init(storage: TableStorage) { analysis = AnalysisStorage(storage: storage) }

    /// The table folder (`<store>/quality`).
    public var path: String { analysis.storage.path }
    /// The underlying Delta table.
    public var table: DeltaTable { analysis.storage.table }

    /// Replaces every row of `endpoint` whose `window_start` is in `windowStarts` by `rows`, in one commit
    /// (idempotent). Returns the committed version.
    @discardableResult
    public func replace(endpoint: String, windowStarts: Range<Timestamp>, with rows: [QualityRow],
                        commitInfo: [String: JSONValue] = [:]) throws(StoreError) -> Int64 {
        try analysis.replace(endpoint: endpoint, windowStarts: windowStarts, with: rows, commitInfo: commitInfo)
    }

    /// Rows of `endpoint` (all when nil) with `window_start` in `from ..< to` (unbounded when nil).
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) throws(StoreError) -> [QualityRow] {
        var damaged: [DamagedDataFile]? = nil
        return try analysis.rows(endpoint: endpoint, from: from, to: to, damaged: &damaged)
    }

    /// As ``rows(endpoint:from:to:)``, but a data file that cannot be read (damaged) is left out and appended to `damaged`.
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                     damaged: inout [DamagedDataFile]) throws(StoreError) -> [QualityRow] {
        var collected: [DamagedDataFile]? = []
        defer { damaged += collected ?? [] }
        return try analysis.rows(endpoint: endpoint, from: from, to: to, damaged: &collected)
    }
}
