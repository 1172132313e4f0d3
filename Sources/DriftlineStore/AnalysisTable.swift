import DriftlineCore
import DeltaTable
import Parquet

/// A row type of the `drift` or `performance` table: its values in a data file (every column but
/// `endpoint`), and back.
protocol AnalysisRowCodec: Sendable {
    var endpoint: String { get }
    var windowStartMicroseconds: Int64 { get }
    var fileValues: [ParquetValue] { get }
    init(_ reader: ValueReader, endpoint: String) throws(StoreError)
}

/// The shared logic of `DriftTable` and `PerformanceTable`: replace an endpoint's rows of a range of
/// analysis windows in one commit, read them back.
struct AnalysisStorage<Row: AnalysisRowCodec>: Sendable {
    let storage: TableStorage

    func replace(endpoint: String, windowStarts: Range<Timestamp>, with rows: [Row],
                 commitInfo: [String: JSONValue] = [:]) throws(StoreError) -> Int64 {
        try StoreName.check(endpoint, field: "endpoint")
        var byWindow: [Int64: [[ParquetValue]]] = [:]
        for row in rows {
            guard row.endpoint == endpoint else {
                throw .invalidRow(table: storage.path, detail: "a row of endpoint \(row.endpoint) in a replace of endpoint \(endpoint)")
            }
            let start = Timestamp(microsecondsSinceEpoch: row.windowStartMicroseconds)
            guard windowStarts.contains(start) else {
                throw .invalidRow(table: storage.path, detail: "window_start \(start.iso8601Milliseconds) is outside the replaced range "
                                  + "\(windowStarts.lowerBound.iso8601Milliseconds)..<\(windowStarts.upperBound.iso8601Milliseconds)")
            }
            byWindow[row.windowStartMicroseconds, default: []].append(row.fileValues)
        }
        // One file per analysis window, so that replacing any later range of whole windows never
        // finds a file straddling its bounds.
        var files: [AddFile] = []
        for start in byWindow.keys.sorted() {
            do {
                files.append(try storage.writeFile(endpoint: endpoint, rows: byWindow[start] ?? []))
            } catch {
                storage.removeUncommitted(files)
                throw error
            }
        }
        let selection = FileSelection(partitionValues: [TableStorage.partitionColumn: endpoint],
                                      timeColumn: "window_start", timeRange: windowStarts)
        do {
            return try storage.table.replace(selection, with: files, commitInfo: commitInfo).version
        } catch DeltaError.commitNotDurable(let table, let version, let code) {
            throw .delta(table: storage.path, error: .commitNotDurable(table: table, version: version, errno: code))
        } catch {
            storage.removeUncommitted(files)
            throw storage.deltaError(error)
        }
    }

    func rows(endpoint: String?, from: Timestamp?, to: Timestamp?, damaged: inout [DamagedDataFile]?) throws(StoreError) -> [Row] {
        let lower = from?.microsecondsSinceEpoch ?? Int64.min / 2
        let upper = to?.microsecondsSinceEpoch ?? Int64.max / 2
        guard lower < upper else { return [] }
        let snapshot = try storage.snapshot()
        let range = Timestamp(microsecondsSinceEpoch: lower)..<Timestamp(microsecondsSinceEpoch: upper)
        let fields = Dictionary(uniqueKeysWithValues: storage.fileFields.enumerated().map { ($1, $0) })
        var out: [Row] = []
        for file in storage.files(in: snapshot, endpoint: endpoint, windowStarts: range) {
            let name = storage.path + "/" + file.relativePath
            let fileEndpoint = TableStorage.endpoint(of: file)
            for values in try storage.reading(file, damaged: &damaged, { () throws(StoreError) in try storage.readRows(file) }) {
                let row = try Row(ValueReader(values: values, fields: fields, file: name), endpoint: fileEndpoint)
                if row.windowStartMicroseconds >= lower && row.windowStartMicroseconds < upper { out.append(row) }
            }
        }
        return out
    }
}

/// The `drift` table: one row per (endpoint, model version, analysis window, baseline, column).
///
/// ```swift
/// let drift = try store.drift()
/// try drift.replace(endpoint: "iris", windowStarts: hour..<hour.advanced(by: .seconds(3600)), with: rows)  // idempotent
/// let rows = try drift.rows(endpoint: "iris", from: dayStart, to: dayEnd)
/// ```
public struct DriftTable: Sendable {
    let analysis: AnalysisStorage<DriftRow>

    init(storage: TableStorage) { analysis = AnalysisStorage(storage: storage) }

    /// The table folder (`<store>/drift`).
    public var path: String { analysis.storage.path }
    /// The underlying Delta table.
    public var table: DeltaTable { analysis.storage.table }
    /// The damaged newest commits this value's reads skipped (a reader, opened without `repairing`).
    public var skippedCommits: [SkippedCommit] { analysis.storage.skipped.all }

    /// Replaces every row of `endpoint` whose `window_start` is in `windowStarts` by `rows`, in one
    /// commit (running it twice leaves the same rows, not duplicates). Each row must be of `endpoint`
    /// and start in the range. Returns the committed version.
    @discardableResult
    public func replace(endpoint: String, windowStarts: Range<Timestamp>, with rows: [DriftRow],
                        commitInfo: [String: JSONValue] = [:]) throws(StoreError) -> Int64 {
        try analysis.replace(endpoint: endpoint, windowStarts: windowStarts, with: rows, commitInfo: commitInfo)
    }

    /// Rows of `endpoint` (all when nil) with `window_start` in `from ..< to` (unbounded when nil).
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) throws(StoreError) -> [DriftRow] {
        var damaged: [DamagedDataFile]? = nil
        return try analysis.rows(endpoint: endpoint, from: from, to: to, damaged: &damaged)
    }

    /// As ``rows(endpoint:from:to:)``, but a data file that cannot be read (damaged) is left out and appended to `damaged`.
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                     damaged: inout [DamagedDataFile]) throws(StoreError) -> [DriftRow] {
        var collected: [DamagedDataFile]? = []
        defer { damaged += collected ?? [] }
        return try analysis.rows(endpoint: endpoint, from: from, to: to, damaged: &collected)
    }
}

/// The `performance` table: one row per (endpoint, model version, analysis window).
public struct PerformanceTable: Sendable {
    let analysis: AnalysisStorage<PerformanceRow>

    init(storage: TableStorage) { analysis = AnalysisStorage(storage: storage) }

    /// The table folder (`<store>/performance`).
    public var path: String { analysis.storage.path }
    /// The underlying Delta table.
    public var table: DeltaTable { analysis.storage.table }
    /// The damaged newest commits this value's reads skipped (a reader, opened without `repairing`).
    public var skippedCommits: [SkippedCommit] { analysis.storage.skipped.all }

    /// Replaces every row of `endpoint` whose `window_start` is in `windowStarts` by `rows`, in one
    /// commit (idempotent). Returns the committed version.
    @discardableResult
    public func replace(endpoint: String, windowStarts: Range<Timestamp>, with rows: [PerformanceRow],
                        commitInfo: [String: JSONValue] = [:]) throws(StoreError) -> Int64 {
        try analysis.replace(endpoint: endpoint, windowStarts: windowStarts, with: rows, commitInfo: commitInfo)
    }

    /// Rows of `endpoint` (all when nil) with `window_start` in `from ..< to` (unbounded when nil).
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil) throws(StoreError) -> [PerformanceRow] {
        var damaged: [DamagedDataFile]? = nil
        return try analysis.rows(endpoint: endpoint, from: from, to: to, damaged: &damaged)
    }

    /// As ``rows(endpoint:from:to:)``, but a data file that cannot be read (damaged) is left out and appended to `damaged`.
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                     damaged: inout [DamagedDataFile]) throws(StoreError) -> [PerformanceRow] {
        var collected: [DamagedDataFile]? = []
        defer { damaged += collected ?? [] }
        return try analysis.rows(endpoint: endpoint, from: from, to: to, damaged: &collected)
    }

    /// Commits no data, only `commitInfo`: the batch stage's record of what a finished run read
    /// (`BatchState`), found again with `latestCommitInfo(withKey:)`.
    @discardableResult
    public func mark(commitInfo: [String: JSONValue]) throws(StoreError) -> Int64 {
        do { return try table.append([], commitInfo: commitInfo).version } catch { throw analysis.storage.deltaError(error) }
    }

    /// The newest `commitInfo` holding `key`, looking back at most `maxVersions` commits; nil when none
    /// (or when log cleanup removed it).
    public func latestCommitInfo(withKey key: String, maxVersions: Int64 = 10_000) throws(StoreError) -> [String: JSONValue]? {
        do {
            guard let latest = try table.latestVersion() else { return nil }
            var version = latest
            while version >= 0 && latest - version < maxVersions {
                if let info = try table.commitInfo(version: version), info[key] != nil { return info }
                version -= 1
            }
            return nil
        } catch {
            throw analysis.storage.deltaError(error)
        }
    }
}
