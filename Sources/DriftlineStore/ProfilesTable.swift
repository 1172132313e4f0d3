import DriftlineCore
import DeltaTable
import Parquet
import Profiles

/// The `profiles` table of DESIGN.md: partial per-window column profiles, appended by the tail stage.
///
/// ```swift
/// let profiles = try store.profiles()
/// try profiles.append(rows, transaction: AppTransaction(appId: "tail-iris", version: 42),
///                     commitInfo: ["positions": positionsJSON])
/// let merged = try profiles.merged(endpoint: "iris", from: hourStart, to: hourEnd)
/// let resume = try profiles.lastCommit(ofApplication: "tail-iris")?.commitInfo
/// ```
public struct ProfilesTable: Sendable {
    let storage: TableStorage

    /// The table's Delta schema, column for column as DESIGN.md's `profiles`.
    public static let schema = DeltaSchema([
        DeltaField("endpoint", .string, nullable: false),
        DeltaField("model_version", .string, nullable: false),
        DeltaField("window_start", .timestamp, nullable: false),
        DeltaField("window_end", .timestamp, nullable: false),
        DeltaField("column_name", .string, nullable: false),
        DeltaField("column_kind", .string, nullable: false),
        DeltaField("count", .long, nullable: false),
        DeltaField("missing_count", .long, nullable: false),
        DeltaField("min", .double),
        DeltaField("max", .double),
        DeltaField("mean", .double),
        DeltaField("m2", .double),
        DeltaField("p05", .double),
        DeltaField("p25", .double),
        DeltaField("p50", .double),
        DeltaField("p75", .double),
        DeltaField("p95", .double),
        DeltaField("sketch", .binary),
        DeltaField("histogram", .array(element: .long, containsNull: false)),
        DeltaField("reference_id", .string),
        DeltaField("categories", .array(element: .string, containsNull: false)),
        DeltaField("category_counts", .array(element: .long, containsNull: false)),
        // Added with the data-quality checks (issue 18), at the end: a store created before gains them by schema
        // evolution (`TableStorage.open`) and its old rows read as null.
        DeltaField("other_categories", .array(element: .string, containsNull: false)),
        DeltaField("other_category_counts", .array(element: .long, containsNull: false)),
        DeltaField("below_reference_min", .long),
        DeltaField("above_reference_max", .long),
    ])

    /// The table folder (`<store>/profiles`).
    public var path: String { storage.path }
    /// The underlying Delta table (for snapshots, history, checkpoints, vacuum).
    public var table: DeltaTable { storage.table }

    /// Appends partial rows as ONE Delta commit: one Parquet data file per endpoint present in `rows`,
    /// plus the application's `txn` and `commitInfo` (the tail stage records its log positions there).
    /// A blind append: it never conflicts with other appends or with compaction; it fails only when
    /// `transaction`'s app is already at that version or later (a duplicate commit after a restart).
    /// Returns the committed version. An empty `rows` still commits the `txn` (progress without data).
    @discardableResult
    public func append(_ rows: [ProfileRow], transaction: AppTransaction? = nil,
                       commitInfo: [String: JSONValue] = [:]) throws(StoreError) -> Int64 {
        try appendCounting(rows, transaction: transaction, commitInfo: commitInfo).version
    }

    /// ``append(_:transaction:commitInfo:)``, also returning how many versions the commit tried (1 when no
    /// other writer committed between its read and its write; each version another writer won first adds one).
    public func appendCounting(_ rows: [ProfileRow], transaction: AppTransaction? = nil,
                               commitInfo: [String: JSONValue] = [:]) throws(StoreError) -> (version: Int64, attempts: Int) {
        let files = try writeFiles(rows)
        do {
            let result = try storage.table.append(files, transactions: transaction.map { [$0] } ?? [], commitInfo: commitInfo)
            return (result.version, result.attempts)
        } catch DeltaError.commitNotDurable(let table, let version, let code) {
            // The commit is in place (readers may see it): its files must stay.
            throw .delta(table: path, error: .commitNotDurable(table: table, version: version, errno: code))
        } catch {
            storage.removeUncommitted(files)
            throw storage.deltaError(error)
        }
    }

    /// Writes `rows` as one data file per endpoint (not yet committed).
    func writeFiles(_ rows: [ProfileRow]) throws(StoreError) -> [AddFile] {
        var byEndpoint: [String: [ProfileRow]] = [:]
        for row in rows {
            try Self.validate(row, table: path)
            byEndpoint[row.endpoint, default: []].append(row)
        }
        var files: [AddFile] = []
        for endpoint in byEndpoint.keys.sorted() {
            do {
                files.append(try writeFile(endpoint: endpoint, rows: byEndpoint[endpoint] ?? []))
            } catch {
                storage.removeUncommitted(files)
                throw error
            }
        }
        return files
    }

    /// One data file of rows of one endpoint (columnar encoding).
    func writeFile(endpoint: String, rows: [ProfileRow]) throws(StoreError) -> AddFile {
        try storage.writeFile(endpoint: endpoint, rowCount: rows.count, plainColumns: ["sketch"]) { range, schema in
            try Self.batch(rows[range], schema: schema)
        }
    }

    /// Partial rows of `endpoint` (every endpoint when nil) whose `window_start` lies in `from ..< to`
    /// (unbounded sides when nil), optionally only of the profile columns `columns` (`:prediction`,
    /// a feature…), ordered by key; the parts of one key keep the order of their files. Files are
    /// pruned by partition and by their `window_start` statistics before any is opened.
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                     columns: Set<String>? = nil) throws(StoreError) -> [ProfileRow] {
        var damaged: [DamagedDataFile]? = nil
        return try rows(endpoint: endpoint, from: from, to: to, columns: columns, collecting: &damaged)
    }

    /// As ``rows(endpoint:from:to:columns:)``, but a data file that cannot be read (damaged) is left out
    /// and appended to `damaged` instead of failing the whole read.
    public func rows(endpoint: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil,
                     columns: Set<String>? = nil, damaged: inout [DamagedDataFile]) throws(StoreError) -> [ProfileRow] {
        var collected: [DamagedDataFile]? = []
        defer { damaged += collected ?? [] }
        return try rows(endpoint: endpoint, from: from, to: to, columns: columns, collecting: &collected)
    }

    func rows(endpoint: String?, from: Timestamp?, to: Timestamp?, columns: Set<String>?,
              collecting damaged: inout [DamagedDataFile]?) throws(StoreError) -> [ProfileRow] {
        let rows = try unsortedRows(endpoint: endpoint, from: from, to: to, columns: columns, damaged: &damaged)
        let keys = rows.map(ProfileKey.init)
        let order = rows.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] < keys[b] : a < b }
        return order.map { rows[$0] }
    }

    /// The rows in file order (files by modification time, then path).
    /// `damaged` nil: a damaged file is thrown; else it is appended there and its rows left out.
    func unsortedRows(endpoint: String?, from: Timestamp?, to: Timestamp?, columns: Set<String>?,
                      damaged: inout [DamagedDataFile]?) throws(StoreError) -> [ProfileRow] {
        let lower = from?.microsecondsSinceEpoch ?? Int64.min / 2
        let upper = to?.microsecondsSinceEpoch ?? Int64.max / 2
        guard lower < upper else { return [] }
        let range = Timestamp(microsecondsSinceEpoch: lower)..<Timestamp(microsecondsSinceEpoch: upper)
        var out: [ProfileRow] = []
        let files = storage.files(in: try storage.snapshot(), endpoint: endpoint, windowStarts: range)
            .sorted { ($0.modificationTime, $0.path) < ($1.modificationTime, $1.path) }
        for file in files {
            for row in try storage.reading(file, damaged: &damaged, { () throws(StoreError) in try readFile(file) }) where row.windowStartMicroseconds >= lower && row.windowStartMicroseconds < upper
                && columns.map({ $0.contains(row.columnName) }) ?? true {
                out.append(row)
            }
        }
        return out
    }

    /// Every row of one data file: decoded column by column when the file has the layout this module
    /// writes, through the row assembler otherwise (a file another writer added).
    func readFile(_ file: AddFile) throws(StoreError) -> [ProfileRow] {
        let endpoint = TableStorage.endpoint(of: file)
        let name = storage.path + "/" + file.relativePath
        do {
            let reader = try ParquetReader(path: name)
            if let rows = try Self.decodeColumnar(reader, endpoint: endpoint, file: name) { return rows }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .malformedData(file: name, detail: "\(error)")
        }
        let fields = Dictionary(uniqueKeysWithValues: storage.fileFields.enumerated().map { ($1, $0) })
        var out: [ProfileRow] = []
        for values in try storage.readRows(file) {
            out.append(try Self.row(ValueReader(values: values, fields: fields, file: name), endpoint: endpoint))
        }
        return out
    }

    /// The last commit carrying a `txn` of `appId`: its `txn` version and `commitInfo` (where the tail
    /// stage finds the log positions to resume from). Nil when the application never committed.
    public func lastCommit(ofApplication appId: String) throws(StoreError) -> TransactionCommit? {
        do { return try storage.table.lastCommit(ofApplication: appId) } catch { throw storage.deltaError(error) }
    }

    /// The latest `txn` version of `appId` (from the snapshot, so it survives log cleanup).
    public func transactionVersion(appId: String) throws(StoreError) -> Int64? {
        try storage.snapshot().transactionVersion(appId: appId)
    }
}
